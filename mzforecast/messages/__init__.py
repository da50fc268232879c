"""Every word the package shows, in Chinese and English, keyed by code: labels of the engine's codes
(`mzforecast.codes`), headings, column names and note templates with parameters. The engine emits
codes with parameters; presentation asks here for the words. Nothing else holds zh/en text.

`label(kind, code, language)` gives a code's label; `note(code, language, **params)` renders a note;
`goal_text(row, language)` writes a target as planners do. Imports only leaves (fmt).
"""
from __future__ import annotations

import re

from .. import fmt

LANGUAGES = ("zh", "en")

LABELS: dict[str, dict[str, dict[str, str]]] = {
    "verdict": {
        "zh": {"achieved": "已实现", "on_track": "有望实现", "at_risk": "存在风险", "off_track": "难以实现",
               "not_achieved": "未实现", "insufficient_data": "数据不足", "outcome_pending": "待实际数据",
               "no_data": "无数据", "transferred": "已划出民政"},
        "en": {"achieved": "achieved", "on_track": "on track", "at_risk": "at risk", "off_track": "off track",
               "not_achieved": "not achieved", "insufficient_data": "insufficient data",
               "outcome_pending": "awaiting outcome", "no_data": "no data", "transferred": "transferred out"},
    },
    "verdict_long": {
        "zh": {"insufficient_data": "数据不足，无法判断趋势", "outcome_pending": "目标年已过，待实际数据",
               "transferred": "2018年机构改革后已划出民政，仅列示、不评估"},
        "en": {"insufficient_data": "insufficient data to judge a trend",
               "outcome_pending": "the target year has passed; awaiting the outcome",
               "transferred": "moved out of civil affairs in the 2018 reform: listed, not assessed"},
    },
    "status": {
        "zh": {"ahead": "超前序时进度", "on_schedule": "符合序时进度", "behind": "滞后序时进度", "": "—"},
        "en": {"ahead": "ahead of schedule", "on_schedule": "on schedule", "behind": "behind schedule", "": "—"},
    },
    "eurostat": {
        "zh": {"significant": "显著进展", "moderate": "中等进展", "insufficient": "进展不足",
               "moving_away": "背离目标", "target_met": "已达标", "": ""},
        "en": {"significant": "significant progress", "moderate": "moderate progress",
               "insufficient": "insufficient progress", "moving_away": "moving away", "target_met": "target met",
               "": ""},
    },
    "unsd": {
        "zh": {"on_track": "按期实现", "acceleration_needed": "需要加速", "stagnation_or_regression": "停滞或倒退",
               "target_met": "已达标", "": ""},
        "en": {"on_track": "on track", "acceleration_needed": "acceleration needed",
               "stagnation_or_regression": "stagnation or regression", "target_met": "target met", "": ""},
    },
    "binding": {
        "zh": {"binding": "约束性", "expected": "预期性"},
        "en": {"binding": "binding", "expected": "expected"},
    },
    "ambition": {
        "zh": {"safe": "稳妥", "ambitious": "积极", "stretch": "挑战"},
        "en": {"safe": "safe", "ambitious": "ambitious", "stretch": "stretch"},
    },
}

# the columns of a pasted assessment table (plan.localize): field -> header
PASTE_COLUMNS: dict[str, dict[str, str]] = {
    "zh": {"plan": "规划", "indicator": "指标", "binding": "属性", "goal": "目标", "target_year": "目标年",
           "latest_year": "最新数据年份", "latest_value": "最新值", "median": "预测中位数", "lo80": "80%区间下限",
           "hi80": "80%区间上限", "probability": "实现概率（%）", "verdict": "判断", "unit": "单位",
           "target_id": "目标编号"},
    "en": {"plan": "plan", "indicator": "indicator", "binding": "type", "goal": "target", "target_year": "target year",
           "latest_year": "latest year", "latest_value": "latest value", "median": "forecast median",
           "lo80": "80% low", "hi80": "80% high", "probability": "probability (%)", "verdict": "verdict",
           "unit": "unit", "target_id": "target id"},
}

# note templates: code -> {"zh": ..., "en": ...}, str.format parameters
NOTES: dict[str, dict[str, str]] = {}


def label(kind: str, code, language: str = "zh", default: str | None = None) -> str:
    """The word for `code` of `kind` ('verdict', 'status', 'eurostat', 'unsd', 'binding', …)."""
    table = LABELS[kind]["zh" if language == "zh" else "en"]
    if code in table:
        return table[code]
    return default if default is not None else ("" if code is None else str(code))


def labels(kind: str, language: str = "zh") -> dict[str, str]:
    """All labels of one kind in one language (a copy)."""
    return dict(LABELS[kind]["zh" if language == "zh" else "en"])


def note(code: str, language: str = "zh", /, **params) -> str:
    """A note rendered from its code and parameters in `language`."""
    template = NOTES[code]["zh" if language == "zh" else "en"]
    return template.format(**params)


COMPARATOR_SIGN = {">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<"}
GOAL_PREFIX = {("growth", "zh"): "年均增长 ", ("growth", "en"): "yearly growth ",
               ("change", "zh"): "新增 ", ("change", "en"): "add "}


def _get(row, key):
    if hasattr(row, "get"):  # a Series row (Series.flags is pandas' own attribute, so not getattr)
        return row.get(key)
    return getattr(row, key, None)  # a namedtuple row (itertuples) or any object


def tolerance_of(row):
    """A '左右/约' target's tolerance: the row's own field, else its reading in `flags`
    (targets.Target.readings writes it as 'tolerance: within X of V')."""
    tol = _get(row, "tolerance")
    if not fmt.missing(tol):
        return float(tol)
    flags = _get(row, "flags")
    m = re.search(r"tolerance: within ([0-9.eE+-]+) of", flags if isinstance(flags, str) else "")
    return float(m[1]) if m else None


def goal_text(row, language: str = "zh", signs: dict | None = None) -> str:
    """A target as planners write it: ≥ 75.0%, 35–40, 年均增长 ≥ 10.0%, 新增 ≥ 30 (plain text; `signs`
    replaces COMPARATOR_SIGN, e.g. with HTML entities)."""
    signs = COMPARATOR_SIGN if signs is None else signs
    u = "percent" if row.kind == "growth" else row.unit
    high = getattr(row, "target_value_high", None)
    tol = tolerance_of(row)
    if row.comparator == "between":
        goal = fmt.interval(row.target_value, row.target_value_high, u, language, sep="–", exact=True)
    elif row.comparator in (">=", ">") and not fmt.missing(high):  # "达到 a–b": met at a, unit once
        goal = fmt.interval(row.target_value, high, u, language, sep="–", exact=True)
        goal = f"达到 {goal}" if language == "zh" else \
            f"{goal} (met at {fmt.number(row.target_value, u, language, with_unit=False, exact=True)})"
    elif tol is not None:  # "9,000个左右（±450个）": met within the tolerance
        v = fmt.number(row.target_value, u, language, exact=True)
        if u == "percent":
            d = fmt.number(tol, "", language, exact=True) + ("个百分点" if language == "zh" else " pp")
        else:
            d = fmt.number(tol, u, language, exact=True)
        goal = f"{v}左右（±{d}）" if language == "zh" else f"about {v} (±{d})"
    else:
        goal = f"{signs.get(row.comparator, row.comparator)} {fmt.number(row.target_value, u, language, exact=True)}"
    return GOAL_PREFIX.get((row.kind, language), "") + goal
