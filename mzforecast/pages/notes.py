"""The engine's notes and readings as a page shows them: `render_notes(row, ds, language)` is the one
entry point the pages use for a row's note.

TRANSITIONAL: the engine still writes its notes in English and this module translates them for a
Chinese page with regular expressions (NOTES_ZH, DRAFT_NOTES_ZH). Once the engine emits note codes
with parameters (rendered by `mzforecast.messages.note`), these tables go and `render_notes`
renders the codes instead; no other module translates notes. Imports leaves, data and `common`.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .. import fmt
from ..data import Dataset
from ..html import e
from ..messages import note as message
from ..messages.pages import WORDS
from .common import text, unit_of


def _ind_zh(ds: Dataset, ind: str) -> str:
    return ds.indicators[ind].name("zh") if ind in ds.indicators else ind


def _region_zh(ds: Dataset, region: str) -> str:
    return ds.regions[region].name_zh if region in ds.regions else region


# the engine's notes (English, one per "; ") as a Chinese page shows them
NOTES_ZH = [
    (r"only one observation: no trend can be estimated, the level is held flat( \(naive\))?",
     lambda m, ds: "只有一个观测值，无法估计趋势，按最新水平持平外推"),
    (r"only two observations: the trend rests on two points, intervals are wide",
     lambda m, ds: "只有两个观测值，趋势仅由两点确定，区间较宽"),
    (r"zeros or negatives in the series: log-linear model replaced by drift",
     lambda m, ds: "序列含零或负值，对数线性模型改用漂移模型"),
    (r"the series is constant: the point forecast is held at that value", lambda m, ds: "序列没有变化，点预测保持该值"),
    (r"share indicator: forecasts and intervals clipped to 0-100%", lambda m, ds: "比例指标：预测值及区间限定在0–100%"),
    (r"the trend crosses zero: negative forecasts set to 0", lambda m, ds: "趋势穿过零，负的预测值按0计"),
    (re.escape(message("growth_spread", "en")), lambda m, ds: message("growth_spread", "zh")),
    (r"growth model averaged with the calibrated trend model: growth model yearly growth (-?[\d.]+)% "
     r"\(long-run (-?[\d.]+)%\), spread ([\d.]+) points a year from the series' own growth history",
     lambda m, ds: message("growth_model", "zh", mu=float(m[1]), mu_lr=float(m[2]), s=float(m[3]))),
    (r"the ratio forecast from its (\d+) observed years \(numerator and denominator move together\)",
     lambda m, ds: f"按比值本身的{m[1]}个观测年份预测（分子、分母同步调整）"),
    (r"numerator and denominator forecast separately \(independent errors: a cautious spread\)",
     lambda m, ds: "分子、分母分别预测（误差按相互独立处理，区间偏宽、偏谨慎）"),
    (r"final evaluation from the observed values?", lambda m, ds: "依据实际观测值作总结评估"),
    (r"no observations of (\S+) in (\S+?)( up to (\d+))?",
     lambda m, ds: f"{_region_zh(ds, m[2])}{_ind_zh(ds, m[1])}暂无观测数据" + (f"（截至{m[4]}年）" if m[4] else "")),
    (r"only period totals or averages are observed: not a yearly series",
     lambda m, ds: "只有规划期累计数或平均数，不是年度序列"),
    (r"nothing to forecast", lambda m, ds: "无需预测"),
    (r"cannot forecast the ratio of (\S+) to (\S+)",
     lambda m, ds: f"无法预测{_ind_zh(ds, m[1])}与{_ind_zh(ds, m[2])}之比"),
    (r"no observed value in the base year (\d+)", lambda m, ds: f"基年（{m[1]}年）无观测值"),
    (r"only one observation, so no trend can be estimated: the point forecast stays at the last value, and the median "
     r"moves ([+-]\d+)% in (\d+) years because the spread is how one-point series in the reference corpus moved",
     lambda m, ds: f"只有一个观测值，无法估计趋势：点预测保持最新值；预测中位数{m[2]}年内变动{m[1]}%，"
                   "因为区间取自参照数据中单点序列的实际变动"),
    (r"forecasts and intervals kept within (\S+)-(\S+)", lambda m, ds: f"预测值及区间限定在{m[1]}–{m[2]}之间"),
    (r"the series is at its upper bound \((\S+)\): forecast held at the bound",
     lambda m, ds: f"序列已达上限（{m[1]}），预测保持在上限"),
    (r"administered standard, only raised or held: no forecast path falls below the last observed value or from one "
     r"year to the next", lambda m, ds: "保障标准只升不降：各预测路径不低于最新观测值，且逐年不下降"),
    (r"only ever held or lowered: no forecast path rises above the last observed value or from one year to the next",
     lambda m, ds: "该指标只降不升：各预测路径不高于最新观测值，且逐年不上升"),
    (r"the ratio forecast from its one observed year \(two administered standards move together\)",
     lambda m, ds: "按比值本身唯一的观测年份预测（两项保障标准同步调整）"),
    (r"no (\S+) for (\d+): the ratio to the same year's value \((\d+)\) is used, a lower bound because (\S+) is "
     r"never cut", lambda m, ds: f"缺少{m[2]}年{_ind_zh(ds, m[1])}：采用与同年（{m[3]}年）之比；"
                                 f"因{_ind_zh(ds, m[4])}只升不降，该值是与上年度之比的下限"),
    (r"the target year (\d+) has passed \(reference year (\d+)\) and its outcome is not in the data: the probability "
     r"is a nowcast, not a verdict",
     lambda m, ds: f"目标年{m[1]}年已过（参照年{m[2]}年），数据中尚无实际值：概率为推算值，不作判断"),
    (r"one observation: insufficient data to judge a trend, and the probability is a base rate \(how one-point series "
     r"in the reference corpus moved\), not this indicator's trend",
     lambda m, ds: "只有一个观测值，数据不足，无法判断趋势；概率为基础比率（参照数据中单点序列的变动），不是本指标的趋势"),
    (r"function transferred out of civil affairs in the 2018 reform: listed, not scored",
     lambda m, ds: "2018年机构改革后该职能已划出民政：仅列示、不评估"),
    (r"no observations of (\S+): assessed through (\S+), a lower bound",
     lambda m, ds: f"{_ind_zh(ds, m[1])}暂无观测数据：以{_ind_zh(ds, m[2])}评估（为下限）"),
    (r"range: met at (\S+), above (\S+) exceeded", lambda m, ds: f"区间目标：达到{m[1]}即实现，超过{m[2]}为超额完成"),
    (r"tolerance: within (\S+) of (\S+)", lambda m, ds: f"约数目标：与{m[2]}相差不超过{m[1]}即视为实现"),
    (r"proxy: (\S+)", lambda m, ds: f"以{_ind_zh(ds, m[1])}代替评估（为下限）"),
    (r"transferred out of civil affairs \(2018 reform\)", lambda m, ds: "2018年机构改革后已划出民政"),
    (r"duplicate: the same indicator and target as (\S+) \((.+) is stated twice\)",
     lambda m, ds: "重复目标：与另一条目标为同一指标、同一目标（规划中出现两次）"),
    (r"conflict: the (table|text) says (.+) for (\d+), the (table|text) \((\S+)\) (.+), both assessed",
     lambda m, ds: f"目标冲突：{m[3]}年{'表格' if m[1] == 'table' else '正文'}为{m[2]}，"
                   f"{'表格' if m[4] == 'table' else '正文'}（{m[5]}）为{m[6]}，两者均评估"),
]


def note_text(note, ds: Dataset, language: str = "zh") -> str:
    """An assessment's note in the page's language; a note with no translation is shown as written."""
    if not note or (isinstance(note, float) and np.isnan(note)):
        return ""
    if language != "zh":
        return str(note)
    parts = []
    for part in str(note).split("; "):
        for pattern, zh in NOTES_ZH:
            m = re.fullmatch(pattern, part)
            if m:
                part = zh(m, ds)
                break
        parts.append(part)
    return "；".join(parts)


def render_notes(row, ds: Dataset, language: str = "zh") -> str:
    """The note of an assessment row, as plain text in the page's language ('' without one)."""
    note = row.get("note") if isinstance(row, (dict, pd.Series)) else getattr(row, "note", None)
    return note_text(note, ds, language)


