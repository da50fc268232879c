"""A target as planners write it (≥ 75.0%, 35–40, 年均增长 ≥ 10.0%, 新增 ≥ 30, 9,000个左右（±450个）):
the one goal formatter the pages, the evaluation form, the pasted frame and the target-setting
table use; `target_name` says what a target measures (a ratio names both sides). Numbers go through `fmt`; the words are in `messages.pages.GOAL`. Imports only leaves.
"""
from __future__ import annotations

import pandas as pd

from .. import fmt
from ..safe import html_text
from .notes import parts_of
from .pages import GOAL, WORDS

# comparator -> sign; HTML_SIGNS for a page (> and < as entities). An exact target ("7%") is
# written as planners write it, without a sign: a goal never starts with '=' (a formula in a sheet).
COMPARATOR_SIGN = {">=": "≥", "<=": "≤", "==": "", ">": ">", "<": "<"}
HTML_SIGNS = {**COMPARATOR_SIGN, ">": "&gt;", "<": "&lt;"}


def comparison(comparator: str, value, unit: str, language: str = "zh") -> str:
    """'≥ 75.0%': a sign and a value in its unit, as rounded as the pages round it (a table cell)."""
    return f"{COMPARATOR_SIGN.get(comparator, '')} {fmt.number(value, unit, language)}".strip()


def _field(row, key):
    # a pandas Series row: .flags is pandas' own attribute, so read fields by key
    return row.get(key) if isinstance(row, pd.Series) else getattr(row, key, None)


def tolerance_of(row):
    """A '左右/约' target's tolerance: the row's own field, else its reading in `flags`."""
    tol = _field(row, "tolerance")
    if not fmt.missing(tol):
        return float(tol)
    reading = next((p for p in parts_of(_field(row, "flags")) if getattr(p, "code", None) == "tolerance"), None)
    return float(reading.params["tolerance"]) if reading is not None else None


def goal_text(row, language: str = "zh", signs: dict | None = None) -> str:
    """A target row (kind, comparator, target_value, target_value_high, unit) as planners write it,
    as plain text; `signs=HTML_SIGNS` for a page."""
    signs = COMPARATOR_SIGN if signs is None else signs
    W = GOAL[language]
    u = "percent" if row.kind == "growth" else row.unit
    high = getattr(row, "target_value_high", None)
    tol = tolerance_of(row)
    if row.comparator == "between":
        goal = fmt.interval(row.target_value, row.target_value_high, u, language, sep="–", exact=True)
    elif row.comparator in (">=", ">") and not fmt.missing(high):  # "达到 a–b": met at a, unit once
        goal = fmt.interval(row.target_value, high, u, language, sep="–", exact=True)
        goal = W["reach"].format(goal=goal, a=fmt.number(row.target_value, u, language, with_unit=False, exact=True))
    elif tol is not None:  # "9,000个左右（±450个）": met within the tolerance
        v = fmt.number(row.target_value, u, language, exact=True)
        if u == "percent":
            d = fmt.number(tol, "", language, exact=True) + W["points"]
        else:
            d = fmt.number(tol, u, language, exact=True)
        goal = W["about"].format(v=v, d=d)
    else:
        c = signs.get(row.comparator, html_text(row.comparator) if signs is HTML_SIGNS else row.comparator)
        goal = f"{c} {fmt.number(row.target_value, u, language, exact=True)}".strip()
    return W["prefix"].get(row.kind, "") + goal


def target_name(t, ds, language: str = "zh") -> str:
    """What the target measures: the indicator, or for a ratio target '…与上年度城市低保标准之比',
    so '≥ 1.5倍' beside it says 1.5 times what. `ds` is the Dataset whose catalogue names them."""
    n = ds.indicators[t.indicator].name(language) if t.indicator in ds.indicators else t.indicator
    if t.kind == "ratio" and t.denominator in ds.indicators:
        return ratio_name(n, ds.indicators[t.denominator].name(language), bool(t.denominator_lag), language)
    return n


def ratio_name(name: str, denominator: str, lag: bool, language: str = "zh") -> str:
    """A ratio as every page names it: '农村低保标准与上年度城市低保标准之比'."""
    W = WORDS[language]
    return W["ratio_name"].format(name=name, lag=W["lag"] if lag else "", den=denominator)
