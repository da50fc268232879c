"""Every word the package shows, in Chinese and English, keyed by code: labels of the engine's codes
(`mzforecast.codes`), headings, column names and note templates with parameters. The engine emits
codes with parameters; presentation asks here for the words. Nothing else holds zh/en text.

`label(kind, code, language)` gives a code's label; `note(code, language, **params)` renders a note
(templates and the engine's `Note` / `Notes` in `messages.notes`); `goal_text(row, language)` writes a
target as planners do; `lang(language)` is the catalogue a language reads. Imports only leaves (fmt).
"""
from __future__ import annotations


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
    "basis": {  # what a probability rests on (columns.basis)
        "zh": {"forecast": "预测", "nowcast": "推算（目标年已过）", "observed": "实际值", "": ""},
        "en": {"forecast": "forecast", "nowcast": "nowcast (target year passed)", "observed": "observed", "": ""},
    },
    "ambition": {
        "zh": {"safe": "稳妥", "ambitious": "积极", "stretch": "挑战"},
        "en": {"safe": "safe", "ambitious": "ambitious", "stretch": "stretch"},
    },
    # a draft held against policy floors and the previous period's trend (draft_floors)
    "draft_class": {
        "zh": {"below_floor": "低于政策底线", "at_floor": "按政策底线", "below_trend": "低于上期趋势",
               "rule": "政策规则"},
        "en": {"below_floor": "below a policy floor", "at_floor": "at the policy floor",
               "below_trend": "below the previous trend", "rule": "the policy rule"},
    },
    # how a target ended (closing.completion), and the words beside 完成进度
    "closing": {
        "zh": {"exceeded": "超额完成", "completed": "已完成", "late": "逾期完成", "basically": "基本完成",
               "not_completed": "未完成", "pending": "待实际数据",
               "no_data": "无数据", "met_mark": "已达标", "fell_back": "基期已达标，现值回落至目标以下"},
        "en": {"exceeded": "exceeded", "completed": "completed", "late": "met late", "basically": "basically completed",
               "not_completed": "not completed", "pending": "awaiting outcome", "no_data": "no data", "met_mark": "met",
               "fell_back": "met in the base year, fell back below the target"},
    },
}

# the columns of a pasted assessment table (plan.localize): field -> header
PASTE_COLUMNS: dict[str, dict[str, str]] = {
    "zh": {"plan": "规划", "indicator": "指标", "binding": "属性", "goal": "目标", "target_year": "目标年",
           "latest_year": "最新数据年份", "latest_value": "最新值", "median": "预测中位数", "band80": "80%预测区间",
           "probability": "实现概率（%）", "probability_basis": "概率依据", "verdict": "判断", "unit": "单位",
           "target_id": "目标编号"},
    "en": {"plan": "plan", "indicator": "indicator", "binding": "type", "goal": "target", "target_year": "target year",
           "latest_year": "latest year", "latest_value": "latest value", "median": "forecast median",
           "band80": "80% interval", "probability": "probability (%)", "probability_basis": "probability basis",
           "verdict": "verdict", "unit": "unit", "target_id": "target id"},
}

# an unknown code as a page shows it: as given on a Chinese page, in words on an English one
UNKNOWN = {"zh": str, "en": lambda code: str(code).replace("_", " ")}


def lang(language: str) -> str:
    """The catalogue a language reads from: 'zh', else 'en'."""
    return language if language in LANGUAGES else "en"


def local_name(obj, language: str = "zh") -> str:
    """A plan's or region's name in `language`: Chinese, or English where the file gives one."""
    return {"zh": obj.name_zh, "en": obj.name_en or obj.name_zh}[lang(language)]


def verdict_label(code, language: str = "zh") -> str:
    """A verdict's word; an unknown code as UNKNOWN shows it."""
    return label("verdict", code, language, default=UNKNOWN[lang(language)](code))


def label(kind: str, code, language: str = "zh", default: str | None = None) -> str:
    """The word for `code` of `kind` ('verdict', 'status', 'eurostat', 'unsd', 'binding', …)."""
    table = LABELS[kind][lang(language)]
    if code in table:
        return table[code]
    return default if default is not None else ("" if code is None else str(code))


def labels(kind: str, language: str = "zh") -> dict[str, str]:
    """All labels of one kind in one language (a copy)."""
    return dict(LABELS[kind][lang(language)])


def note(code: str, language: str = "zh", /, **params) -> str:
    """A note rendered from its code and parameters in `language` (templates: messages.notes.NOTES)."""
    return render(code, language, params)


from .goal import goal_text, target_name  # noqa: E402  (goal.py reads its words from messages.pages)
from .notes import NOTES, Note, Notes, render  # noqa: E402,F401
