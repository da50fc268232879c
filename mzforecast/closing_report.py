"""The 总结评估 page: how a plan ended, as an office writes it once the target year has passed.

It opens with the counts by closing status (closing.completion: 超额完成 / 已完成 / 基本完成 /
未完成 / 无数据), then the binding (约束性) targets left unmet with their gaps, the policy rules
breached year by year (rules.check), targets met late or met and then lost, and conflicting
duplicate targets; then the form. Worded retrospectively: no 序时进度, no forecast verdicts, no
Eurostat/UNSD classes for observed outcomes.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import fmt
from .closing import BASICALLY, STATUSES, word
from .data import Dataset

COLOURS = {"exceeded": "#1a9850", "completed": "#66bd63", "basically": "#fdae61", "not_completed": "#d73027",
           "no_data": "#bdbdbd", "": "#bdbdbd"}
WORDS = {
    "head": "《{plan}》目标年 {T} 年已过，本次为总结评估。共 {n} 项指标，其中约束性指标 {nb} 项。"
            "评估结果：{counts}。",
    "rule": f"（基本完成：未达到目标值，但在“左右”允许范围内，或从基期到目标已完成 {BASICALLY:g}% 以上；"
            "达到“a–b”区间上限以上的为超额完成。）",
    "binding_ok": "约束性指标全部完成。",
    "binding_missed": "未完成的约束性指标 {k} 项：{items}。",
    "breaches": "规划期内逐年核查，以下规则在部分年份未达到：{items}。",
    "late": "逾期完成或完成后回落的指标：{items}。",
    "conflict": "规划文本中存在相互冲突的同类指标，均已分别评估：{items}。",
    "no_data_items": "目标年无数据、无法评估的指标 {k} 项：{items}，建议补报目标年数据。",
    "sub_binding": "约束性指标完成情况",
    "sub_form": "主要指标完成情况",
    "footnote": "完成进度 = (现值 − 基期值) / (目标值 − 基期值)，比率类目标按比率本身计算，年均增长类目标按基期值按目标增速"
                "复利推算的目标年水平计算，新增类目标按基期值加新增量计算；区间目标以近端为目标、进入区间即为 100%；"
                "完成进度达到或超过 100% 的标为“已达标”。数据中没有基期年数值的指标，以之后最早有数据的年份代替基期"
                "（基期值后注明年份）。约束性指标列在前。",
}


def _name(ds: Dataset, ind: str) -> str:
    return ds.indicators[ind].name_zh if ind in ds.indicators else ind


def is_closing(res: pd.DataFrame, target_year: int, reference: int) -> bool:
    """总结评估 when the run stands after the plan's target year, or the data reach it."""
    years = pd.to_numeric(res.get("latest_year", pd.Series(dtype=float)), errors="coerce").dropna()
    return reference > target_year or (len(years) > 0 and years.max() >= target_year)


def counts_text(statuses) -> str:
    c = {k: sum(1 for s in statuses if s == k) for k in STATUSES}
    return "、".join(f"{word(k)} {c[k]} 项" for k in STATUSES if c[k] or k in ("completed", "not_completed"))


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
        return f"年均增速差 {g:.1f} 个百分点"
    unit = r.get("level_unit") if r.get("kind") == "change" else r.get("unit")
    if unit == "percent":
        return f"差 {g:.1f} 个百分点"
    return "差 " + fmt.number(g, unit or "")


def _binding_item(r) -> str:
    out = f"{r['indicator_name']}（现值 {value_text(r['latest_value'], r)}，目标 {r['target']}"
    gap = gap_text(r)
    if gap:
        out += f"，{gap}"
    if r.get("fell_back"):
        out += "，" + word("fell_back")
    if r.get("responsible_unit"):
        out += f"，责任单位：{r['responsible_unit']}"
    return out + "）"


def _goal(t) -> str:
    sign = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "="}.get(t.comparator, "")
    return f"{sign} {fmt.number(t.value, t.unit, exact=True)}"


def _rule_items(checks: pd.DataFrame, targets, ds: Dataset) -> tuple[list[str], list[str]]:
    breaches, late = [], []
    for c in checks.itertuples():
        t = targets[c.target_id]
        name = _name(ds, t.indicator) + (f" / 上年{_name(ds, t.denominator)}" if t.kind == "ratio" and t.denominator_lag
                                         else f" / {_name(ds, t.denominator)}" if t.kind == "ratio" else "")
        unit = t.unit
        years = [f"{y} 年 {fmt.beside(v, t.value, unit)}" for y, v in c.breaches]
        years += [f"{y} 年 {fmt.number(v, unit)}（超出上限 {fmt.number(t.bounds[1], unit)}）" for y, v in c.bound_breaches]
        if years:
            breaches.append(f"{name}（{_goal(t)}，{'约束性' if t.binding else '预期性'}）：" + "；".join(years))
        if not fmt.missing(c.met_late):
            late.append(f"{name}：目标年 {t.target_year} 年未达到，{int(c.met_late)} 年达到（逾期完成）")
        elif isinstance(c.lost, tuple) and not years:
            late.append(f"{name}：{c.lost[0]} 年已达到，{c.lost[1]} 年回落至目标以下")
    return breaches, late