def no_data_reason(r, ds: Dataset, language: str = "zh") -> str:
    """Why a target has no assessment, in a few words (not the indicator's name again)."""
    W = WORDS[language]
    if r.verdict == "transferred":
        return W["moved_out"]
    note = text(r.note)
    if not note or note.startswith("no observations of"):
        return W["no_obs"]
    return render_notes(r, ds, language)


def _tolerance_zh(r, m) -> str:
    """'约数目标：与9,000个相差不超过450个…' in the target's unit (a rate: 个百分点), not bare '9000'."""
    try:
        tol, goal = float(m[1]), float(m[2])
    except ValueError:
        return m[0]
    u = unit_of(r) if getattr(r, "kind", None) else (getattr(r, "unit", "") or "")
    if u == "percent":
        return (f"约数目标：与{fmt.number(goal, 'percent', 'zh', exact=True)}相差不超过"
                f"{fmt.number(tol, '', 'zh', exact=True)}个百分点即视为实现")
    return (f"约数目标：与{fmt.number(goal, u, 'zh', exact=True)}相差不超过"
            f"{fmt.number(tol, u, 'zh', exact=True)}即视为实现")


def _range_zh(r, m) -> str:
    """'区间目标：达到35张/千名老人即实现，超过40张/千名老人为超额完成', in the target's unit."""
    try:
        a, b = float(m[1]), float(m[2])
    except ValueError:
        return m[0]
    u = unit_of(r) if getattr(r, "kind", None) else (getattr(r, "unit", "") or "")
    return (f"区间目标：达到{fmt.number(a, u, 'zh', exact=True)}即实现，"
            f"超过{fmt.number(b, u, 'zh', exact=True)}为超额完成")


