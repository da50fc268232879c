"""Note templates keyed by code, in Chinese and English, with str.format parameters: what
`messages.note(code, language, **params)` renders. Imports nothing.
"""
from __future__ import annotations

NOTES: dict[str, dict[str, str]] = {
    # one line in a forecast's notes: the model, and where the growth model's centre and spread come from
    "growth_model": {
        "zh": "增长模型与校准趋势模型等权平均：增长模型年增长{mu:.1f}%（长期{mu_lr:.1f}%），年增长波动{s:.1f}个百分点，"
              "依据本指标历年增长",
        "en": "growth model averaged with the calibrated trend model: growth model yearly growth {mu:.1f}% "
              "(long-run {mu_lr:.1f}%), spread {s:.1f} points a year from the series' own growth history",
    },
    # what the spread rests on: propose notes and the 目标测算 page header
    "growth_spread": {
        "zh": "区间说明：每个分位数取两个模型的等权平均。一是增长模型，依据本指标自身历年增长率——中心取近年"
              "（权重更高）的平均增速，并随年份逐步趋向长期增速（低保等标准取居民收入增速的先验，约每年6%）；"
              "宽度取历年增速的波动，加上近年增速与全期平均增速之差（增速放缓时区间放宽）；历史较短时向同类"
              "民政公报参考序列的合并估计收缩。二是校准趋势模型：按历史长度选择的趋势外推，区间取M1/M3/Tourism"
              "年度序列在同样历史长度和预测年数下的实际误差。",
        "en": "What the spread rests on: each quantile is the equal-weight average of two models. The growth model "
              "centres on this indicator's own recent yearly growth (recent years weighted more), fading toward "
              "long-run growth (for standards a prior of income growth, about 6% a year). Its width is the "
              "volatility of the yearly growth plus the gap between recent and whole-history growth (slowing "
              "growth widens it). Short histories are shrunk toward the pooled estimate of the bulletin series "
              "of the same family in data/reference. The calibrated trend model extrapolates the trend chosen "
              "for the history's length, with the errors measured on the M1/M3/Tourism yearly series for the "
              "same length and horizon.",
    },
}
