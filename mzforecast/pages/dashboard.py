"""The plan dashboard (notebooks/plan_dashboard.ipynb): header with counts by status, the table of
every target most urgent first, the targets with nothing to assess, and one section per target
with its chart and a sentence an official can read aloud. Anchors are generated (t1, t2, …),
never taken from data. Imports leaves, data, engine, `plots`, `html` and the other page modules.
"""
from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from .. import fmt, plots
from ..codes import LISTED_ONLY, VERDICT_ORDER
from ..data import Dataset
from ..html import anchors, e, table, verdict_badge
from ..messages import label
from ..messages.pages import CLASS_WORDS, DASHBOARD, PHRASES, WORDS
from ..targets import Target, get_plan
from ..terms import cagr
from .charts import chart_html, target_figure
from .common import (actual_text, binding, expected_year, exceeded, goal_text, interval, kind_word, late_met, latest_meets,
                     level_unit, local_name, method_name, name, one_point, plan_targets, probability_cell, row_name, target_name,
                     text, unit_of)
from .notes import readings_html, no_data_reason, render_notes

ORDER = list(VERDICT_ORDER)  # most urgent first; the grey statuses (no forecast judgement) last


def verdict_counts(res: pd.DataFrame) -> dict[str, int]:
    c = res.verdict.value_counts()
    return {v: int(c.get(v, 0)) for v in ORDER}


def counts_html(res: pd.DataFrame, language: str = "zh") -> str:
    """Targets by status, split by 约束性 / 预期性, statuses with no target left out."""
    T = DASHBOARD[language]
    shown = [v for v, n in verdict_counts(res).items() if n]
    b = binding(res)
    rows = []
    for word, part in ((T["binding"], res[b]), (T["expected"], res[~b]), (T["total"], res)):
        c = verdict_counts(part)
        rows.append([f"<b>{e(word)}</b>"] + [str(c[v]) if c[v] else "" for v in shown] + [str(len(part))])
    th = "".join(f"<th>{verdict_badge(v, language)}</th>" for v in shown)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f'<table class="counts"><thead><tr><th>{e(T["counts"])}</th>{th}<th>{e(T["total"])}</th></tr></thead>'
            f"<tbody>{body}</tbody></table>")


def data_year(res: pd.DataFrame, as_of=None):
    """The last year the data behind an assessment run to."""
    y = pd.to_numeric(res.latest_year, errors="coerce").dropna() if "latest_year" in res else pd.Series([], dtype=float)
    if as_of:
        y = y[y <= int(as_of)]
        return int(as_of) if y.empty else int(y.max())
    return None if y.empty else int(y.max())


def plan_header(plan_id: str, ds: Dataset, res: pd.DataFrame, as_of=None, language: str = "zh",
                related: dict | None = None) -> str:
    T = DASHBOARD[language]
    p = get_plan(plan_id, ds)
    title = local_name(p, language)
    rname = local_name(ds.regions[p.region], language)
    src = ds.sources.get(p.source)
    y = data_year(res, as_of)
    when = (T["as_of"] if as_of else T["data_to"]).format(y=y) if y else T["all_data"]
    links = ""
    pages = ([(T["evaluation"], h) for h in (related or {}).get("evaluation", [])]
             + [(T["backtest"].format(y=a), h) for a, h in (related or {}).get("backtest", [])])
    if pages:  # the plan's 实施情况评估 and backtests, one click from its dashboard
        links = f"<p>{e(T['related'])}{WORDS[language]['colon']}" + " · ".join(
            f'<a href="{e(h)}">{e(word)}</a>' for word, h in pages) + "</p>"
    return (f"<h1>{e(title)}</h1><p>{e(rname)} · {p.base_year}–{p.target_year} · "
            f"<b>{e(when)}</b> · {len(p.targets)} {T['targets']}</p>"
            + (f'<p><small lang="zh">{e(src.title)}（{e(src.issuer)}，{e(src.date)}）</small></p>' if src else "")
            + links + counts_html(res, language))


def risk_table(res: pd.DataFrame, ds: Dataset, language: str = "zh", links: dict | None = None) -> str:
    """Every assessed target, 约束性 (binding) targets first, each group most urgent first, with its
    status; no-data targets are left to
    `no_data_list`. Rows link to their section (`#t3`) and to a deep-dive page if one exists."""
    T = DASHBOARD[language]
    links = links or {}
    ids = anchors(res)
    df = res[~res.verdict.isin(LISTED_ONLY)].copy()
    df["_o"] = df.verdict.map({v: i for i, v in enumerate(ORDER)}).fillna(len(ORDER))
    df["_b"] = ~binding(df)
    df = df.sort_values(["_b", "_o", "probability"], na_position="last")
    rows = []
    added = WORDS[language]["added"]
    targets = plan_targets(df, ds)
    for r in df.itertuples():
        n = e(row_name(r, ds, language, targets))
        latest = fmt.number(r.latest_value, level_unit(r, ds), language) + (
            "" if pd.isna(r.latest_year) else f" <small>({int(r.latest_year)})</small>")
        detail = f'<a href="#{ids[r.target_id]}">{e(T["section"])}</a>'
        if r.target_id in links:
            detail += f' · <a href="{e(links[r.target_id])}">{e(T["deep"])}</a>'
        rows.append([
            f'<a href="#{ids[r.target_id]}">{n}</a>', goal_text(r, language), int(r.target_year),
            kind_word(getattr(r, "binding", False) is True, language), latest,
            (added if r.kind == "change" and pd.notna(r.median) else "") + fmt.number(r.median, unit_of(r), language),
            interval(r, ds, language),
            probability_cell(r, language),
            verdict_badge(r.verdict, language) + exceeded(r, language) + one_point(r, language) + late_met(r, language),
            detail])
    head = [T[k] for k in ("indicator", "target", "year", "type", "latest", "forecast", "interval", "probability",
                           "verdict", "detail")]
    return table(head, rows, "risk")


