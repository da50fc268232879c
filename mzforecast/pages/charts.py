"""A target's chart as every page draws it: the quantity it is judged on with its target (level,
ratio, growth path or change since the base year), as an inlined image with alt text, or a
compact card where there is no series to draw. Imports leaves, data, models, engine, `plots`,
`html` and `common`.
"""
from __future__ import annotations

import html as html_lib
from types import SimpleNamespace

import numpy as np
import pandas as pd

from .. import fmt, plots, units as U
from ..attainment import history, milestones, target_fan
from ..data import Dataset
from ..html import e, img, verdict_badge
from ..messages.pages import CHART, DASHBOARD, WORDS
from ..models import forecast
from ..targets import Target
from .common import goal_text, local_name, target_name


def target_goal(t: Target, language: str = "zh", unit: str | None = None) -> str:
    """A Target's goal as a page writes it (HTML)."""
    return goal_text(SimpleNamespace(kind=t.kind, comparator=t.comparator, target_value=t.value,
                                     target_value_high=t.value_high, unit=t.unit if unit is None else unit), language)


def title(t: Target, ds: Dataset, language: str) -> str:
    rname = local_name(ds.regions[t.region], language)
    name = target_name(t, ds, language)
    W = WORDS[language]
    if t.kind == "growth":
        name += W["growth_title"]
    elif t.kind == "change":
        name += W["change_title"].format(y=t.base_year)
    return f"{rname} {name}"


def target_figure(t: Target, ds: Dataset, as_of=None, method: str = "auto", language: str = "zh", ax=None,
                  actual: bool = False):
    """The chart of what a target is judged on, with its target drawn; None if there are fewer
    than two observations (a card says what there is instead).

    level/share: the indicator with the target line and milestone path; ratio: the ratio with
    its target; growth: the level against the path the required yearly rate gives from the base
    year; change (新增): the cumulative change since the base year with its target.
    `actual`: also plot what was observed after `as_of` (backtests).
    """
    meta = ds.indicators[t.indicator]
    s = ds.series(t.region, t.indicator, as_of)
    T = CHART[language]
    W = WORDS[language]
    heading = title(t, ds, language)
    later = None
    if t.kind in ("level", "ratio"):
        hist, bands = target_fan(t, ds, as_of=as_of, method=method)
        if len(hist) < 2:
            return None
        if actual and as_of:
            full = history(t, ds)[1]
            later = full[full.index > as_of]
        ms = milestones(t, ds) if t.kind == "level" else None
        if ms is not None and len(ms) and bool(t.met(float(ms.linear.iloc[0]))):
            ms = ms.assign(linear=np.nan)  # the base already meets it: no 年度分解 (it would read as a planned fall)
        return plots.fan_chart(hist, bands, target=t, milestones=ms,
                               title=heading, unit=t.unit, language=language, ax=ax, actual=later)
    if len(s) < 2:
        return None
    fc = None
    if meta.aggregation == "stock" and t.target_year > s.index.max():
        try:
            fc = forecast(s, until=t.target_year, method=method, kind=meta.kind)
        except Exception:
            fc = None
    bands = fc.summary_frame()[["median", "lo80", "hi80", "lo95", "hi95"]] if fc is not None else None
    full = ds.series(t.region, t.indicator)
    if t.kind == "growth":
        B = t.base_year if t.base_year in s.index else int(s.index.min())
        years = np.arange(B, t.target_year + 1)
        path = pd.Series(float(s.loc[B]) * (1 + t.value / 100) ** (years - B), index=years)
        word = target_goal(t, language, unit="percent")
        if actual and as_of:
            later = full[full.index > as_of]
        return plots.fan_chart(s, bands, path=path, path_label=W["path_label"].format(target=T["target"], word=word),
                               title=heading, unit=meta.unit, language=language, ax=ax, actual=later)
    # change: everything relative to the base year
    if t.base_year not in s.index:
        return None
    b = float(s.loc[t.base_year])
    hist = s[s.index >= t.base_year] - b
    if len(hist) < 2 and bands is None:
        return None
    never_fell = bool((s.diff().dropna() >= 0).all())
    if actual and as_of:
        later = full[full.index > as_of] - b
    lines = [(t.value, f"{T['target']} {W['add_line']}{fmt.number(t.value, meta.unit, language, exact=True)}")]
    if t.comparator == "between" and t.value_high is not None:
        lines.append((t.value_high, None))
    return plots.fan_chart(hist, None if bands is None else bands - b, targets=lines, title=heading, unit=meta.unit,
                           language=language, ax=ax, actual=later, floor=0.0 if never_fell else None)


