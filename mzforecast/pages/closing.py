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
import textwrap

import numpy as np
import pandas as pd

from .. import fmt
from ..closing import BASICALLY, STATUSES, UNJUDGED
from ..data import Dataset
from ..html import e, table
from ..messages import label
from ..messages.closing import PAGE as W
from ..messages.goal import COMPARATOR_SIGN as SIGNS, ratio_name
from ..messages.pages import EVALUATION
from ..plots import CLOSING_COLORS as COLOURS, chart_style, name_ticks, new_figure
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


def progress_value(r):
    """完成进度 of a form row for a table or the workbook: a number up to 100, else 已达标/超额完成
    (never 716.7 or 580.0); 已达标 for a target met late and still met."""
    pr = r.get("completion_progress")
    missing = fmt.missing(pr)
    if r.get("closing_status") == "late" and met_now(r):
        return progress_text(None, "late", True)
    if (r.get("verdict_code") == "achieved" or met_now(r) or (not missing and pr >= 100)) and (missing or pr >= 100):
        return progress_text(pr, r.get("closing_status") or "", True)
    return None if missing else round(float(pr), 4)


def _name(ds: Dataset, ind: str) -> str:
    return ds.indicators[ind].name_zh if ind in ds.indicators else ind


def judged(status) -> bool:
    """Whether a closing status is an outcome read on observed values (not pending, no data, or none)."""
    return isinstance(status, str) and status in STATUSES and status not in UNJUDGED


def is_closing(res: pd.DataFrame, target_year: int, reference: int) -> bool:
    """总结评估 when the run stands after the plan's target year, or the data reach it."""
    years = pd.to_numeric(res.get("latest_year", pd.Series(dtype=float)), errors="coerce").dropna()
    return reference > target_year or (len(years) > 0 and years.max() >= target_year)


def counts_text(statuses) -> str:
    c = {k: sum(1 for s in statuses if s == k) for k in STATUSES}  # 待实际数据/无数据 named only when present
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


def _rule_items(checks: pd.DataFrame, targets, ds: Dataset) -> tuple[list[str], list[str], list[str]]:
    """(standing rules breached, by year; binding indicators that fell after they were met; other
    findings: met late, expected indicators met and then lost)."""
    breaches, fell, late = [], [], []
    for c in checks.itertuples():
        t = targets[c.target_id]
        name = _name(ds, t.indicator)
        if t.kind == "ratio":
            name = ratio_name(name, _name(ds, t.denominator), bool(t.denominator_lag))
        unit = t.unit
        kind = W["binding" if t.binding else "expected"]
        years = [W["breach_year"].format(y=y, v=fmt.beside(v, t.value, unit)) for y, v in c.breaches]
        years += [W["bound_year"].format(y=y, v=fmt.number(v, unit), b=fmt.number(t.bounds[1], unit))
                  for y, v in c.bound_breaches]
        if years:
            breaches.append(W["rule_line"].format(name=name, goal=_goal(t), years=W["sep"].join(years), kind=kind))
        if not fmt.missing(c.met_late):
            late.append(W["met_late"].format(name=name, T=t.target_year, y=int(c.met_late)))
        if isinstance(c.lost, tuple) and not c.rule:  # a rule's years in breach are listed above
            y, z = c.lost
            base = y == int(t.base_year)
            if t.binding:
                fell.append(W["fell_line_base" if base else "fell_line"].format(
                    name=name, goal=_goal(t), kind=kind, y=y, z=z, v=fmt.beside(c.lost_value, t.value, unit)))
            else:
                late.append(W["lost_base" if base else "lost"].format(name=name, y=y, z=z))
    return breaches, fell, late


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
    nod = int(bound.closing_status.isin(UNJUDGED).sum())
    if nod == len(bound):
        return W["binding_all_no_data"].format(n=nod)
    if nod:
        return out + W["binding_no_data"].format(n=len(bound), k=nod)
    return out or W["binding_ok"]


def repeated_ids(targets) -> set[str]:
    """Targets the plan states twice (a `duplicate` reading naming a target met earlier in the
    plan): the later statement, so the form, chart and counts hold each target once."""
    seen, out = set(), set()
    for t in targets:
        if any(x.duplicate is not None and x.duplicate.other in seen for x in t.flags):
            out.add(t.id)
        seen.add(t.id)
    return out


