"""The 总结评估 page: how a plan ended, as an office writes it once the target year has passed.

It opens with the counts by closing status (closing.completion: 超额完成 / 已完成 / 逾期完成 /
基本完成 / 未完成 / 无数据), then the binding (约束性) targets left unmet with their gaps, the policy rules
breached year by year (rules.check), targets met late or met and then lost, and conflicting
duplicate targets; then the form. Worded retrospectively: no 序时进度, no forecast verdicts, no
Eurostat/UNSD classes for observed outcomes. Also `progress_text`, 完成进度 as every page shows
it (never a number above 100 % alone). Words from mzforecast.messages.closing; imports leaves,
data, engine, `plots` and `html`.
"""
from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from .. import fmt
from ..closing import BASICALLY, STATUSES
from ..data import Dataset
from ..html import e, table
from ..messages import label
from ..messages.closing import PAGE as W
from ..messages.goal import COMPARATOR_SIGN as SIGNS
from ..messages.pages import EVALUATION
from ..plots import CLOSING_COLORS as COLOURS, chart_style, new_figure
from ..rules import check


def progress_text(pr, status: str = "", met=None, language: str = "zh") -> str:
    """完成进度 as a page shows it: never a number above 100 % alone; a met target reads 已达标
    (超额完成 when it exceeded)."""
    missing = pr is None or (isinstance(pr, float) and math.isnan(pr))
    if met and (missing or pr >= 100):
        return label("closing", "exceeded" if status == "exceeded" else "met_mark", language)
    if missing:
        return "–"
    return f"{pr:.1f}%"


def _name(ds: Dataset, ind: str) -> str:
    return ds.indicators[ind].name_zh if ind in ds.indicators else ind


def is_closing(res: pd.DataFrame, target_year: int, reference: int) -> bool:
    """总结评估 when the run stands after the plan's target year, or the data reach it."""
    years = pd.to_numeric(res.get("latest_year", pd.Series(dtype=float)), errors="coerce").dropna()
    return reference > target_year or (len(years) > 0 and years.max() >= target_year)


def counts_text(statuses) -> str:
    c = {k: sum(1 for s in statuses if s == k) for k in STATUSES}
    return W["list"].join(W["count"].format(word=label("closing", k), k=c[k]) for k in STATUSES
                          if c[k] or k in ("completed", "not_completed"))


def value_text(v, r) -> str:
    """A value of the form row r in its unit, with the digits to see its side of the target."""
    unit = r.get("level_unit") if r.get("kind") in ("growth", "change") else r.get("unit")
    if r.get("kind") in ("level", "ratio") and not fmt.missing(r.get("target_value")):
        return fmt.beside(v, r.get("target_value"), unit or "")
    return fmt.number(v, unit or "")


def gap_text(r) -> str:
    """The gap to the target in the target's terms: 0.05倍, 4.3个百分点, 0.8个百分点（年均增速）."""
    g = r.get("gap")
    if fmt.missing(g) or g == 0:
        return ""
    if r.get("kind") == "growth":
        return W["gap_growth"].format(g=g)
    unit = r.get("level_unit") if r.get("kind") == "change" else r.get("unit")
    if unit == "percent":
        return W["gap_points"].format(g=g)
    return W["gap"].format(v=fmt.number(g, unit or ""))


def _binding_item(r) -> str:
    out = W["item"].format(name=r["indicator_name"], value=value_text(r["latest_value"], r), goal=r["target"])
    gap = gap_text(r)
    if gap:
        out += W["comma"] + gap
    if r.get("fell_back"):
        out += W["comma"] + label("closing", "fell_back")
    if r.get("responsible_unit"):
        out += W["comma"] + W["item_unit"].format(unit=r["responsible_unit"])
    return out + W["close"]


def _goal(t) -> str:
    return f"{SIGNS.get(t.comparator, '')} {fmt.number(t.value, t.unit, exact=True)}"


def _rule_items(checks: pd.DataFrame, targets, ds: Dataset) -> tuple[list[str], list[str]]:
    breaches, late = [], []
    for c in checks.itertuples():
        t = targets[c.target_id]
        name = _name(ds, t.indicator)
        if t.kind == "ratio":
            name += W["per_lag" if t.denominator_lag else "per"].format(den=_name(ds, t.denominator))
        unit = t.unit
        years = [W["breach_year"].format(y=y, v=fmt.beside(v, t.value, unit)) for y, v in c.breaches]
        years += [W["bound_year"].format(y=y, v=fmt.number(v, unit), b=fmt.number(t.bounds[1], unit))
                  for y, v in c.bound_breaches]
        if years:
            breaches.append(W["rule_line"].format(name=name, goal=_goal(t), years=W["sep"].join(years),
                                                  kind=W["binding" if t.binding else "expected"]))
        if not fmt.missing(c.met_late):
            late.append(W["met_late"].format(name=name, T=t.target_year, y=int(c.met_late)))
        if isinstance(c.lost, tuple):  # met and then lost, also where the breaches are listed above
            late.append(W["lost"].format(name=name, y=c.lost[0], z=c.lost[1]))
    return breaches, late


