"""中期评估 / 总结评估 as planning offices write them: 完成进度 against 时序进度.

For every target the form shows 属性 (约束性/预期性), 基期值, 目标值, 现值, 完成进度, 时序进度
and whether the work is 超前 / 符合 / 滞后序时进度, with the 责任单位 named by the document.

Definitions (docs/methods.md, "完成进度与时序进度"):
  完成进度 = (现值 − 基期值) / (目标值 − 基期值) × 100, in the target's own terms:
    level targets on the indicator; ratio targets on the ratio itself (rural ÷ urban 低保, say);
    growth targets (年均增长 g%) on the implied level 基期值 × (1+g)^(目标年−基期年), i.e. the
    cumulative growth achieved over the cumulative growth needed; change targets (新增 X) on the
    implied level 基期值 + X. "<=" targets work the same way (both differences are negative).
    A range "a–b" counts from its lower end a. A target already met gives at least 100.
  时序进度 = (现值年份 − 基期年) / (目标年 − 基期年) × 100, clipped to 0–100. The reference year
    is the year of the latest observation (现值), not the calendar year: the office compares the
    progress the data show with the time the data cover.
  状态: 完成进度 − 时序进度 ≥ +TOLERANCE → ahead (超前); ≤ −TOLERANCE → behind (滞后);
    otherwise on_schedule (符合). Empty when there is no 现值 after the base year.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .data import Dataset
from .targets import Target

TOLERANCE = 5.0  # percentage points of 时序进度 counted as 符合序时进度
FIELDS = ["base_year", "base_value", "completion_progress", "time_progress", "progress_status",
          "responsible_unit"]
STATUS_ZH = {"ahead": "超前序时进度", "on_schedule": "符合序时进度", "behind": "滞后序时进度", "": "—"}
STATUS_COLORS = {"ahead": "#1a9850", "on_schedule": "#66bd63", "behind": "#d73027", "": "#bdbdbd"}


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _text(v) -> str:
    return "" if _nan(v) else str(v)


def time_progress(base_year: int, target_year: int, current_year) -> float:
    """Elapsed share of the plan in percent at the year of the latest observation (0–100)."""
    if _nan(current_year) or target_year <= base_year:
        return float("nan")
    return float(min(max((int(current_year) - base_year) / (target_year - base_year), 0.0), 1.0) * 100)


def implied_goal(target: Target, base_value: float) -> float:
    """The target as a value of the same quantity as 基期值 and 现值 (see the module docstring)."""
    if target.kind == "growth":
        return base_value * (1 + target.value / 100) ** (target.target_year - target.base_year)
    if target.kind == "change":
        return base_value + target.value
    return target.value


def completion_progress(target: Target, base_value, current_value) -> float:
    """完成进度 in percent; NaN when 基期值 or 现值 is unknown or the target sits at the base value."""
    if _nan(base_value) or _nan(current_value):
        return float("nan")
    goal = implied_goal(target, float(base_value))
    if target.kind in ("growth", "change"):  # mid-plan: met once the implied goal level is reached
        met = _reached(target, current_value, goal)
    else:
        met = bool(target.met(current_value))
    gap = goal - float(base_value)
    if gap == 0 or (target.comparator in (">=", ">", "between") and gap < 0) \
            or (target.comparator in ("<=", "<") and gap > 0):
        # the base value already met the target: 100 if it still does, else unknown (fell back)
        return 100.0 if met else float("nan")
    pct = (float(current_value) - float(base_value)) / gap * 100
    return max(pct, 100.0) if met else pct


def _reached(target: Target, current, goal) -> bool:
    return float(current) <= goal + 1e-9 if target.comparator in ("<=", "<") else float(current) >= goal - 1e-9


def progress_status(completion: float, time: float, tolerance: float = TOLERANCE) -> str:
    """ahead / on_schedule / behind (超前 / 符合 / 滞后序时进度); '' without both numbers."""
    if _nan(completion) or _nan(time):
        return ""
    d = completion - time
    return "ahead" if d >= tolerance else ("behind" if d <= -tolerance else "on_schedule")


def _target_terms(target: Target, ds: Dataset, as_of=None) -> pd.Series:
    """Observed series in the quantity 基期值/现值 are read on (a ratio target: the ratio)."""
    from .attainment import _history
    s, hist = _history(target, ds, as_of)
    return hist if target.kind == "ratio" else s


def evaluate(target: Target, ds: Dataset, as_of=None) -> dict:
    """The evaluation fields of one target (FIELDS), from the observations up to as_of."""
    out = dict(base_year=int(target.base_year), base_value=float("nan"), completion_progress=float("nan"),
               time_progress=float("nan"), progress_status="", responsible_unit=target.responsible_unit)
    try:
        s = _target_terms(target, ds, as_of)
    except Exception:  # unknown indicator/region: assess() reports it; the form stays empty
        return out
    B, T = int(target.base_year), target.target_year
    if B in s.index:
        out["base_value"] = float(s.loc[B])
    after = s[(s.index > B) & (s.index <= T)]
    if not len(after) or np.isnan(out["base_value"]):
        return out
    cy, cv = int(after.index.max()), float(after.iloc[-1])
    out["time_progress"] = time_progress(B, T, cy)
    out["completion_progress"] = completion_progress(target, out["base_value"], cv)
    out["progress_status"] = progress_status(out["completion_progress"], out["time_progress"])
    return out


def add_evaluation(row: pd.Series, target: Target, ds: Dataset, as_of=None) -> pd.Series:
    """One assessment row with the evaluation fields added (binding is already there)."""
    out = row.copy()
    for k, v in evaluate(target, ds, as_of).items():
        out[k] = v
    return out


# ---------------------------------------------------------------- the form
FORM_COLUMNS = {"indicator_name": "指标", "target_id": "编号", "binding": "属性", "base_value": "基期值",
                "target": "目标值", "latest_value": "现值", "completion_progress": "完成进度",
                "time_progress": "时序进度", "progress_status": "状态", "verdict": "预测判断",
                "responsible_unit": "责任单位"}


def form(res: pd.DataFrame, ds: Dataset, plan=None) -> pd.DataFrame:
    """The evaluation form of a plan as plain values, binding targets first, then by status.

    Columns are FORM_COLUMNS' keys plus base_year and latest_year; figures stay numbers so
    the page, the chart and the workbook format them their own way.
    """
    from .attainment import VERDICT_ZH
    from .targets import get_plan
    targets = {t.id: t for t in get_plan(plan or res.plan.iloc[0], ds).targets} if len(res) else {}
    rows = []
    for r in res.to_dict("records"):
        t = targets.get(r["target_id"])
        name = ds.indicators[r["indicator"]].name_zh if r["indicator"] in ds.indicators else r["indicator"]
        if t is not None and t.kind == "ratio" and t.denominator in ds.indicators:
            name = f"{name} / {ds.indicators[t.denominator].name_zh}"
        rows.append(dict(
            indicator_name=name, target_id=r["target_id"], binding="约束性" if r.get("binding") else "预期性",
            base_year=r.get("base_year"), base_value=r.get("base_value"),
            target=t.describe("zh") if t is not None else "", target_year=r.get("target_year"),
            latest_year=r.get("latest_year"), latest_value=r.get("latest_value"),
            completion_progress=r.get("completion_progress"), time_progress=r.get("time_progress"),
            progress_status=_text(r.get("progress_status")), verdict=VERDICT_ZH.get(r.get("verdict"), r.get("verdict")),
            verdict_code=r.get("verdict"), responsible_unit=_text(r.get("responsible_unit")),
            unit=r.get("unit") if t is None or t.kind in ("level", "ratio") else
            (ds.indicators[t.indicator].unit if t.indicator in ds.indicators else "")))
    df = pd.DataFrame(rows)
    if df.empty:
        return df
    order = {"behind": 0, "on_schedule": 1, "ahead": 2, "": 3}
    df["_b"] = df.binding.ne("约束性")
    df["_s"] = df.progress_status.map(order)
    return df.sort_values(["_b", "_s", "target_id"], kind="stable").drop(columns=["_b", "_s"]).reset_index(drop=True)


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
    years = sorted({int(y) for y in f.latest_year.dropna()}) if "latest_year" in f else []
    parts = [f"{head}，其中约束性指标 {int((f.binding == '约束性').sum())} 项。"]
    if judged:
        parts.append(f"有基期值和基期后现值、可计算完成进度的 {judged} 项中，超前序时进度 {c['ahead']} 项，"
                     f"符合序时进度 {c['on_schedule']} 项，滞后序时进度 {c['behind']} 项"
                     f"（完成进度与时序进度相差 {TOLERANCE:g} 个百分点以内视为符合）。")
    if c[""]:
        parts.append(f"另有 {c['']} 项缺少基期值或基期后数据，暂无法计算完成进度，请补充数据。")
    behind = f[(f.binding == "约束性") & (f.progress_status == "behind")]
    if len(behind):
        items = "；".join(
            f"{r.indicator_name}（完成进度 {r.completion_progress:.1f}%，时序进度 {r.time_progress:.0f}%"
            + (f"，责任单位：{r.responsible_unit}" if r.responsible_unit else "") + "）"
            for r in behind.itertuples())
        parts.append(f"滞后序时进度的约束性指标 {len(behind)} 项：{items}，需加大推进力度。")
    elif judged:
        parts.append("约束性指标中没有滞后序时进度的指标。")
    if years:
        parts.append(f"现值取各指标最新数据年份（{years[0]}–{years[-1]} 年）。" if len(years) > 1
                     else f"现值取 {years[0]} 年数据。")
    return "".join(parts)


def _fmt(v, unit="") -> str:
    from .reports import fmt_value
    return "—" if _nan(v) else fmt_value(v, unit, "zh")


def form_html(res: pd.DataFrame, ds: Dataset) -> str:
    """The form as an HTML table for the evaluation page (binding first, status coloured)."""
    from .reports import e, html_table
    f = form(res, ds)
    head = ["指标", "属性", "基期值", "目标值", "现值", "完成进度", "时序进度", "状态", "预测判断", "责任单位"]
    rows = []
    for r in f.itertuples():
        base = _fmt(r.base_value, r.unit) + (f"（{int(r.base_year)}）" if not _nan(r.base_value) else "")
        cur = _fmt(r.latest_value, r.unit) + (f"（{int(r.latest_year)}）" if not _nan(r.latest_value) else "")
        pct = lambda v: "—" if _nan(v) else f"{v:.1f}%"  # noqa: E731
        colour = STATUS_COLORS[r.progress_status]
        status = f"<span style='color:{colour};font-weight:bold'>{e(STATUS_ZH[r.progress_status])}</span>"
        rows.append([e(r.indicator_name), e(r.binding), e(base), e(f"{r.target}（{int(r.target_year)}年）"), e(cur),
                     e(pct(r.completion_progress)), e(pct(r.time_progress)), status, e(r.verdict),
                     e(r.responsible_unit or "—")])
    return html_table(head, rows, cls="evaluation")


def progress_chart(res: pd.DataFrame, ds: Dataset):
    """Horizontal bars: completion progress per indicator, with its time progress marked."""
    import matplotlib.pyplot as plt
    from .plots import use_cjk_font
    use_cjk_font()
    f = form(res, ds)
    f = f[f.progress_status != ""]
    fig, ax = plt.subplots(figsize=(8, max(1.6, 0.38 * len(f) + 1)))
    if f.empty:
        ax.text(0.5, 0.5, "暂无可计算完成进度的指标", ha="center", va="center")
        ax.axis("off")
        return fig
    f = f.iloc[::-1]
    y = np.arange(len(f))
    comp = f.completion_progress.astype(float).clip(-50, 150)
    ax.barh(y, comp, color=[STATUS_COLORS[s] for s in f.progress_status], height=0.6, label="完成进度")
    ax.scatter(f.time_progress.astype(float), y, marker="|", s=300, color="black", zorder=3, label="时序进度")
    labels = [("★ " if b == "约束性" else "") + (n if len(n) <= 22 else n[:21] + "…")
              for n, b in zip(f.indicator_name, f.binding)]
    ax.set_yticks(y, labels, fontsize=8)
    ax.axvline(100, color="#888", lw=0.8, ls="--")
    ax.set_xlabel("%（★ 约束性指标；完成进度超出 −50–150% 的截断显示）")
    ax.legend(fontsize=8, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