def _extra_sentences(plan, res: pd.DataFrame, ds: Dataset) -> str:
    """另有 k 项划出民政 and the targets the plan states twice, counted once."""
    out = ""
    k = int((res.get("verdict", pd.Series(dtype=str)) == "transferred").sum()) if len(res) else 0
    if k:
        out += W["transferred"].format(k=k)
    rep = [_name(ds, t.indicator) for t in plan.targets if t.id in repeated_ids(plan.targets)]
    if rep:
        out += W["repeated"].format(items=W["list"].join(rep))
    return out


def _nothing_yet(plan, f: pd.DataFrame, scored: pd.DataFrame, extra: str) -> str:
    ys = sorted({int(y) for y in scored.target_year.dropna()}) or [plan.target_year]
    years = W["years_one"].format(y=ys[0]) if len(ys) == 1 else W["years_many"].format(ys="、".join(map(str, ys)))
    nb = int((scored.binding == label("binding", "binding")).sum())
    return f"<p>{e(W['nothing_yet'].format(plan=plan.name_zh, T=plan.target_year, n=len(scored), nb=nb, years=years) + extra)}</p>"


def summary_html(plan, res: pd.DataFrame, f: pd.DataFrame, ds: Dataset, as_of=None) -> str:
    """The opening paragraph (counts) and the 约束性 section, as HTML paragraphs; one sentence when
    no target has an outcome yet."""
    targets = {t.id: t for t in plan.targets}
    binding = label("binding", "binding")
    scored = f[f.verdict_code != "transferred"]
    extra = _extra_sentences(plan, res, ds)
    if len(scored) and not scored.closing_status.map(judged).any():
        return _nothing_yet(plan, f, scored, extra)
    head = W["head"].format(plan=plan.name_zh, T=plan.target_year, n=len(f),
                            nb=int((f.binding == binding).sum()), counts=counts_text(scored.closing_status))
    out = [f"<p>{e(head + extra + W['rule'].format(pct=BASICALLY))}</p>", f"<h2>{e(W['sub_binding'])}</h2>"]
    missed = scored[(scored.binding == binding) & scored.closing_status.isin(["not_completed", "basically"])]
    para = binding_sentence(scored[scored.binding == binding], missed)
    breaches, fell, late = _rule_items(check(plan, ds, as_of), targets, ds)
    out.append(f"<p>{e(para)}</p>")
    if breaches:  # one line per standing rule: the years in breach, by year
        out.append(f"<p>{e(W['breaches'])}：</p><ul>" + "".join(f"<li>{e(b)}</li>" for b in breaches) + "</ul>")
    if fell:  # binding indicators reached and then lost
        out.append(f"<p>{e(W['fell'])}：</p><ul>" + "".join(f"<li>{e(b)}</li>" for b in fell) + "</ul>")
    more = []
    if late:
        more.append(W["late"].format(items=W["sep"].join(late)))
    nod = scored[scored.closing_status.isin(UNJUDGED)]
    if len(nod):
        more.append(W["no_data_items"].format(k=len(nod), items=W["list"].join(nod.indicator_name)))
    conflicts = [W["conflict_item"].format(name=_name(ds, t.indicator), source=W[_source(t)], text=t.describe("zh"),
                                           kind=W["binding" if t.binding else "expected"])
                 for t in plan.targets if any(x.conflict is not None for x in t.flags)]
    if conflicts:
        more.append(W["conflict"].format(items=W["sep"].join(conflicts)))
    if more:  # about every target, not the binding ones: under a heading of its own
        out.append(f"<h2>{e(W['sub_other'])}</h2><p>{e(''.join(more))}</p>")
    return "".join(out)


def status_word(r) -> str:
    """完成情况 of a form row as the page, the chart and the workbook say it: 逾期完成（2023年达到）."""
    st = r.get("closing_status") or ""
    if st == "late" and not fmt.missing(r.get("late_year")):
        return W["late_word"].format(y=int(r["late_year"]))
    return label("closing", st) if st else "–"


def _late(r) -> bool:
    """A target met late, shown at its latest value (after its year) rather than its missed year's."""
    return r.get("closing_status") == "late" and not fmt.missing(r.get("after_year"))