def _source(t) -> str:
    """Where in the plan a target is written: its 主要指标表 or its text (the plan's conflict reading
    says; else a table row is quoted tab-separated); an official finds it there, never by the target's id."""
    for x in t.flags:
        if x.conflict is not None:
            return f"source_{x.conflict.source}"
    return "source_table" if "\t" in t.quote else "source_text"


def binding_sentence(bound: pd.DataFrame, missed: pd.DataFrame) -> str:
    """The 约束性 section's sentence: none set, the missed ones with their gaps, or all met; never
    全部完成 over targets that have no data."""
    if not len(bound):
        return W["no_binding"]
    out = W["binding_missed"].format(k=len(missed), items=W["sep"].join(
        _binding_item(r) for r in missed.to_dict("records"))) if len(missed) else ""
    nod = int((bound.closing_status == "no_data").sum())
    if nod == len(bound):
        return W["binding_all_no_data"].format(n=nod)
    if nod:
        return out + W["binding_no_data"].format(n=len(bound), k=nod)
    return out or W["binding_ok"]


def summary_html(plan, res: pd.DataFrame, f: pd.DataFrame, ds: Dataset, as_of=None) -> str:
    """The opening paragraph (counts) and the 约束性 section, as HTML paragraphs."""
    targets = {t.id: t for t in plan.targets}
    binding = label("binding", "binding")
    scored = f[f.verdict_code != "transferred"]
    head = W["head"].format(plan=plan.name_zh, T=plan.target_year, n=len(f),
                            nb=int((f.binding == binding).sum()), counts=counts_text(scored.closing_status))
    out = [f"<p>{e(head + W['rule'].format(pct=BASICALLY))}</p>", f"<h2>{e(W['sub_binding'])}</h2>"]
    missed = scored[(scored.binding == binding) & scored.closing_status.isin(["not_completed", "basically"])]
    para = binding_sentence(scored[scored.binding == binding], missed)
    breaches, late = _rule_items(check(plan, ds, as_of), targets, ds)
    out.append(f"<p>{e(para)}</p>")
    if breaches:  # one line per rule: the years in breach, by year
        out.append(f"<p>{e(W['breaches'])}：</p><ul>" + "".join(f"<li>{e(b)}</li>" for b in breaches) + "</ul>")
    more = []
    if late:
        more.append(W["late"].format(items=W["sep"].join(late)))
    nod = scored[scored.closing_status == "no_data"]
    if len(nod):
        more.append(W["no_data_items"].format(k=len(nod), items=W["list"].join(nod.indicator_name)))
    conflicts = [W["conflict_item"].format(name=_name(ds, t.indicator), source=W[_source(t)], text=t.describe("zh"),
                                           kind=W["binding" if t.binding else "expected"])
                 for t in plan.targets if any(x.conflict is not None for x in t.flags)]
    if conflicts:
        more.append(W["conflict"].format(items=W["sep"].join(conflicts)))
    if more:
        out.append(f"<p>{e(''.join(more))}</p>")
    return "".join(out)


def status_word(r) -> str:
    """完成情况 of a form row as the page, the chart and the workbook say it: 逾期完成（2023年达到）."""
    st = r.get("closing_status") or ""
    if st == "late" and not fmt.missing(r.get("late_year")):
        return W["late_word"].format(y=int(r["late_year"]))
    return label("closing", st) if st else "–"


def form_html(f: pd.DataFrame) -> str:
    """The closing form: base, target, 现值, 完成进度 (已达标 past 100 %), 完成情况, gap, 责任单位."""
    head = list(W["columns"])
    rows = []
    for r in f.to_dict("records"):
        unit = r.get("level_unit") if r.get("kind") in ("growth", "change") else r.get("unit")
        base = fmt.number(r.get("base_value"), unit or "")
        if not fmt.missing(r.get("base_value")):
            stand_in = not fmt.missing(r.get("stand_in")) and bool(r.get("stand_in"))
            base += W["base_stand_in" if stand_in else "year"].format(y=int(r["base_year"]))
        cur = value_text(r.get("latest_value"), r)
        if not fmt.missing(r.get("latest_value")):
            cur += W["year"].format(y=int(r["latest_year"]))
        growth = fmt.number(r.get("realised_growth"), "percent") if r.get("kind") == "growth" else ""
        st = r.get("closing_status") or ""
        met = st in ("exceeded", "completed") or (st == "basically" and r.get("verdict_code") == "achieved")
        prog = "–" if r.get("fell_back") else progress_text(r.get("completion_progress"), st, met)
        word = r.get("verdict") if r.get("verdict_code") == "transferred" else status_word(r)
        status = f"<span style='color:{COLOURS.get(st, '#444')};font-weight:bold'>{e(word)}</span>"
        gap = gap_text(r) + (W["sep"] + label("closing", "fell_back") if r.get("fell_back") else "")
        rows.append([e(r["indicator_name"]), e(r["binding"]), e(base),
                     e(r["target"] + W["target_year"].format(y=int(r["target_year"]))),
                     e(cur), e(growth or "–"), e(prog), status, e(gap or "–"), e(r.get("responsible_unit") or "–")])
    if not (f.get("kind", pd.Series(dtype=str)) == "growth").any():  # no 年均增长 target: no empty column
        head.pop(5)
        rows = [row[:5] + row[6:] for row in rows]
    return table(head, rows, cls="evaluation")


