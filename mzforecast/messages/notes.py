"""Note templates keyed by code, in Chinese and English, with str.format parameters: what
`messages.note(code, language, **params)` renders. Imports nothing.
"""
from __future__ import annotations

NOTES: dict[str, dict[str, str]] = {
    # one line in a forecast's notes: where the growth model's centre and spread come from
    "growth_model": {
        "zh": "增长模型：年增长{mu:.1f}%（长期{mu_lr:.1f}%），年增长波动{s:.1f}个百分点，依据本指标历年增长",
        "en": "growth model: yearly growth {mu:.1f}% (long-run {mu_lr:.1f}%), spread {s:.1f} points a year from "
              "the series' own growth history",
    },
    # what the growth model's spread rests on: propose notes and the 目标测算 page header
    "growth_spread": {
        "zh": "区间说明：增长模型的区间依据本指标自身历年增长率——中心取近年（权重更高）的平均增速，并随年份"
              "逐步趋向长期增速（低保等标准取居民收入增速的先验，约每年6%）；宽度取历年增速的波动，"
              "加上近年增速与全期平均增速之差（增速放缓时区间放宽）。历史较短时向同类民政公报参考序列的"
              "合并估计收缩。",
        "en": "What the spread rests on: the growth model centres on this indicator's own recent yearly growth "
              "(recent years weighted more), fading toward long-run growth (for standards a prior of income "
              "growth, about 6% a year). Its width is the volatility of the yearly growth plus the gap between "
              "recent and whole-history growth (slowing growth widens it). Short histories are shrunk toward the "
              "pooled estimate of the bulletin series of the same family in data/reference.",
    },
}