def overview(res: pd.DataFrame, ds: Dataset, language: str = "zh", links: dict | None = None) -> str:
    """The overview heading and `risk_table`, or a sentence when no target can be assessed (a
    header-only table would look broken)."""
    T = DASHBOARD[language]
    if charted(res, ds).empty:
        return f"<h2>{T['overview']}</h2><p>{e(T['none_assessed'])}</p>"
    return f"<h2>{T['overview']}</h2>" + risk_table(res, ds, language, links)


def no_data_list(res: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    """Targets with nothing to assess, once, compactly: name (reason) · name (reason)."""
    nd = res[res.verdict.isin(LISTED_ONLY)]
    if nd.empty:
        return ""
    lp, rp = WORDS[language]["lp"], WORDS[language]["rp"]
    targets = plan_targets(nd, ds)  # a ratio target by its ratio's name, not the numerator's
    items = "".join(f"<li>{e(row_name(r, ds, language, targets))}{lp}{goal_text(r, language)}{rp}"
                    f" <small>{e(no_data_reason(r, ds, language))}</small></li>" for r in nd.itertuples())
    return f'<h2>{e(DASHBOARD[language]["nodata"])}{lp}{len(nd)}{rp}</h2><ul class="compact">{items}</ul>'


def _class_word(kind: str, code: str, language: str) -> str:
    words = CLASS_WORDS.get(language)
    return words(kind, code) if words else label(kind, code, language)


def in_points(r) -> bool:
    """A level or ratio target in percent: its required and historical pace are 个百分点 a year."""
    return r.kind in ("level", "ratio") and unit_of(r) == "percent"


def growth_gap(r, language: str = "zh") -> str:
    """When the historical growth and the median forecast fall on opposite sides of the required
    growth, say so and why: 'history 18% > required 7.7%' beside a median below the target reads as
    a contradiction otherwise."""
    if r.kind != "level" or fmt.missing(r.historical_cagr) or fmt.missing(r.median) or fmt.missing(r.latest_value) \
            or fmt.missing(r.latest_year) or int(r.target_year) <= int(r.latest_year) or r.median <= 0:
        return ""
    implied = cagr(float(r.latest_value), float(r.median), int(r.target_year) - int(r.latest_year))
    req, up = float(r.required_cagr), r.comparator in (">=", ">")
    good = (lambda x: x >= req) if up else (lambda x: x <= req)
    if good(r.historical_cagr) == good(implied):
        return ""
    P = PHRASES[language]
    med, side = fmt.number(implied, "percent", language), P["lower"] if implied < req else P["higher"]
    if good(r.historical_cagr):
        why = P["why_two"] if getattr(r, "n_obs", 0) == 2 else P["why_many"]
        return P["gap_worse"].format(med=med, side=side, why=why)
    return P["gap_better"].format(med=med, side=side)


def plain_words(r: pd.Series, ds: Dataset, language: str = "zh") -> str:
    """The probability and verdict in a sentence an official can read aloud."""
    r = SimpleNamespace(**dict(r))  # attribute access without clashing with Series methods (median…)
    P, W = PHRASES[language], WORDS[language]
    n = e(name(ds, r.indicator, language))
    if getattr(r, "kind", None) == "ratio" and isinstance(getattr(r, "plan", None), str):  # 1.5倍 of what
        n = e(row_name(r, ds, language, plan_targets(pd.DataFrame([{"plan": r.plan}]), ds)))
    goal = goal_text(r, language)
    badge = verdict_badge(r.verdict, language)
    if r.verdict == "no_data":
        return P["no_data"].format(name=n)[:-4] + readings_html(r, ds, language) + "</p>"
    if r.verdict == "transferred":
        return P["transferred"].format(name=n)
    if r.method == "observed":
        if getattr(r, "exceeded", False) is True:
            badge += W["exceeded_long"]
        txt = P["observed"].format(name=n, year=int(r.target_year), goal=goal, badge=badge,
                                   value=actual_text(r, ds, language, r.latest_value, html_break=False))
    elif fmt.missing(r.median):
        txt = P["grey"].format(name=n, goal=goal, badge=badge)
    else:
        med = W["added"] * (r.kind == "change") + fmt.number(r.median, unit_of(r), language)
        key = {"outcome_pending": "pending", "insufficient_data": "base_rate"}.get(r.verdict, "forecast")
        key = "base_rate_held" if key == "base_rate" and r.method == "held" else key
        asof = W["asof"].format(y=int(r.as_of)) if not fmt.missing(r.as_of) and r.as_of else W["asof_all"]
        p = r.probability if key != "pending" else getattr(r, "probability_nowcast", None)
        txt = P[key].format(name=n, year=int(r.target_year), median=med, goal=goal, asof=asof,
                            interval=interval(r, ds, language), p=fmt.probability(p), badge=badge)
        if text(r.method):
            txt += P["method"].format(m=e(method_name(r.method, language)))
    if not fmt.missing(r.required_cagr) and latest_meets(r):
        txt += P["met_already"]
    elif not fmt.missing(r.required_cagr) and in_points(r):  # a share moves in 个百分点, not in % of itself
        hist = getattr(r, "historical_increment", None)
        growth = P["growth_points"] if not fmt.missing(hist) else P["required_points"]
        txt += growth.format(req=fmt.number(r.required_increment, "percent", language, with_unit=False),
                             hist=fmt.number(hist, "percent", language, with_unit=False))
    elif not fmt.missing(r.required_cagr):
        growth = P["growth"] if not fmt.missing(r.historical_cagr) else P["required"]
        txt += growth.format(req=fmt.number(r.required_cagr, "percent", language),
                             hist=fmt.number(r.historical_cagr, "percent", language))
        txt += growth_gap(r, language)
    classes = []  # one list, one closing stop: no dangling '；' when only one class is known
    for kind in ("eurostat", "unsd"):
        code = text(getattr(r, f"{kind}_class"))
        if code:
            classes.append(P[kind].format(cls=_class_word(kind, code, language)).strip(" ；;。."))
    if classes:
        lead = P["classes"] if r.method != "observed" else P["classes_observed"]  # observed: no probability
        txt += lead + W["sep"].join(classes) + W["stop"]
    year = expected_year(r)
    if year is not None and not latest_meets(r):  # already met: "保持即可实现" said it, no future year
        txt += P["reach"].format(year=year)
    txt += readings_html(r, ds, language)
    note = render_notes(r, ds, language)
    if note:
        txt += f"<br><small>{e(note)}</small>"
    return txt + "</p>"


def section_html(i_or_id, t: Target, r, ds: Dataset, as_of=None, method="auto", language="zh",
                 deep: str | None = None) -> str:
    """One target's section on the dashboard: heading with a generated id, chart or card, words."""
    T = DASHBOARD[language]
    sid = i_or_id if isinstance(i_or_id, str) else f"t{i_or_id}"
    more = f' <small><a href="{e(deep)}">{e(T["deep"])}</a></small>' if deep else ""
    return (f'<h3 id="{e(sid)}">{e(target_name(t, ds, language))}{more}</h3>'
            + chart_html(t, ds, r, as_of, method, language) + plain_words(r, ds, language)
            + f'<p><small><a href="#top">{e(T["top"])}</a></small></p>')


def charted(res: pd.DataFrame, ds: Dataset) -> pd.DataFrame:
    """Targets that get a section on the dashboard: every one with a status to show."""
    return res[~res.verdict.isin(LISTED_ONLY)]


def dashboard_sections(plan_id: str, res: pd.DataFrame, ds: Dataset, as_of=None, method="auto", language="zh",
                       related: dict | None = None) -> str:
    """Every target with a status, in plan order, each under its generated anchor."""
    targets = {t.id: t for t in get_plan(plan_id, ds).targets}
    ids = anchors(res)
    deep = (related or {}).get("deep", {})
    if charted(res, ds).empty:  # nothing to detail: no empty heading (the overview says why)
        return ""
    parts = [f"<h2>{e(DASHBOARD[language]['sections'])}</h2>"]
    for _, r in charted(res, ds).iterrows():
        parts.append(section_html(ids[r.target_id], targets[r.target_id], r, ds, as_of, method, language,
                                  deep.get(r.target_id)))
    return "".join(parts)


def small_multiples(plan_id: str, res: pd.DataFrame, ds: Dataset, as_of=None, method="auto", language="zh"):
    """One small chart per target with a series, coloured by status (for an overview)."""
    p = {t.id: t for t in get_plan(plan_id, ds).targets}
    rows = [r for r in charted(res, ds).itertuples() if len(ds.series(p[r.target_id].region, r.indicator, as_of)) >= 2]
    if not rows:
        return None
    n, cols = len(rows), 3
    fig = plots.new_figure(figsize=(12, 3.2 * ((n + cols - 1) // cols)))
    axes = fig.subplots((n + cols - 1) // cols, cols, squeeze=False)
    for ax, r in zip(axes.flat, rows):
        if target_figure(p[r.target_id], ds, as_of, method, language, ax=ax) is None:
            ax.set_visible(False)
            continue
        ax.legend().set_visible(False)
        with plots.chart_style():
            ax.set_title(ax.get_title() + f"\n{plots.verdict_label(r.verdict, language)}", fontsize=9,
                         color=plots.COLORS.get(r.verdict, "black"), parse_math=False)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    with plots.chart_style():
        fig.tight_layout()
    return fig