def order(f: pd.DataFrame) -> pd.DataFrame:
    """Binding first, then 未完成, 基本完成, 逾期完成, 无数据, 已完成, 超额完成; transferred last."""
    rank = {"not_completed": 0, "basically": 1, "late": 2, "no_data": 3, "completed": 4, "exceeded": 5, "": 6}
    g = f.assign(_t=f.verdict_code.eq("transferred"), _b=f.binding.ne(label("binding", "binding")),
                 _s=f.closing_status.map(rank).fillna(5))
    return g.sort_values(["_t", "_b", "_s", "target_id"], kind="stable").drop(columns=["_t", "_b", "_s"]) \
        .reset_index(drop=True)


def chart(f: pd.DataFrame):
    """Bars of 完成进度 (capped at 100 %), coloured by closing status; fell-back rows drawn at 0
    and labelled, so a missed binding target is never left out."""
    from matplotlib.patches import Patch
    shown = ("exceeded", "completed", "late", "basically", "not_completed")
    f = f[f.closing_status.isin(shown)]
    if f.empty:
        return None
    f = f.iloc[::-1]
    fig = new_figure(figsize=(8, max(1.6, 0.38 * len(f) + 1)))
    with chart_style():
        ax = fig.subplots()
        y = np.arange(len(f))
        pr = f.completion_progress.astype(float).where(~f.fell_back.astype(bool), 0).fillna(100).clip(-50, 100)
        ax.barh(y, pr, color=[COLOURS[s] for s in f.closing_status], height=0.6)
        for yi, fb, g in zip(y, f.fell_back, f.to_dict("records")):
            if fb:
                ax.text(1, yi, W["fell_back_bar"].format(gap=gap_text(g)), va="center", fontsize=7,
                        color=COLOURS["not_completed"])
            elif g.get("closing_status") == "late" and not fmt.missing(g.get("late_year")):
                ax.text(1, yi, W["late_bar"].format(y=int(g["late_year"])), va="center", fontsize=7, color="#333")
        binding = label("binding", "binding")
        labels = [("★ " if b == binding else "") + (n if len(n) <= 22 else n[:21] + "…")
                  for n, b in zip(f.indicator_name, f.binding)]
        ax.set_yticks(y, labels, fontsize=8)
        for t in ax.get_yticklabels():
            t.set_parse_math(False)
        ax.axvline(100, color="#888", lw=0.8, ls="--")
        ax.set_xlabel(W["axis"])
        ax.legend(handles=[Patch(color=COLOURS[k], label=label("closing", k)) for k in shown
                           if k != "late" or (f.closing_status == "late").any()],
                  fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.06 - 0.6 / len(f)), ncol=4)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
    return fig


def page_html(p, res: pd.DataFrame, f: pd.DataFrame, ds: Dataset, as_of=None) -> str:
    """The 总结评估 page: counts first, the 约束性 section, then the form (`f`, in `order`)."""
    region = ds.regions[p.region].name_zh if p.region in ds.regions else p.region
    when = EVALUATION["data_to"].format(y=as_of) if as_of else EVALUATION["all_data"]
    # back to the plan's dashboard (unlinked by the runner if this run did not make it)
    dash = (f' · <a href="{e(p.id)}.html">{EVALUATION["dashboard"]}</a>'
            if re.fullmatch(r"[A-Za-z0-9_.-]+", p.id) else "")
    return (W["title"].format(plan=e(p.name_zh))
            + W["meta"].format(region=e(region), B=p.base_year, T=p.target_year, when=e(when), n=len(res), dash=dash)
            + f"<h2>{e(W['sub_overall'])}</h2>{summary_html(p, res, f, ds, as_of)}"
            f"<h2>{e(W['sub_form'])}</h2>" + form_html(f) + f"<p><small>{e(W['footnote'])}</small></p>")
