"""The regions dashboard (notebooks/regions_dashboard.ipynb): for each target, regions ranked by
probability, counts by status, the regions behind schedule (中期评估; once the target year has
passed, 完成情况 instead of 序时进度), and fan charts. One page per plan, not per region.

With COMPACT (50) regions or more the page stays short: the ranked table lists the worst
COMPACT_ROWS, the dot plot becomes a strip of all regions, and fan charts are drawn only for
the worst ten. Imports leaves, data, `plots`, `html` and the other page modules.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .. import fmt, plots
from ..data import Dataset
from ..attainment import reference_year
from ..html import e, status_mark, table, verdict_badge
from ..messages import label
from ..messages.pages import DASHBOARD, REGIONS
from ..targets import Plan, Target
from .charts import target_figure
from .closing import is_closing, progress_text as closing_text
from .common import fmt_value, goal_text, kind_word, local_name, probability_cell
from .dashboard import ORDER

COMPACT = 50
COMPACT_ROWS = 20
WORST_CHARTS = 10


def chance(r: pd.DataFrame) -> pd.Series:
    """The probability a row is ranked and plotted by: the verdict's, or for a target year that has
    passed without an outcome (outcome_pending) the nowcast, which the table labels as such."""
    p = pd.to_numeric(r.probability, errors="coerce")
    if "probability_nowcast" in r:
        p = p.fillna(pd.to_numeric(r.probability_nowcast, errors="coerce"))
    return p


def ranked(res: pd.DataFrame, target_id: str) -> pd.DataFrame:
    """One target's rows, lowest probability (or nowcast) first (no-data rows last), with a 1-based rank."""
    r = res[res.target_id == target_id].copy()
    r["_p"] = chance(r)
    r = r.sort_values(["_p", "region"], na_position="last", kind="stable").drop(columns="_p")
    r.insert(0, "rank", range(1, len(r) + 1))
    return r.reset_index(drop=True)


def status_counts(res: pd.DataFrame, target_id: str | None = None) -> dict[str, int]:
    r = res if target_id is None else res[res.target_id == target_id]
    c = r.verdict.value_counts()
    return {v: int(c[v]) for v in ORDER if v in c} | {v: int(n) for v, n in c.items() if v not in ORDER}


def behind(res: pd.DataFrame, target_id: str) -> pd.DataFrame:
    """Regions whose completion progress lags the elapsed share of the plan (滞后序时进度), most behind first."""
    r = res[(res.target_id == target_id) & (res.get("progress_status", pd.Series(index=res.index)) == "behind")].copy()
    gap = pd.to_numeric(r.completion_progress, errors="coerce") - pd.to_numeric(r.time_progress, errors="coerce")
    return r.assign(_gap=gap).sort_values(["_gap", "region"], kind="stable").drop(columns="_gap")


def closing_view(res: pd.DataFrame, target: Target) -> bool:
    """True when a target's section is a 总结评估: the run stood after the target year or the data
    reach it. The engine (closing.completion) already decided that with the run's reference year
    and gave the rows a 完成情况 (closing_status); without that column, pages.closing.is_closing
    decides as the evaluation pages do. Then 序时进度 means nothing: the section shows 完成情况."""
    r = res[res.target_id == target.id]
    if "closing_status" in r:
        return bool((r.closing_status.fillna("").astype(str) != "").any())
    as_of = pd.to_numeric(r.get("as_of", pd.Series(dtype=float)), errors="coerce").dropna()
    ref = reference_year(int(as_of.iloc[0]) if len(as_of) else None)
    return is_closing(r, int(target.target_year), ref)


def closing_word(status, language: str = "zh") -> str:
    """完成情况 of one region (超额完成/已完成/…/无数据), a dash where there is none yet."""
    return label("closing", status, language) if isinstance(status, str) and status else fmt.DASH


def region_name(ds: Dataset, region: str, language: str) -> str:
    """The region as the page names it (plain text): 长春市; English where the data give a name_en."""
    reg = ds.regions.get(region)
    if reg is None:
        return region
    return local_name(reg, language)


def _name(ds: Dataset, region: str, language: str) -> str:
    return e(region_name(ds, region, language))


def _counts_html(counts: dict, language: str) -> str:
    return " ".join(f"{verdict_badge(v, language)} {n}" for v, n in counts.items())


def anchor(res: pd.DataFrame, target_id: str) -> str:
    """The section's id, generated from the target's position (t1, t2, ...), never from a data string."""
    ids = list(pd.unique(res.target_id))
    return f"t{ids.index(target_id) + 1}" if target_id in ids else "t0"