def shown_value(r) -> tuple:
    """(现值, its year) as the form shows it: the latest value for a target met late."""
    if _late(r):
        return r.get("after_value"), r.get("after_year")
    return r.get("latest_value"), r.get("latest_year")


def shown_gap(r) -> str:
    """差距: for a target met late, its year's gap and the year it was reached."""
    gap = gap_text(r)
    if _late(r) and gap:
        gap = W["late_gap"].format(T=int(r["target_year"]), gap=gap.replace(" ", ""), y=int(r["late_year"]))
        if r.get("after_met") is False:
            gap += W["late_lost"].format(y=int(r["after_year"]))
    return gap


def met_now(r) -> bool:
    """Whether the row meets its target as the form shows it (a target met late: at its latest value)."""
    st = r.get("closing_status") or ""
    return st in ("exceeded", "completed") or (st == "basically" and r.get("verdict_code") == "achieved") \
        or (_late(r) and bool(r.get("after_met")))


def nowrap(html: str) -> str:
    return f'<span class="nw">{html}</span>'


def goal_cell(goal: str, year: int) -> str:
    """目标值 with its year, escaped: kept on one line when short, else wrapped with 「（2025年）」 whole."""
    y = W["target_year"].format(y=int(year))
    return nowrap(e(goal + y)) if len(goal) <= 14 else e(goal) + nowrap(e(y))


def form_html(f: pd.DataFrame) -> str:
    """The closing form: base, target, 现值, 完成进度 (已达标 past 100 %), 完成情况, gap, 责任单位
    (a column only where some row names one)."""
    head = list(W["columns"])
    rows = []
    for r in f.to_dict("records"):
        unit = r.get("level_unit") if r.get("kind") in ("growth", "change") else r.get("unit")
        base = fmt.number(r.get("base_value"), unit or "")
        if not fmt.missing(r.get("base_value")):
            stand_in = not fmt.missing(r.get("stand_in")) and bool(r.get("stand_in"))
            base += W["base_stand_in" if stand_in else "year"].format(y=int(r["base_year"]))
        v, vy = shown_value(r)
        cur = value_text(v, r)
        if not fmt.missing(v):
            cur += W["year"].format(y=int(vy))
        growth = fmt.number(r.get("realised_growth"), "percent") if r.get("kind") == "growth" else ""
        st = r.get("closing_status") or ""
        pr = None if _late(r) and met_now(r) else r.get("completion_progress")  # reached since: 已达标
        prog = "–" if r.get("fell_back") else progress_text(pr, st, met_now(r))
        word = r.get("verdict") if r.get("verdict_code") == "transferred" else status_word(r)
        status = (f"<span class='nw' style='color:{TEXT_COLOURS.get(st, COLOURS.get(st, '#444'))};font-weight:bold'>"
                  f"{e(word)}</span>")
        gap = shown_gap(r) + (W["sep"] + label("closing", "fell_back") if r.get("fell_back") else "")
        rows.append([e(r["indicator_name"]), nowrap(e(r["binding"])), nowrap(e(base)),
                     goal_cell(r["target"], r["target_year"]),
                     nowrap(e(cur)), nowrap(e(growth or "–")), nowrap(e(prog)), status, e(gap or "–"),
                     e(r.get("responsible_unit") or "–")])
    keep = [i for i in range(len(head))
            if not (i == 5 and not (f.get("kind", pd.Series(dtype=str)) == "growth").any())  # no 年均增长 target
            and not (i == 9 and not f.get("responsible_unit", pd.Series(dtype=str)).fillna("").astype(str).ne("").any())]
    return table([head[i] for i in keep], [[row[i] for i in keep] for row in rows], cls="evaluation closing")


# 完成情况 words on white: the grey of a bar is too light for text
TEXT_COLOURS = {"pending": "#595959", "no_data": "#595959", "basically": "#b35806", "": "#595959"}


