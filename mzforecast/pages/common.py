"""What every page says about one assessed target, the same way: its name, unit, interval,
probability cell and outcome, in the page's language. Numbers go through `fmt`, words come from
`mzforecast.messages`. Imports leaves, data, engine and `html`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import fmt
from ..attainment import cagr, reference_year
from ..data import Dataset
from ..html import e
from ..codes import BINDING, EXPECTED
from ..messages import label, local_name as messages_local_name
from ..messages.goal import HTML_SIGNS, goal_text as plain_goal, target_name  # noqa: F401  (pages import it here)
from ..messages.pages import DASHBOARD, METHOD_NAMES, WORDS
from ..targets import get_plan

LIVE_VERDICTS = ("on_track", "at_risk", "off_track")  # a forecast judgement, not an observed outcome


def records(df: pd.DataFrame) -> list[dict]:
    """df.to_dict("records"), the same values and types, column by column: to_dict boxes every cell
    on its own, which takes seconds on a summary of 100,000 rows. As to_dict does, cells of object
    and extension columns come back as Python scalars and a missing value (pd.NA) as None."""
    cols = list(df.columns)
    lists = []
    for i in range(len(cols)):
        s = df.iloc[:, i]
        vals = s.tolist()
        if s.dtype == object or isinstance(s.dtype, pd.api.extensions.ExtensionDtype):
            vals = [v if v.__class__ in _NATIVE else _native(v) for v in vals]
        lists.append(vals)
    return [dict(zip(cols, row)) for row in zip(*lists)]


_NATIVE = {str, float, int, bool, type(None)}


def _native(v):
    if v is pd.NA:
        return None
    if isinstance(v, (np.datetime64, np.timedelta64)):
        return pd.Timestamp(v) if isinstance(v, np.datetime64) else pd.Timedelta(v)
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    return v


def local_name(obj, language: str = "zh") -> str:
    """A plan's or region's name on a page: Chinese, or English where the file gives one."""
    return messages_local_name(obj, language)


def goal_text(row, language: str = "zh") -> str:
    """The target as a page writes it (HTML: ≥ 75.0%, &gt; 30): the one goal formatter."""
    return plain_goal(row, language, HTML_SIGNS)


def method_name(m, language: str = "zh") -> str:
    if not isinstance(m, str) or not m:
        return ""
    return METHOD_NAMES.get(language, {}).get(m, m)


def fmt_value(v, unit: str = "", language: str = "zh") -> str:
    """A value in its unit, as fmt.number writes it."""
    return fmt.number(v, unit, language)


def unit_label(unit: str, language: str = "zh") -> str:
    return fmt.unit_text(unit, language)


def text(x) -> str:
    """A text field that may come back as None or NaN (JSON, pandas): '' then."""
    return x if isinstance(x, str) else ""


def unit_of(row) -> str:
    """The unit a target's values (goal, forecast, interval) are in: growth targets are rates."""
    return "percent" if row.kind == "growth" else row.unit


def level_unit(row, ds: Dataset) -> str:
    """The unit of the indicator's own values (a growth or ratio target's latest level)."""
    if row.kind in ("growth", "change") and row.indicator in ds.indicators:
        return ds.indicators[row.indicator].unit
    return row.unit


def binding(df: pd.DataFrame) -> pd.Series:
    b = df["binding"] if "binding" in df else pd.Series(False, index=df.index)
    return b.fillna(False).astype(bool)


def kind_word(is_binding, language: str = "zh") -> str:
    """约束性 / 预期性 of a target."""
    return label("binding", BINDING if is_binding else EXPECTED, language)


def floor(r, ds: Dataset):
    """An addition is not shown below 0 unless the indicator's data have ever fallen."""
    if getattr(r, "kind", None) != "change":
        return None
    region = getattr(r, "region", None)
    if not isinstance(region, str):
        try:
            region = next(t.region for t in get_plan(r.plan, ds).targets if t.id == r.target_id)
        except Exception:
            return None
    as_of = getattr(r, "as_of", None)
    s = ds.series(region, r.indicator, None if fmt.missing(as_of) else int(as_of))
    return 0.0 if len(s) < 2 or bool((s.diff().dropna() >= 0).all()) else None


def interval(r, ds: Dataset, language: str, lo="lo80", hi="hi80") -> str:
    a, b = getattr(r, lo), getattr(r, hi)
    f = floor(r, ds)
    if f is not None and not fmt.missing(a):
        a, b = max(a, f), max(b, f)
    return fmt.interval(a, b, unit_of(r), language)


def name(ds: Dataset, ind: str, language: str) -> str:
    return ds.indicators[ind].name(language) if ind in ds.indicators else ind


def row_name(r, ds: Dataset, language: str, targets: dict) -> str:
    t = targets.get(r.target_id)
    return target_name(t, ds, language) if t is not None else name(ds, r.indicator, language)