def readings_html(r, ds: Dataset, language: str) -> str:
    """The plan file's readings of the target (range, tolerance, proxy, conflict, duplicate)."""
    flags = getattr(r, "flags", None)
    if not isinstance(flags, str) or not flags:
        return ""
    if language == "zh":
        flags = re.sub(r"tolerance: within (\S+) of ([^;\s]+)", lambda m: _tolerance_zh(r, m), flags)
        flags = re.sub(r"range: met at ([^,;\s]+), above ([^;\s]+) exceeded", lambda m: _range_zh(r, m), flags)
    return f"<br><small>{WORDS[language]['reading']}{e(note_text(flags, ds, language))}</small>"


# the target-setting (propose) notes, in Chinese; the engine's other notes go through NOTES_ZH
HELD_ZH = {"held at the last value": ("即最新值", "保持不变"), "at the bound": ("即取值界限", "处于界限"),
           "at a point mass": ("落在集中取值", "恰为此值")}
DRAFT_NOTES_ZH = [
    (r"no data for the base year (\d+) yet: computed from the latest year (\d+) "
     r"\((\d+)-year horizon instead of (\d+)\)",
     lambda m: f"基期{m[1]}年尚无数据：从最新年份{m[2]}年起测算（测算期{m[3]}年，而非{m[4]}年）"),
    (r"no observed value for the base year (\d+)", lambda m: f"基期{m[1]}年无观测值"),
    (r"(\S+) is observed only as period totals or averages, not as a yearly series",
     lambda m: "只有规划期累计数或平均数，不是年度序列"),
    (r"at (\d+)%: (held at the last value|at the bound|at a point mass) ([\d,.]+) \((\d+)% of the paths sit there\): "
     r"met with probability (.+)",
     lambda m: f"{m[1]}%把握值{HELD_ZH[m[2]][0]}{m[3]}（{m[4]}%的抽样路径{HELD_ZH[m[2]][1]}）："
               f"以此为目标，实现概率{m[5].replace(' ', '')}"),
    (r"target '\S+' is a (growth|change) target: values can be proposed for level and ratio targets only",
     lambda m: "增速、增量类目标暂不测算可承诺值"),
]


def draft_note(note, ds: Dataset, language: str = "zh") -> str:
    """A draft target's note (mzforecast.propose) in the page's language."""
    if not note or (isinstance(note, float) and np.isnan(note)) or language != "zh":
        return "" if not isinstance(note, str) else note
    parts = []
    for part in note.split("; "):
        for pattern, zh in DRAFT_NOTES_ZH:
            m = re.fullmatch(pattern, part)
            if m:
                part = zh(m)
                break
        else:
            part = note_text(part, ds, "zh")
        parts.append(part)
    return "；".join(parts)
