"""The evaluation page (中期评估/总结评估, notebooks/evaluation.ipynb), its progress chart and the
form the summary workbook (pages.workbook) lays out.

The numbers come from mzforecast.evaluation (完成进度, 序时进度, 状态); this module lays them
out the way an office pastes them into its report: binding targets first, a generated
summary paragraph in Chinese, status colours from `plots`. Imports leaves, data, engine,
`plots`, `html` and `common`.
"""
from __future__ import annotations

import functools
import math
import re
from types import SimpleNamespace

import numpy as np
import pandas as pd

from .. import fmt
from ..codes import BINDING, EXPECTED
from ..data import Dataset
from ..errors import MzError
from ..attainment import reference_year
from ..evaluation import TOLERANCE, proxy_label, proxy_used
from ..html import e, img, status_mark, table
from ..messages import label
from ..messages.goal import goal_text, ratio_name
from ..messages.closing import PAGE as CW
from ..messages.pages import EVALUATION as W
from ..plots import STATUS_COLORS, chart_style, name_ticks, new_figure
from ..targets import get_plan
from . import closing as CP
from .common import records as rows_of



def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _str(v) -> str:
    return "" if _nan(v) else str(v)


def form(res: pd.DataFrame, ds: Dataset, plan=None, repeated: str = "drop") -> pd.DataFrame:
    """The evaluation form of a plan as plain values, binding targets first, then by status.

    One row per target with its name, 属性, 基期值, 目标值, 现值, progress, status, verdict and
    责任单位; figures stay numbers so the page, the chart and the workbook format them their way.
    A target the plan states twice is one row (`repeated="drop"`, pages and counts), or keeps its
    row marked as counted once (`"mark"`, the workbook's one row per target id).
    """
    try:
        targets = {t.id: t for t in get_plan(plan or res.plan.iloc[0], ds).targets} if len(res) else {}
    except MzError:  # a plan file that is not bundled: the form still shows the assessment's values
        targets = {}
    rows = []
    twice = CP.repeated_ids(targets.values())
    for r in rows_of(res):
        again = r["target_id"] in twice  # the plan states it twice: one row, counted once
        if again and repeated == "drop":
            continue
        t = targets.get(r["target_id"])
        name = ds.indicators[r["indicator"]].name_zh if r["indicator"] in ds.indicators else r["indicator"]
        if t is not None and t.kind == "ratio" and t.denominator in ds.indicators:
            name = ratio_name(name, ds.indicators[t.denominator].name_zh, bool(t.denominator_lag))
        as_of = r.get("as_of")
        proxy = proxy_used(t, ds, None if _nan(as_of) else int(as_of)) if t is not None else ""
        name += proxy_label(proxy, ds)  # 基期值 and 现值 are the proxy's: say so in the row
        if again:
            name += CW["repeated_mark"]
        kind = BINDING if r.get("binding") else EXPECTED
        rows.append(dict(
            indicator_name=name, target_id=r["target_id"], region_name=_region(ds, r.get("region")), binding=label("binding", kind), binding_code=kind,
            base_year=r.get("base_year"), base_value=r.get("base_value"),
            target=_goal(r, t), target_year=r.get("target_year"),
            latest_year=r.get("latest_year"), latest_value=r.get("latest_value"),
            completion_progress=r.get("completion_progress"), time_progress=r.get("time_progress"),
            progress_status=_str(r.get("progress_status")), probability=r.get("probability"),
            probability_nowcast=r.get("probability_nowcast"),  # the target year passed, no outcome yet
            # judged on its observed outcome: the 完成情况 word, never a forecast word beside it
            verdict=(CP.status_word(r) if CP.judged(r.get("closing_status"))
                     else label("verdict", r.get("verdict"), default=r.get("verdict"))),
            verdict_code=r.get("verdict"), proxy=proxy, responsible_unit=_str(r.get("responsible_unit")),
            unit=r.get("unit") if r.get("kind") in ("level", "ratio") else (_str(r.get("level_unit")) or (
                ds.indicators[r["indicator"]].unit if r["indicator"] in ds.indicators else "")),
            # closing.completion's reading (总结评估), shown once the target year is observed
            **{k: r.get(k) for k in ("kind", "target_value", "closing_status", "gap", "realised_growth",
                                     "level_unit", "fell_back", "stand_in", "late_year", "after_year",
                                     "after_value", "after_met")}))
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    order = {"behind": 0, "on_schedule": 1, "ahead": 2, "": 3}
    df["_t"] = df.verdict_code.eq("transferred")  # 已划出民政: listed after everything scored
    df["_b"] = df.binding_code.ne(BINDING)
    df["_v"] = df.verdict_code.eq("no_data")  # rows with numbers before empty rows
    df["_s"] = df.progress_status.map(order)
    keys = ["_t", "_b", "_v", "_s"]
    return df.sort_values(keys + ["target_id"], kind="stable").drop(columns=keys).reset_index(drop=True)


