"""The 目标测算 (target setting) page of a draft plan (notebooks/target_setting.ipynb): its ambition
and what can be promised at 50/80/90%, per indicator. Numbers come from propose.assess_draft,
so a page and `mzforecast draft` agree. Every string from a data file is HTML-escaped. Imports
leaves, data, engine, `plots`, `html` and the other page modules.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import fmt, plots
from ..attainment import target_fan
from ..data import Dataset
from ..draft_floors import short_of_promise
from ..html import e, table as html_table
from ..growth import spread_note
from ..messages import label
from ..messages.closing import DRAFT as PERIOD
from ..messages.goal import comparison, ratio_name
from ..messages.notes import parts_of
from ..messages.pages import CHART, DRAFT, WORDS

WORDS_COLON = {"zh": "：", "en": ": "}
from ..propose import get_draft
from ..targets import Target
from .common import fmt_value, local_name, unit_label
from .notes import draft_note

def _pct(x) -> str:
    return fmt.number(x, "percent")


def _cut(v, comparator: str, unit: str, language: str) -> str:
    if v is None or pd.isna(v):
        return "–"
    return comparison(comparator, v, unit, language)


def header(plan, ds: Dataset, language: str = "zh") -> str:
    """Title, the example warning where the file says so, and what ambition means."""
    p = get_draft(plan, ds)
    W = DRAFT[language]
    out = f"<h1>{e(local_name(p, language))}</h1>"
    out += W["title"].format(b=p.base_year, y=p.target_year)
    if p.example:
        out += W["example"]
    out += "</p>"
    return out + W["explain"] + f"<p>{e(spread_note(language))}</p>"


def table(d: pd.DataFrame, ds: Dataset, language: str = "zh") -> pd.DataFrame:
    """The table an office pastes into its drafting notes, as text cells (one row per target)."""
    W = DRAFT[language]
    rows = []
    for r in d.itertuples():
        name = quantity_name(r._asdict(), ds, language)
        latest = "–" if pd.isna(r.latest_value) else (
            f"{fmt_value(r.latest_value, r.unit, language)}({int(r.latest_year)})")
        # a draft below a policy floor or the previous trend says so (draft_floors)
        word = label("ambition", r.ambition_class, language, default="") or label(
            "draft_class", r.ambition_class, language, default="")
        amb = word if r.ambition_class == "rule" else (  # a rule is kept, not given a probability
            "–" if pd.isna(r.ambition) else W["ambition"].format(p=f"{r.ambition:.0%}", word=word))
        if r.n_obs == 1 and not pd.isna(r.ambition):  # one observation shows no trend: say so beside it
            amb += W["one_point_prior" if getattr(r, "method", "") == "growth" else "one_point"]
        target = _cut(r.target_value, r.comparator, r.unit, language)
        if r.comparator == "between":
            target = f"{fmt_value(r.target_value, r.unit, language)}–…"
        sign = "≤" if r.comparator in ("<=", "<") else "≥"
        cuts = [_promisable(r, q, sign, language) for q in (50, 80, 90)]
        rows.append([name, latest,  # every value carries its unit (fmt_value), so no 单位 column
                     target + (W["binding"] if r.binding else ""),
                     amb, *cuts, _implied(r), _period(r),
                     # the 起草说明 (draft_floors.note_zh) in Chinese: growth of the last plan period, floors
                     _drafting_note(r, ds) if language == "zh" and isinstance(getattr(r, "note_zh", None), str)
                     else draft_note(r.note, ds, language)])
    return pd.DataFrame(rows, columns=W["head"])


def _promisable(r, q: int, sign: str, language: str) -> str:
    """The value promisable at q %. A value lifted to a policy floor whose own probability is below
    q % (draft_floors.short_of_promise) is no promise at q %: the cell says 「—（底线1.50倍仅79%）」."""
    v = getattr(r, f"proposed_{q}", np.nan)
    if short_of_promise(r, f"proposed_{q}"):
        return short_text(v, r.unit, getattr(r, "floor_probability", np.nan), language)
    return _cut(v, sign, r.unit, language)


def short_text(v, unit: str, p, language: str = "zh") -> str:
    """「—（底线1.50倍仅79%）」: the floor and its own probability, in place of a promise it is not."""
    return DRAFT[language]["short_of"].format(v=fmt_value(v, unit, language), p=fmt.probability(p))


def _drafting_note(r, ds: Dataset) -> str:
    """The 起草说明, after the sentence saying the base year has no data yet where that is so."""
    base = [n for n in parts_of(r.note) if getattr(n, "code", None) == "base_year_later"]
    return (draft_note(base[0], ds, "zh") + "。" if base else "") + r.note_zh


def _implied(r) -> str:
    """Yearly growth the draft implies, in the terms of the column beside it (_period): 个百分点/年
    for a share, where a % growth of a % would not compare; none for a rule, which is set, not grown to."""
    if getattr(r, "ambition_class", None) == "rule":
        return fmt.DASH
    if getattr(r, "period_growth_unit", None) == "points" or (r.unit == "percent" and r.kind in ("level", "ratio")):
        years = getattr(r, "horizon", np.nan)
        if pd.isna(years) or not years or pd.isna(r.latest_value) or pd.isna(r.target_value):
            return fmt.DASH
        return PERIOD["period_points"].format(g=(float(r.target_value) - float(r.latest_value)) / float(years))
    return _pct(r.target_cagr)


def _period(r) -> str:
    """Growth over the last plan period (draft_floors.period_trend): % a year, 百分点/年 for shares."""
    g = getattr(r, "period_growth", None)
    if g is None or pd.isna(g):
        return _pct(r.historical_cagr)
    span = PERIOD["span"].format(p=r.period) if isinstance(getattr(r, "period", None), str) else ""
    return PERIOD["period_points" if r.period_growth_unit == "points" else "period_pct"].format(g=g) + span


def table_html(d: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    """The table with each row's 起草说明 on a full-width line below it (a column of 10-line
    paragraphs squeezes every number column at 1280 px)."""
    t = table(d, ds, language)
    head, notes = list(t.columns[:-1]), t.iloc[:, -1]
    rows = [[e(str(c)) for c in row] for row in t.iloc[:, :-1].itertuples(index=False)]
    return html_table(head, rows, "risk draft",
                      notes=[f"<b>{e(t.columns[-1])}</b>{WORDS_COLON[language]}{e(str(n))}" if str(n).strip() else ""
                             for n in notes])


def figure(t: Target, row, ds: Dataset, as_of=None, method: str = "auto", language: str = "zh"):
    """Fan chart of what the target is judged on, to its year, with the draft target and the
    values promisable at 50/80/90% marked at the target year. None when there is nothing to chart."""
    hist, bands = target_fan(t, ds, as_of=as_of, method=method)
    if bands is None:
        return None
    meta = ds.indicators[t.indicator]
    title = f"{ds.regions[t.region].name_zh} {meta.name(language)}"
    if t.kind == "ratio":
        title = ratio_name(title, ds.indicators[t.denominator].name(language), bool(t.denominator_lag), language)
    fig = plots.fan_chart(hist, bands, target=t, title=title, unit=unit_label(t.unit, language), language=language)
    with plots.chart_style():  # text added here (legend, labels) takes the CJK font too
        ax = fig.axes[0]
        if not len(hist):  # nothing observed in the target's own terms: the bands alone
            ax.fill_between(bands.index, bands.lo80, bands.hi80, color="#4292c6", alpha=0.45, lw=0,
                            label=CHART[language]["band80"])
            ax.plot(bands.index, bands["median"], color="#08519c", lw=1.8, ls="--", label=CHART[language]["median"])
        for ln in ax.get_lines():  # the target line is the draft's
            if ln.get_label().startswith(CHART[language]["target"] + " "):
                ln.set_label(DRAFT[language]["draft"] + ln.get_label())
        T = t.target_year
        get = row.get if hasattr(row, "get") else lambda k, d=None: getattr(row, k, d)
        short = None
        for q, colour in ((50, "#08519c"), (80, "#31a354"), (90, "#006d2c")):
            v = get(f"proposed_{q}")
            if v is None or pd.isna(v) or get("ambition_class") == "rule":  # a rule is kept, not promised at q %
                continue
            if short_of_promise(row, f"proposed_{q}"):  # the floor, not a value met at q %: marked once, as such
                short = v
                continue
            word = DRAFT[language]["at"].format(q=q, v=fmt_value(v, t.unit, language), g=f"{v:,.4g}")
            ax.plot([T], [v], marker="_", ms=22, mew=2.5, color=colour, label=word, ls="none")
        if short is not None:
            ax.plot([T], [short], marker="_", ms=22, mew=2.5, color="#969696", ls="none",
                    label=short_text(short, t.unit, get("floor_probability", np.nan), language))
        ax.legend(fontsize=8, loc="best", frameon=False)
    return fig


def quantity_name(r, ds: Dataset, language: str = "zh") -> str:
    """What a draft target is judged on: the indicator, or for a ratio 'A与(上年度)B之比' (messages.goal.ratio_name)."""
    name = ds.indicators[r["indicator"]].name(language)
    proxy = r.get("proxy")
    if isinstance(proxy, str) and proxy in ds.indicators:  # a lower bound, named as the evaluation pages name it
        name += DRAFT[language]["proxy"].format(name=ds.indicators[proxy].name(language))
    if r.get("kind") == "ratio" and r.get("denominator"):
        name = ratio_name(name, ds.indicators[r["denominator"]].name(language), bool(r.get("denominator_lag")), language)
    return name


def chart_heading(i: int, r, ds: Dataset, language: str = "zh") -> str:
    """The heading above a target's chart (id t1, t2…): a ratio is named as a ratio, so the rural
    低保 level and rural ÷ urban 低保 are told apart."""
    return f"<h3 id='t{i}'>{e(quantity_name(r, ds, language))}</h3>"


def charted(d: pd.DataFrame) -> pd.DataFrame:
    """The draft's targets that have proposed values (the rest are listed as without data)."""
    return d[d.filter(like="proposed_").notna().any(axis=1)]


def without_data(d: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    nd = d[d.filter(like="proposed_").isna().all(axis=1)]
    if nd.empty:
        return ""
    items = "".join(f"<li>{e(ds.indicators[r.indicator].name(language))} <small>("
                    + DRAFT[language]["item"].format(id=e(r.target_id))  # ids are English: not on a zh page
                    + f"{e(draft_note(r.note, ds, language))})</small></li>" for r in nd.itertuples())
    W = DRAFT[language]
    return f"<h2>{W['nodata']}（{len(nd)}）</h2><p>{W['hint']}</p><ul>{items}</ul>"


def section_heading(key: str, language: str = "zh") -> str:
    """A section heading in the page's language (the notebook holds no prose of its own)."""
    return f"<h2>{DRAFT[language][key]}</h2>"


def method_note(language: str = "zh") -> str:
    """How the values are computed, in the page's language."""
    W = DRAFT[language]
    return f"<h2>{W['notes']}</h2><p>{W['method_note']}</p>"