def order(f: pd.DataFrame) -> pd.DataFrame:
    """Binding first, then 未完成, 基本完成, 逾期完成, 待实际数据, 无数据, 已完成, 超额完成; transferred last."""
    rank = {"not_completed": 0, "basically": 1, "late": 2, "pending": 3, "no_data": 3, "completed": 4, "exceeded": 5,
            "": 6}
    g = f.assign(_t=f.verdict_code.eq("transferred"), _b=f.binding.ne(label("binding", "binding")),
                 _s=f.closing_status.map(rank).fillna(5))
    return g.sort_values(["_t", "_b", "_s", "target_id"], kind="stable").drop(columns=["_t", "_b", "_s"]) \
        .reset_index(drop=True)


def chart_labels(f: pd.DataFrame, width: int = 20) -> list[str]:
    """One label per row: the name (wrapped on two lines, never cut mid-name where it fits), ★ for a
    binding target, and the target year, or else the goal, where two rows share a name."""
    binding = label("binding", "binding")
    names = list(f.indicator_name)
    out = []
    for n, b, y, g in zip(names, f.binding, f.target_year, f.get("target", pd.Series([""] * len(f)))):
        same = [i for i, m in enumerate(names) if m == n]
        tail = ""
        if len(same) > 1:
            years = {int(f.target_year.iloc[i]) for i in same}
            tail = W["label_year"].format(y=int(y)) if len(years) == len(same) else W["label_goal"].format(g=g)
        lines = textwrap.wrap(n, width) or [""]
        if len(lines) > 2:
            lines = [lines[0], lines[1][:-1] + "…"]
        if tail:  # the year or goal stays whole: on the last line, or on its own
            if len(lines[-1]) + len(tail) <= width + 4:
                lines[-1] += tail
            elif len(lines) < 2:
                lines.append(tail)
            else:
                lines[-1] = lines[-1][:max(1, width + 3 - len(tail))] + "…" + tail
        out.append(("★ " if b == binding else "") + "\n".join(lines))
    return out


def chart(f: pd.DataFrame):
    """Bars of 完成进度 (capped at 100 %), coloured by closing status; fell-back rows drawn at 0
    and labelled, so a missed binding target is never left out; a target met late at its latest
    value. The legend names the statuses drawn, in one row above the bars."""
    from matplotlib.patches import Patch
    shown = ("exceeded", "completed", "late", "basically", "not_completed")
    f = f[f.closing_status.isin(shown)]
    if f.empty:
        return None
    f = f.iloc[::-1]
    labels = chart_labels(f)
    rows = sum(1 + lab.count("\n") * 0.6 for lab in labels)
    fig = new_figure(figsize=(9, max(1.8, 0.3 * rows + 1.3)))
    with chart_style():
        ax = fig.subplots()
        y = np.arange(len(f))
        now = np.array([met_now(r) for r in f.to_dict("records")])
        pr = f.completion_progress.astype(float).where(~now, 100).where(~f.fell_back.astype(bool), 0)
        pr = pr.fillna(100).clip(-50, 100)
        ax.barh(y, pr, color=[COLOURS[s] for s in f.closing_status], height=0.6)
        for yi, fb, g in zip(y, f.fell_back, f.to_dict("records")):
            if fb:
                ax.text(1, yi, W["fell_back_bar"].format(gap=gap_text(g)), va="center", fontsize=7,
                        color=COLOURS["not_completed"])
            elif g.get("closing_status") == "late" and not fmt.missing(g.get("late_year")):
                ax.text(1, yi, W["late_bar"].format(y=int(g["late_year"])), va="center", fontsize=7, color="#fff")
        ax.set_yticks(y, labels, fontsize=9)
        name_ticks(ax)
        ax.axvline(100, color="#888", lw=0.8, ls="--")
        ax.set_xlim(min(0, float(pr.min()) - 5), 105)
        star = W["axis_star"] if (f.binding == label("binding", "binding")).any() else ""
        ax.set_xlabel(W["axis"].format(star=star))
        present = [k for k in shown if (f.closing_status == k).any()]
        ax.legend(handles=[Patch(color=COLOURS[k], label=label("closing", k)) for k in present],
                  fontsize=8, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncol=len(present))
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
            + W["meta"].format(region=e(region), B=p.base_year, T=p.target_year, when=e(when), n=len(f), dash=dash)
            + f"<h2>{e(W['sub_overall'])}</h2>{summary_html(p, res, f, ds, as_of)}"
            f"<h2>{e(W['sub_form'])}</h2>" + form_html(f) + f"<p><small>{e(W['footnote'])}</small></p>")