def _region(ds: Dataset, code) -> str:
    code = _str(code)
    return ds.regions[code].name_zh if code in ds.regions else code


def _goal(r, t=None) -> str:
    """The goal as planners write it (≥ 75.0%, 新增 ≥ 30, 9,000个左右（±450个）), from the assessment row;
    a '左右' target's tolerance from the plan's target `t` (a row read back from JSON keeps its flags
    as text only)."""
    if not r.get("comparator") or _nan(r.get("target_value")):  # hand-made frames without the goal
        return ""
    if t is not None and t.tolerance is not None:
        r = {**r, "tolerance": t.tolerance}
    key = tuple((k, r.get(k)) for k in _GOAL_FIELDS if k in r)
    try:
        return _goal_of(key)  # the rows of a many-region plan share a handful of goals
    except TypeError:  # an unhashable field in a hand-made frame
        return goal_text(pd.Series(dict(key)), "zh")


_GOAL_FIELDS = ("kind", "unit", "comparator", "target_value", "target_value_high", "tolerance", "flags")


@functools.lru_cache(maxsize=1024)
def _goal_of(key: tuple) -> str:
    # plain text: the page escapes it, the workbook stores it. The fields as attributes, as a row
    # gives them (a relative target has one goal per region: building a Series for each was slow)
    return goal_text(SimpleNamespace(**dict(key)), "zh")


def status_counts(res: pd.DataFrame) -> dict[str, int]:
    s = res.get("progress_status", pd.Series(dtype=str)).fillna("")
    return {k: int((s == k).sum()) for k in ("ahead", "on_schedule", "behind", "")}


def summary_zh(res: pd.DataFrame, ds: Dataset, plan_name: str = "") -> str:
    """The paragraph an office pastes above the form: counts by status, binding targets behind."""
    f = form(res, ds)
    n = len(f)
    c = status_counts(res)
    judged = n - c[""]
    head = f"{plan_name}共 {n} 项指标" if plan_name else f"共 {n} 项指标"
    if not n:
        return head + "。"
    judged_rows = f[f.progress_status != ""]
    years = sorted({int(y) for y in judged_rows.latest_year.dropna()}) if "latest_year" in f else []
    parts = [f"{head}，其中约束性指标 {int((f.binding_code == BINDING).sum())} 项。"]
    if judged:
        parts.append(f"有基期值和基期后现值、可计算完成进度的 {judged} 项中，超前序时进度 {c['ahead']} 项，"
                     f"符合序时进度 {c['on_schedule']} 项，滞后序时进度 {c['behind']} 项"
                     f"（完成进度与序时进度相差 {TOLERANCE:g} 个百分点以内视为符合）。")
    if c[""] and not judged:  # "另有" would suggest others were judged
        parts.append(f"{c['']} 项均缺少基期值或基期后数据，暂无法计算完成进度，请补充数据。")
    elif c[""]:
        parts.append(f"另有 {c['']} 项缺少基期值或基期后数据，暂无法计算完成进度，请补充数据。")
    behind = f[(f.binding_code == BINDING) & (f.progress_status == "behind")]
    if len(behind):
        items = "；".join(
            f"{r.indicator_name}（完成进度 {r.completion_progress:.1f}%，序时进度 {r.time_progress:.0f}%"
            + (f"，责任单位：{r.responsible_unit}" if r.responsible_unit else "") + "）"
            for r in behind.itertuples())
        parts.append(f"滞后序时进度的约束性指标 {len(behind)} 项：{items}，需加大推进力度。")
    elif (judged_rows.binding_code == BINDING).any():
        parts.append("约束性指标中没有滞后序时进度的指标。")
    risky = f[(f.binding_code == BINDING) & f.verdict_code.isin(["at_risk", "off_track", "not_achieved"])]
    if len(risky):
        items = "；".join(f"{r.indicator_name}（{r.verdict}" + (f"，责任单位：{r.responsible_unit}" if r.responsible_unit
                                                                else "") + "）" for r in risky.itertuples())
        parts.append(f"按现有数据，未实现或存在实现风险的约束性指标 {len(risky)} 项：{items}。")
    if years:
        parts.append(f"现值取各指标最新数据年份（{years[0]}–{years[-1]} 年）。" if len(years) > 1
                     else f"现值取 {years[0]} 年数据。")
    return "".join(parts)