def summary_html(plan, res: pd.DataFrame, f: pd.DataFrame, ds: Dataset, as_of=None) -> str:
    """The opening paragraph (counts) and the 约束性 section, as HTML paragraphs."""
    from .reports import e
    from .rules import check
    targets = {t.id: t for t in plan.targets}
    scored = f[f.verdict_code != "transferred"]
    head = WORDS["head"].format(plan=plan.name_zh, T=plan.target_year, n=len(f),
                                nb=int((f.binding == "约束性").sum()), counts=counts_text(scored.closing_status))
    out = [f"<p>{e(head + WORDS['rule'])}</p>", f"<h2>{e(WORDS['sub_binding'])}</h2>"]
    missed = scored[(scored.binding == "约束性") & scored.closing_status.isin(["not_completed", "basically"])]
    para = [WORDS["binding_missed"].format(k=len(missed), items="；".join(_binding_item(r) for r in
                                                                            missed.to_dict("records")))
            if len(missed) else WORDS["binding_ok"]]
    checks = check(plan, ds, as_of)
    breaches, late = _rule_items(checks, targets, ds)
    out.append(f"<p>{e(''.join(para))}</p>")
    if breaches:  # one line per rule: the years in breach, by year
        out.append(f"<p>{e(WORDS['breaches'].split('：')[0])}：</p><ul>"
                   + "".join(f"<li>{e(b)}</li>" for b in breaches) + "</ul>")
    more = []
    if late:
        more.append(WORDS["late"].format(items="；".join(late)))
    nod = scored[scored.closing_status == "no_data"]
    if len(nod):
        more.append(WORDS["no_data_items"].format(k=len(nod), items="、".join(nod.indicator_name)))
    conflicts = [f"{_name(ds, t.indicator)}（{t.id}：{t.describe('zh')}）" for t in plan.targets
                 if any(x.startswith("conflict") for x in t.flags)]
    if conflicts:
        more.append(WORDS["conflict"].format(items="；".join(conflicts)))
    if more:
        out.append(f"<p>{e(''.join(more))}</p>")
    return "".join(out)


def form_html(f: pd.DataFrame) -> str:
    """The closing form: base, target, 现值, 完成进度 (已达标 past 100 %), 完成情况, gap, 责任单位."""
    from .reports import e, html_table
    head = ["指标", "属性", "基期值", "目标值", "现值", "年均增速", "完成进度", "完成情况", "差距", "责任单位"]
    rows = []
    for r in f.to_dict("records"):
        unit = r.get("level_unit") if r.get("kind") in ("growth", "change") else r.get("unit")
        base = fmt.number(r.get("base_value"), unit or "")
        if not fmt.missing(r.get("base_value")):
            base += f"（{int(r['base_year'])}年，代替基期）" if r.get("stand_in") is not None and not fmt.missing(r.get("stand_in")) and bool(r.get("stand_in")) else f"（{int(r['base_year'])}）"
        cur = value_text(r.get("latest_value"), r)
        if not fmt.missing(r.get("latest_value")):
            cur += f"（{int(r['latest_year'])}）"
        growth = fmt.number(r.get("realised_growth"), "percent") if r.get("kind") == "growth" else ""
        st = r.get("closing_status") or ("" if r.get("verdict_code") != "transferred" else "")
        met = st in ("exceeded", "completed") or (st == "basically" and r.get("verdict_code") == "achieved")
        prog = "–" if r.get("fell_back") else _progress(r.get("completion_progress"), st, met)
        label = r.get("verdict") if r.get("verdict_code") == "transferred" else word(st) if st else "–"
        status = f"<span style='color:{COLOURS.get(st, '#444')};font-weight:bold'>{e(label)}</span>"
        gap = gap_text(r) + ("；" + word("fell_back") if r.get("fell_back") else "")
        rows.append([e(r["indicator_name"]), e(r["binding"]), e(base), e(f"{r['target']}（{int(r['target_year'])}年）"),
                     e(cur), e(growth or "–"), e(prog), status, e(gap or "–"), e(r.get("responsible_unit") or "–")])
    if not (f.get("kind", pd.Series(dtype=str)) == "growth").any():  # no 年均增长 target: no empty column
        head.pop(5)
        rows = [row[:5] + row[6:] for row in rows]
    return html_table(head, rows, cls="evaluation")


def _progress(pr, status, met) -> str:
    from .closing import progress_text
    return progress_text(pr, status, met)


def order(f: pd.DataFrame) -> pd.DataFrame:
    """Binding first, then 未完成, 基本完成, 无数据, 已完成, 超额完成; transferred last."""
    rank = {"not_completed": 0, "basically": 1, "no_data": 2, "completed": 3, "exceeded": 4, "": 5}
    g = f.assign(_t=f.verdict_code.eq("transferred"), _b=f.binding.ne("约束性"), _s=f.closing_status.map(rank).fillna(5))
    return g.sort_values(["_t", "_b", "_s", "target_id"], kind="stable").drop(columns=["_t", "_b", "_s"]) \
        .reset_index(drop=True)


def chart(f: pd.DataFrame):
    """Bars of 完成进度 (capped at 100 %), coloured by closing status; fell-back rows drawn at 0
    and labelled, so a missed binding target is never left out."""
    from matplotlib.patches import Patch

    from .plots import chart_style, new_figure
    f = f[f.closing_status.isin(["exceeded", "completed", "basically", "not_completed"])]
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
                ax.text(1, yi, "基期已达标，现值回落：" + gap_text(g), va="center", fontsize=7, color=COLOURS["not_completed"])
        labels = [("★ " if b == "约束性" else "") + (n if len(n) <= 22 else n[:21] + "…")
                  for n, b in zip(f.indicator_name, f.binding)]
        ax.set_yticks(y, labels, fontsize=8)
        for t in ax.get_yticklabels():
            t.set_parse_math(False)
        ax.axvline(100, color="#888", lw=0.8, ls="--")
        ax.set_xlabel("完成进度 %（★ 约束性指标；达到 100% 以上的按 100% 画出）")
        ax.legend(handles=[Patch(color=COLOURS[k], label=word(k)) for k in
                           ("exceeded", "completed", "basically", "not_completed")],
                  fontsize=8, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.06 - 0.6 / len(f)), ncol=4)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
    return fig