def progress_text(v, language: str = "zh") -> str:
    """完成进度 / 序时进度 as the evaluation form writes them: already in percent (evaluation.py)."""
    return fmt.number(v, "percent", language)


def page_header(plan: Plan, ds: Dataset, res: pd.DataFrame, as_of=None, language: str = "zh") -> str:
    t = REGIONS[language]
    n_reg = res.region.nunique()
    title = local_name(plan, language)
    when = DASHBOARD[language]["as_of"].format(y=as_of) if as_of else DASHBOARD[language]["all_data"]
    parts = [f"<h1>{e(title)}</h1>",
             f"<p>{n_reg} {t['regions']} × {len(plan.targets)} {t['targets']}{t['semi']}{e(when)}</p>"]
    if plan.example or any("synthetic" in str(s) for s in ds.observations.get("source", pd.Series(dtype=str)).unique()):
        parts.append(f"<p><strong>{e(t['example'])}</strong></p>")
    # every region × target: 45 pairs for 9 regions, so not a count of regions
    parts.append(f"<p>{e(t['counts_all'])}{t['colon']}{_counts_html(status_counts(res), language)}</p>")
    return "\n".join(parts)


def target_section(target: Target, res: pd.DataFrame, ds: Dataset, language: str = "zh") -> str:
    """Heading, counts by status, ranked table (compact for many regions) and the regions behind schedule.

    Visible text is in the page's language only: the indicator's name, the document's quote and
    the goal (common.goal_text); the target id appears only in no visible place."""
    t = REGIONS[language]
    r = ranked(res, target.id)
    meta = ds.indicators[target.indicator]
    unit = target.unit
    lunit = meta.unit if target.kind == "growth" else unit  # latest and base values are levels
    goal = (e(target.relative.describe(language)) if target.relative is not None
            else goal_text(r.iloc[0], language) if len(r) else "")  # goal_text is HTML (&gt;)
    kind = kind_word(target.binding, language)
    year = t["year"].format(y=target.target_year)
    html = [f"<h2 id='{anchor(res, target.id)}'>{e(meta.name(language))}</h2>",
            f"<p>{e(target.quote)}{t['lp']}{goal}{t['sep']}{e(year)}{t['semi']}{e(kind)}{t['rp']}</p>",
            f"<p>{e(t['counts'])}{t['colon']}{_counts_html(status_counts(res, target.id), language)}</p>"]
    if target.responsible_unit:
        html.insert(2, f"<p>{t['responsible']}{t['colon']}{e(target.responsible_unit)}</p>")
    compact = len(r) >= COMPACT
    shown = r.head(COMPACT_ROWS) if compact else r

    def prog(v, status=""):
        """完成进度 never above 100 % alone: a met region reads 已达标 (closing.progress_text)."""
        if fmt.missing(v) or v < 100:
            return e(progress_text(v, language))
        return e(closing_text(v, status if isinstance(status, str) else "", True, language))

    def when(y):
        return f"{t['lp']}{int(y)}{t['rp']}" if pd.notna(y) else ""
    final = closing_view(res, target)

    def tail(x):
        """序时进度 and 进度状态 at a 中期评估; at a 总结评估 the 完成情况 alone."""
        if final:
            return [e(closing_word(getattr(x, "closing_status", ""), language))]
        return [e(progress_text(x.time_progress, language)), status_mark(getattr(x, "progress_status", ""), language)]
    rows = [[str(x.rank), _name(ds, x.region, language), e(fmt_value(x.base_value, lunit, language)),
             e(fmt_value(x.latest_value, lunit, language) + when(x.latest_year)),
             e(fmt_value(x.target_value, unit, language)), probability_cell(x, language),
             verdict_badge(x.verdict, language), prog(x.completion_progress, getattr(x, "closing_status", "")),
             *tail(x)] for x in shown.itertuples()]
    html.append(f"<p><small>{e(t['order'])}</small></p>")
    if final:
        html.append(f"<p>{e(t['final'].format(y=target.target_year))}</p>")
    html.append(table([t["rank"], t["region"], t["base"], t["latest"], t["goal"], t["probability"],
                       t["verdict"], t["progress"], *([t["closing"]] if final else [t["time"], t["status"]])],
                      rows, "risk"))
    if compact:
        html.append(f"<p>{e(t['more'].format(n=len(r) - len(shown), k=len(shown)))}</p>")
    if final:  # no region lags a schedule that has run out
        return "\n".join(html)
    b = behind(res, target.id)
    html.append(f"<h3>{e(t['behind'])}{t['lp']}{len(b)}{t['rp']}</h3>")
    if b.empty:
        html.append(f"<p>{e(t['none_behind'])}</p>")
    else:
        bb = b.head(COMPACT_ROWS) if compact else b
        html.append(table(
            [t["region"], t["base"], t["latest"], t["goal"], t["progress"], t["time"]],
            [[_name(ds, x.region, language), e(fmt_value(x.base_value, lunit, language)),
              e(fmt_value(x.latest_value, lunit, language)), e(fmt_value(x.target_value, unit, language)),
              prog(x.completion_progress), e(progress_text(x.time_progress, language))] for x in bb.itertuples()]))
    return "\n".join(html)