def _fmt(v, unit="") -> str:
    return fmt.number(v, unit, "zh")


def form_html(res: pd.DataFrame, ds: Dataset) -> str:
    """The form as an HTML table for the evaluation page (binding first, status coloured); 完成进度
    past 100 % reads 已达标 as on the 总结评估 page; 责任单位 only where some row names one."""
    f = form(res, ds)
    rows = []
    for r in f.to_dict("records"):
        base = _fmt(r["base_value"], r["unit"]) + (f"（{int(r['base_year'])}）" if not _nan(r["base_value"]) else "")
        v, vy = CP.shown_value(r)  # a target met late: its latest value
        cur = _fmt(v, r["unit"]) + (f"（{int(vy)}）" if not _nan(v) else "")
        prog = CP.progress_value(r)
        prog = prog if isinstance(prog, str) else fmt.number(prog, "percent", "zh")
        status = status_mark(r["progress_status"], "zh", blank=None)
        rows.append([e(r["indicator_name"]), CP.nowrap(e(r["binding"])), CP.nowrap(e(base)),
                     CP.goal_cell(r["target"], r["target_year"]), CP.nowrap(e(cur)),
                     e(prog), e(fmt.number(r["time_progress"], "percent", "zh")), status, e(r["verdict"]),
                     e(r["responsible_unit"] or fmt.DASH)])
    head = list(W["head"])
    if not len(f) or not f.responsible_unit.astype(str).ne("").any():  # no 责任单位 named: no column of dashes
        head, rows = head[:-1], [row[:-1] for row in rows]
    return table(head, rows, cls="evaluation")


def progress_chart(res: pd.DataFrame, ds: Dataset):
    """Horizontal bars: completion progress per indicator, with its time progress marked."""
    f = form(res, ds)
    f = f[f.progress_status != ""]
    if f.empty:
        return None  # nothing to draw: progress_html says so in a sentence, not an empty frame
    fig = new_figure(figsize=(9, max(1.8, 0.38 * len(f) + 1.5)))  # outside pyplot: any MPLBACKEND, no global state
    with chart_style():
        return _draw_progress(fig, fig.subplots(), f)


def progress_html(res: pd.DataFrame, ds: Dataset, as_of=None) -> str:
    """The progress chart as an inlined image, or one sentence why there is none (no blank chart);
    at a 总结评估, 完成进度 by closing status (pages.closing.chart), no 序时进度."""
    closing = closing_form(res, ds, as_of)
    if closing is not None:
        fig = CP.chart(closing[1])
        return img(fig, CW["chart_alt"]) if fig is not None else CW["no_chart"]
    fig = progress_chart(res, ds)
    if fig is None:
        return W["no_progress"]
    return img(fig, W["chart_alt"])


def _draw_progress(fig, ax, f: pd.DataFrame):
    if f.empty:
        ax.text(0.5, 0.5, W["chart_empty"], ha="center", va="center")
        ax.axis("off")
        return fig
    f = f.iloc[::-1]
    y = np.arange(len(f))
    comp = f.completion_progress.astype(float).clip(-50, 150)
    ax.barh(y, comp, color=[STATUS_COLORS[s] for s in f.progress_status], height=0.6)
    ax.scatter(f.time_progress.astype(float), y, marker="|", s=300, color="black", zorder=3)
    last = int(f.target_year.max())
    labels = [lab + (f"（{int(y)}年）" if int(y) != last and "年）" not in lab else "")
              for lab, y in zip(CP.chart_labels(f, 20), f.target_year)]
    ax.set_yticks(y, labels, fontsize=9)
    name_ticks(ax)
    ax.axvline(100, color="#888", lw=0.8, ls="--")
    ax.set_xlabel(W["axis"].format(star=W["axis_star"] if (f.binding_code == BINDING).any() else ""))
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    handles = [Patch(color=STATUS_COLORS[k], label=W["legend"].format(s=label("status", k)))
               for k in ("ahead", "on_schedule", "behind") if (f.progress_status == k).any()]
    handles.append(Line2D([], [], marker="|", ls="", markersize=14, color="black", label=W["time"]))
    ax.legend(handles=handles, fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=2)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- the page