def plan_targets(res: pd.DataFrame, ds: Dataset) -> dict:
    """{target_id: Target} of the plan(s) behind an assessment frame; {} when not bundled."""
    out = {}
    for plan in (res["plan"].dropna().unique() if "plan" in res else []):
        try:
            out.update({t.id: t for t in get_plan(plan, ds).targets})
        except Exception:  # a hand-made frame or an unbundled plan: indicator names then
            pass
    return out


def exceeded(r, language: str) -> str:
    """超额: above the top of a 'reach a–b' range (the `exceeded` field, where the engine gives it)."""
    return WORDS[language]["exceeded"] if getattr(r, "exceeded", None) is True else ""


def probability_cell(r, language: str = "zh") -> str:
    """The headline probability; none for an outcome; a nowcast (target year passed) or a base
    rate (one point) is labelled as such."""
    if r.method == "observed":
        return fmt.DASH  # an outcome, not a chance
    W = WORDS[language]
    if not fmt.missing(r.probability):
        return fmt.probability(r.probability) + (f"<br><small>{W['base_rate']}</small>"
                                                 if r.verdict == "insufficient_data" and r.method != "held" else "")
    nowcast = getattr(r, "probability_nowcast", None)
    return fmt.DASH if fmt.missing(nowcast) else f"<small>{W['nowcast']} {fmt.probability(nowcast)}</small>"


def one_point(r, language: str) -> str:
    """A forecast verdict that rests on a single observation says so beside the badge."""
    if r.verdict in LIVE_VERDICTS and r.n_obs == 1:  # a standard's one observation grows at the prior
        return WORDS[language]["one_point_prior" if getattr(r, "method", "") == "growth" else "one_point"]
    return ""


def late_met(r, language: str) -> str:
    """A target missed in its year and met in a later one says so beside its badge, as the
    evaluation form does (逾期完成)."""
    if getattr(r, "closing_status", "") == "late" and not fmt.missing(getattr(r, "late_year", None)):
        return WORDS[language]["late_met"].format(y=int(r.late_year))
    return ""


def latest_meets(r) -> bool:
    """Does the latest value (in the target's terms) already meet a level or ratio target? Then
    a 'required growth' (often negative) says less than that plain fact."""
    if getattr(r, "kind", None) not in ("level", "ratio") or fmt.missing(getattr(r, "latest_value", None)):
        return False
    v, goal, c = float(r.latest_value), r.target_value, r.comparator
    if fmt.missing(goal):
        return False
    return {">=": v >= goal, ">": v > goal, "<=": v <= goal, "<": v < goal}.get(c, False)


def expected_year(r):
    """The expected year of attainment, only where it means something: a live forecast verdict
    (one observation has no trend; a pending outcome's year is past) and a year after the
    latest data year, not before the year the run stands in. None otherwise."""
    get = r.get if isinstance(r, (dict, pd.Series)) else (lambda k: getattr(r, k, None))
    y, latest = get("expected_year"), get("latest_year")
    if fmt.missing(y) or get("verdict") not in LIVE_VERDICTS:
        return None
    if not fmt.missing(latest) and int(y) <= int(latest):
        return None
    as_of = get("as_of")
    if int(y) < reference_year(None if fmt.missing(as_of) or not as_of else int(as_of)):
        return None  # a year already past with no data for it: 'expected in 2022' would read as a forecast of the past
    return int(y)


def actual_text(r, ds: Dataset, language: str, value=None, html_break: bool = True) -> str:
    """The outcome: the level, and for a growth or 新增 target what it came to in the target's terms.

    `value` is a level (an assessment's latest value); without it, `r.actual` is a backtest's
    outcome, which is already in the target's terms (realised growth or change)."""
    if r.kind not in ("growth", "change"):
        return fmt.number(r.actual if value is None else value, level_unit(r, ds), language)
    try:
        t = next(t for t in get_plan(r.plan, ds).targets if t.id == r.target_id)
    except StopIteration:
        t = None
    s = ds.series(t.region, t.indicator) if t is not None else pd.Series(dtype=float)
    if value is None:  # backtest: the outcome x is given; the level is the indicator in the target year
        x = r.actual
        level_value = s.get(t.target_year) if t is not None else None
    else:
        level_value, b = value, (s.get(t.base_year) if t is not None else None)
        if b is None or fmt.missing(b) or fmt.missing(value):
            return fmt.number(value, level_unit(r, ds), language)
        x = cagr(float(b), float(value), t.target_year - t.base_year) if r.kind == "growth" else float(value) - float(b)
    if fmt.missing(x):
        return fmt.number(level_value, level_unit(r, ds), language)
    W = WORDS[language]
    if r.kind == "growth":
        word = W["yearly_growth"].format(x=fmt.number(x, "percent", language))
    else:
        word = W["change"].format(x=fmt.number(x, r.unit, language))
    if level_value is None or fmt.missing(level_value):
        return e(word)
    level = fmt.number(level_value, level_unit(r, ds), language)
    return f"{level}<br><small>{e(word)}</small>" if html_break else W["level_and_word"].format(level=level, word=e(word))