def alt_text(t: Target, ds: Dataset, language: str = "zh") -> str:
    goal = html_lib.unescape(target_goal(t, language))
    return WORDS[language]["alt"].format(title=title(t, ds, language), goal=goal)


def _den_value(dv, den_unit: str, unit: str, language: str) -> str:
    """The denominator's value, in the numerator's unit where it has another (6,000元/人·年 as
    500元/人·月（6,000元/人·年）), so the ratio beside it can be checked by hand."""
    own = fmt.number(dv, den_unit, language)
    if fmt.missing(dv) or den_unit == unit or not U.convertible(den_unit, unit):
        return own
    return WORDS[language]["in_other_unit"].format(v=fmt.number(U.convert(float(dv), den_unit, unit), unit, language),
                                                   own=own)


def card_html(t: Target, ds: Dataset, r, language: str = "zh", as_of=None, actual: bool = False) -> str:
    """A compact card for a target with 0 or 1 observations: what there is, no empty axis.
    `actual` (a backtest): also the value observed later, by the target year, beside the one then."""
    W = WORDS[language]
    s = ds.series(t.region, t.indicator, as_of)
    goal = target_goal(t, language)
    unit = ds.indicators[t.indicator].unit
    ratio = None if r is None or t.kind != "ratio" else r.get("latest_value")
    if len(s) and not fmt.missing(ratio) and t.denominator in ds.indicators:  # judged on the ratio, not the level
        y = int(s.index.max())
        dy = y - int(t.denominator_lag or 0)
        ds_den = ds.series(t.region, t.denominator, as_of)  # both values, so the ratio can be checked
        dv = ds_den.get(dy)
        if (dv is None or fmt.missing(dv)) and dy != y:  # no previous year: the same-year ratio the note names
            dy, dv = y, ds_den.get(y)
        den = ds.indicators[t.denominator]
        seen = W["seen_ratio" if dv is None or fmt.missing(dv) else "seen_ratio_both"].format(
            y=y, ratio=fmt.number(ratio, t.unit, language), v=fmt.number(s.iloc[-1], unit, language),
            den=den.name(language), dy=dy, dv=_den_value(dv, den.unit, unit, language))
    elif len(s):
        seen = W["seen"].format(y=int(s.index.max()), v=fmt.number(s.iloc[-1], unit, language))
    else:
        seen = W["no_obs"]
    why = W["card_one"] if len(s) == 1 else W["card_none"]
    badge = verdict_badge(r["verdict"], language) if r is not None else ""
    later = ""
    if actual and as_of is not None:
        full = ds.series(t.region, t.indicator)
        full = full[(full.index > int(as_of)) & (full.index <= t.target_year)]
        if len(full):
            later = "<br>" + e(W["later"].format(y=int(full.index.max()), v=fmt.number(full.iloc[-1], unit, language)))
    return (f'<div class="card"><b>{e(title(t, ds, language))}</b><br>{e(seen)} · '
            f'{e(DASHBOARD[language]["target"])} {goal} {badge}{later}<br><small>{e(why)}</small></div>')


def chart_html(t: Target, ds: Dataset, r=None, as_of=None, method: str = "auto", language: str = "zh",
               actual: bool = False) -> str:
    """The target's chart as an <img> with alt text, or a compact card when there is no series."""
    fig = target_figure(t, ds, as_of, method, language, actual=actual)
    if fig is None:
        return card_html(t, ds, r, language, as_of, actual=actual)
    return img(fig, alt_text(t, ds, language))