def kind_of_evaluation(res: pd.DataFrame, target_year: int) -> str:
    """总结评估 once the data reach the plan's target year, 中期评估 with data after the base year
    (from the data, not the clock), else a plain title that says there is nothing to evaluate yet."""
    years = pd.to_numeric(res.get("latest_year", pd.Series(dtype=float)), errors="coerce").dropna()
    status = res.get("progress_status", pd.Series(dtype=str)).fillna("")
    if len(years) and years.max() >= target_year:
        return W["final"]
    return W["midterm"] if (status != "").any() else W["nothing_yet"]


def closing_form(res: pd.DataFrame, ds: Dataset, as_of=None, plan=None):
    """(plan, closing form in its order) when the run is a 总结评估 (pages.closing.is_closing), else None."""
    if not len(res) or "closing_status" not in res:
        return None
    try:
        p = get_plan(plan or res.plan.iloc[0], ds)
    except MzError:
        return None
    if not CP.is_closing(res, p.target_year, reference_year(as_of)):
        return None
    f = form(res, ds, p)
    f["closing_status"] = f.closing_status.fillna("").astype(str)
    return p, CP.order(f)


def index_view(records, ds: Dataset, plan_id: str, as_of=None) -> tuple[str, dict[str, int]]:
    """(the page's title word, its counts by the page's own categories), for the run's index:
    完成情况 (closing:…) at a 总结评估, 序时进度 status (status:…) at a 中期评估, so the index row
    and the page it links to say the same thing."""
    res = pd.DataFrame(list(records))
    try:
        p = get_plan(plan_id, ds)
    except MzError:
        return W["midterm"], {}
    scored = res[res["verdict"] != "transferred"] if "verdict" in res else res
    if "target_id" in scored:  # a target the plan states twice is counted once, as on the page
        scored = scored[~scored["target_id"].isin(CP.repeated_ids(p.targets))]
    if len(res) and "closing_status" in res and CP.is_closing(res, p.target_year, reference_year(as_of)):
        s = scored["closing_status"].fillna("no_data").replace("", "no_data")
        return W["final"], {f"closing:{k}": int((s == k).sum()) for k in CP.STATUSES if (s == k).any()}
    kind = kind_of_evaluation(res, p.target_year)
    s = scored.get("progress_status", pd.Series("", index=scored.index)).fillna("")
    return kind, {f"status:{k}": int((s == k).sum()) for k in ("ahead", "on_schedule", "behind", "")
                  if (s == k).any()}


def page_html(plan_id: str, res: pd.DataFrame, ds: Dataset, as_of=None) -> str:
    """Header, generated summary paragraph and the form: what an office pastes into its report;
    once the plan has ended, the 总结评估 page (pages.closing.page_html)."""
    p = get_plan(plan_id, ds)
    closing = closing_form(res, ds, as_of, p)
    if closing is not None:
        return CP.page_html(p, res, closing[1], ds, as_of)
    kind = kind_of_evaluation(res, p.target_year)
    region = ds.regions[p.region].name_zh if p.region in ds.regions else p.region
    when = W["data_to"].format(y=as_of) if as_of else W["all_data"]
    # back to the plan's dashboard (unlinked by the runner if this run did not make it)
    dash = f' · <a href="{e(p.id)}.html">{W["dashboard"]}</a>' if re.fullmatch(r"[A-Za-z0-9_.-]+", p.id) else ""
    return (f"<h1>{e(p.name_zh)}：{kind}</h1>"
            f"<p>{e(region)} · 基期 {p.base_year} 年 · 目标年 {p.target_year} 年 · {e(when)} · {len(form(res, ds, p))} 项指标{dash}</p>"
            f"<h2>总体情况</h2><p>{e(summary_zh(res, ds, p.name_zh))}</p>"
            "<h2>主要指标完成情况</h2>" + form_html(res, ds)
            + f"<p><small>完成进度 = (现值 − 基期值) / (目标值 − 基期值)，比率类目标按比率本身计算，"
            f"年均增长类目标按隐含的目标年水平计算，已达标记为不低于 100%；序时进度 = (现值年份 − {p.base_year}) / "
            f"(目标年 − {p.base_year})；两者相差 {TOLERANCE:g} 个百分点以内为符合序时进度。"
            f"数据中没有 {p.base_year} 年基期值的指标，以之后最早有数据的年份代替基期（基期值后注明年份），"
            "完成进度与序时进度均从该年算起。"
            "预测判断为按已有数据预测的目标年实现可能性。约束性指标列在前。</small></p>")