def dot_plot(target: Target, res: pd.DataFrame, ds: Dataset, language: str = "zh"):
    """Probability by region, coloured by verdict: one labelled row per region, or a strip for 50+ regions.

    Drawn outside pyplot, inside plots.chart_style() (the CJK font), names from data as plain text."""
    t = REGIONS[language]
    r = ranked(res, target.id)
    r = r[chance(r).notna()]
    if r.empty:
        return None
    p = chance(r).astype(float).to_numpy()
    colors = [plots.COLORS.get(v, "#636363") for v in r.verdict]
    with plots.chart_style():
        if len(r) < COMPACT:
            fig = plots.new_figure(figsize=(7, 0.3 * len(r) + 1.2))
            ax = fig.subplots()
            y = np.arange(len(r))[::-1]
            ax.hlines(y, 0, p, color="#dddddd", lw=1)
            ax.scatter(p, y, c=colors, s=40, zorder=3)
            ax.set_yticks(y)
            ax.set_yticklabels([region_name(ds, x, language) for x in r.region], parse_math=False)
        else:
            fig = plots.new_figure(figsize=(7, 2.2))
            ax = fig.subplots()
            jitter = np.random.default_rng(0).uniform(-0.35, 0.35, len(r))
            ax.scatter(p, jitter, c=colors, s=6, alpha=0.7)
            ax.set_yticks([])
            ax.set_ylim(-0.5, 0.5)
        for x in (0.25, 0.75):
            ax.axvline(x, color="#999999", lw=0.8, ls=":")
        ax.set_xlim(-0.02, 1.02)
        ax.xaxis.set_major_formatter(lambda v, _pos=None: fmt.probability(v) if 0 < v < 1 else f"{v:.0%}")
        pending = (r.verdict == "outcome_pending").any()
        ax.set_xlabel(t["dots"] + (t["nowcast"] if pending else ""))
        ax.set_title(f"{meta_name(ds, target, language)} · {len(r)} {t['regions']}", fontsize=10, parse_math=False)
        ax.grid(axis="x", alpha=0.25)
        fig.tight_layout()
    return fig


def meta_name(ds: Dataset, target: Target, language: str) -> str:
    return ds.indicators[target.indicator].name(language)


def region_target(target: Target, row) -> Target:
    """The plan's target for the row's region, with that region's own value for a relative target."""
    tr = target.for_region(row.region)
    if target.relative is not None:
        tr = tr.model_copy(update={"value": None if pd.isna(row.target_value) else float(row.target_value)})
    return tr


def small_multiples(target: Target, res: pd.DataFrame, ds: Dataset, as_of=None, method="auto", language="zh"):
    """Fan charts of every region (under 50), or of the ten least likely to meet the target (outside pyplot)."""
    r = ranked(res, target.id)
    r = r[(r.verdict != "no_data") & r.target_value.notna()]
    if ds.indicators[target.indicator].aggregation != "stock" or r.empty:
        return None
    if len(res[res.target_id == target.id]) >= COMPACT:
        r = r.head(WORST_CHARTS)
    n, cols = len(r), 3
    nrow = (n + cols - 1) // cols
    with plots.chart_style():
        fig = plots.new_figure(figsize=(12, 3.0 * nrow))
        axes = fig.subplots(nrow, cols, squeeze=False)
        for ax, x in zip(axes.flat, r.itertuples()):
            target_figure(region_target(target, x), ds, as_of, method, language, ax=ax)
            if ax.get_legend() is not None:  # one legend for the grid (plots.shared_legend)
                ax.get_legend().remove()
            ax.set_title(f"{region_name(ds, x.region, language)} · {plots.verdict_label(x.verdict, language)}",
                         fontsize=9, color=plots.COLORS.get(x.verdict, "black"), parse_math=False)
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        plots.shared_legend(fig, list(axes.flat)[:n], language)
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.4 / (3.0 * nrow)))  # room for the legend above the grid
    return fig
