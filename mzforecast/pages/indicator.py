"""The indicator (deep-dive) page of one target (notebooks/indicator_report.ipynb): title and quote,
the observations with their sources, the chart, the milestone path, the same target under every
method, and how the numbers are made. Imports leaves, data, models, engine, `html` and `common`.
"""
from __future__ import annotations

import re

import pandas as pd

from .. import fmt, plots
from ..attainment import assess, milestones
from ..data import Dataset
from ..html import e, table
from ..messages.pages import (DASHBOARD, GOAL, HEADINGS, METHOD_COLUMNS, METHOD_HEAD, METHOD_NOTE, MILESTONE_COLUMNS,
                              SOURCE_HEAD, WORDS)
from ..models import METHODS
from ..targets import Target, get_plan
from .charts import target_goal
from .common import kind_word, local_name, method_name, name, target_name


def heading(key: str, language: str = "zh", level: int = 2) -> str:
    return f"<h{level}>{e(HEADINGS[language][key])}</h{level}>"


def method_note(language: str = "zh") -> str:
    return heading("notes", language) + f"<p>{e(METHOD_NOTE[language])}</p>"


def indicator_header(plan_id: str, t: Target, ds: Dataset, as_of=None, language: str = "zh") -> str:
    """The deep-dive page's title (indicator · plan), the target and its verbatim quote."""
    p = get_plan(plan_id, ds)
    plan = local_name(p, language)
    W = WORDS[language]
    back = f'<a href="{e(p.id)}.html">{W["plan_overview"]}</a>' if re.fullmatch(r"[A-Za-z0-9_.-]+", p.id) else ""
    return (f"<h1>{e(target_name(t, ds, language))} · {e(plan)}</h1>"
            + W["header_goal"].format(target=e(DASHBOARD[language]["target"]), goal=target_goal(t, language),
                                      year=t.target_year, kind=e(kind_word(t.binding, language)), back=back)
            + f'<blockquote lang="zh">{e(t.quote)}</blockquote>')


def sources_table(t: Target, ds: Dataset, language: str = "zh") -> str:
    """The observations behind a target, each with its document and verbatim quote."""
    inds = [t.indicator] + ([t.denominator] if t.denominator else [])
    o = ds.observations[(ds.observations.region == t.region) & ds.observations.indicator.isin(inds)]
    rows = [[e(name(ds, r.indicator, language)), r.year, fmt.number(r.value, r.unit, language),
             f'<span lang="zh">{e(ds.sources[r.source].title if r.source in ds.sources else str(r.source))}</span>',
             f'<span lang="zh">{e(str(r.quote))}</span>']
            for r in o.sort_values(["indicator", "year"]).itertuples()]
    return table(SOURCE_HEAD[language], rows)


def methods_table(t: Target, ds: Dataset, as_of=None, language: str = "en") -> pd.DataFrame:
    """The same target under every method, so an analyst sees how much the choice matters."""
    rows = []
    share = ds.indicators[t.indicator].kind == "share"
    W = WORDS[language]
    for m in ("auto",) + tuple(x for x in METHODS if share or x != "logistic"):
        r = assess(t, ds, as_of=as_of, method=m)
        chosen = method_name(r.method, language)
        word = method_name(m, language) if m != "auto" else W["auto_chosen"].format(auto=W["auto"], chosen=chosen)
        rows.append({"method": word, "median": r["median"], "lo80": r.lo80, "hi80": r.hi80,
                     "probability": r.probability if not fmt.missing(r.probability) else r.get("probability_nowcast"),
                     "verdict": plots.verdict_label(r.verdict, language)})
    return pd.DataFrame(rows).set_index("method").rename(columns=METHOD_COLUMNS.get(language, {}))


def methods_html(t: Target, ds: Dataset, as_of=None, language: str = "zh") -> str:
    """methods_table as officials read numbers: in the target's unit, probabilities in %."""
    m = methods_table(t, ds, as_of, language)
    unit = "percent" if t.kind == "growth" else t.unit
    rows = [[e(method)] + [fmt.number(median, unit, language), fmt.number(lo, unit, language),
                           fmt.number(hi, unit, language), fmt.probability(p), e(verdict)]
            for method, (median, lo, hi, p, verdict) in zip(m.index, m.itertuples(index=False))]
    return table(METHOD_HEAD[language], rows)


def milestones_html(t: Target, ds: Dataset, language: str = "zh") -> str:
    """The yearly path to a level target, or a sentence saying why there is none."""
    m = milestones(t, ds)
    if m.empty:
        return f"<p>{e(WORDS[language]['no_milestones'].format(y=t.base_year))}</p>"
    cols = MILESTONE_COLUMNS.get(language, {})

    def gap(v):  # ahead of (+) or behind (−) the linear path; a difference of two shares is in 个百分点
        if pd.isna(v):
            return fmt.number(v, t.unit, language)
        word = (fmt.number(v, "percent", language).removesuffix("%") + GOAL[language]["points"]
                if t.unit == "percent" else fmt.number(v, t.unit, language))
        return word if v <= 0 else "+" + word
    rows = [[int(r.year)] + [fmt.number(v, t.unit, language) for v in (r.linear, r.geometric, r.observed)]
            + [gap(r.gap_linear)] for r in m.itertuples()]
    return table([cols.get(c, c) for c in m.columns], rows)
