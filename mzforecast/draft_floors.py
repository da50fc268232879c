"""Drafts that respect policy floors, read against the previous plan period's trend.

`apply` takes `propose.assess_draft`'s frame and, for every target of the draft:
  - raises each proposed value (proposed_50/80/90) to the highest floor that applies
    (rules.floors_for: the rule ratios and 100 % coverages of data/floors.yaml, the previous
    plan's minimums, the level a never-cut standard has reached), after rounding it to the
    step offices set targets in (rules.STEPS: 10 元, 0.5 个百分点, 100 张…);
  - flags a draft value below a floor (ambition_class 'below_floor', never graded stretch);
  - compares the draft with the previous plan period's trend (growth over the five years up to
    the draft's base year; 百分点/年 for shares) and labels a draft below it 'below_trend';
  - writes the Chinese 起草说明 (note_zh): the period's actual growth, the proposed value and its
    basis, each floor applied by name.
"""
from __future__ import annotations

import math

import pandas as pd

from . import fmt
from .rules import FLOOR_WORDS, floors_for, round_to_step

COLUMNS = ["floor", "floors_applied", "below_floor", "period", "period_growth", "period_growth_unit", "trend_value",
           "note_zh"]
AMBITION_ZH = {"safe": "稳妥", "ambitious": "积极", "stretch": "挑战", "below_floor": "低于政策底线",
               "at_floor": "按政策底线",
               "below_trend": "低于上期趋势", "": "—"}


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def period_trend(hist: pd.Series, base_year: int, unit: str, span: int = 5):
    """(first year, last year, growth, 'percent'|'points', trend function) over the plan period
    ending at base_year (or the latest year before it): CAGR in % for levels and ratios, 百分点/年
    for shares; None without two years in the period."""
    h = hist[(hist.index >= base_year - span) & (hist.index <= base_year)]
    if len(h) < 2:
        return None
    y0, y1 = int(h.index.min()), int(h.index.max())
    v0, v1 = float(h.loc[y0]), float(h.loc[y1])
    if unit == "percent":
        g = (v1 - v0) / (y1 - y0)
        return y0, y1, g, "points", lambda T: min(v1 + g * (T - y1), 100.0)
    if v0 <= 0 or v1 <= 0:
        return None
    g = ((v1 / v0) ** (1 / (y1 - y0)) - 1) * 100
    return y0, y1, g, "percent", lambda T: v1 * (1 + g / 100) ** (T - y1)


def apply(frame: pd.DataFrame, plan, ds, as_of=None) -> pd.DataFrame:
    """The draft frame with floors applied, trend compared and 起草说明 written (module docstring)."""
    from .attainment import observed_terms
    targets = {t.id: t for t in plan.targets}
    pcols = [c for c in frame.columns if c.startswith("proposed_")]
    out = frame.copy()
    for c in COLUMNS:
        out[c] = None
    for i, r in out.iterrows():
        t = targets[r.target_id]
        try:
            hist = observed_terms(t, ds, as_of)
        except Exception:  # noqa: BLE001 - unknown series: the draft row already says why
            hist = pd.Series(dtype=float)
        higher = t.comparator in (">=", ">")
        fl = floors_for(t, ds, hist if t.kind == "level" else None)
        top = max((v for v, _ in fl), default=float("nan"))
        if not _nan(top):  # a floor off the step (an achieved level) is promised at the next step up
            top = max(top, round_to_step(top, t.unit, "lower"))
        for c in pcols:
            v = r[c]
            if _nan(v):
                continue
            v = round_to_step(float(v), t.unit, "higher" if higher else "lower")
            out.at[i, c] = max(v, top) if higher and not _nan(top) else v
        applied = [s for v, s in fl if higher and any(not _nan(r[c]) and float(r[c]) < v + 1e-9 for c in pcols)] \
            or [s for v, s in fl if v == top]
        below = bool(higher and not _nan(top) and t.value is not None and t.value < top - 1e-9)
        out.at[i, "floor"] = top
        out.at[i, "floors_applied"] = "；".join(dict.fromkeys(applied))
        out.at[i, "below_floor"] = below
        tr = period_trend(hist, t.base_year, t.unit)
        tv = float("nan")
        if tr is not None:
            y0, y1, g, gu, f = tr
            tv = f(t.target_year)
            out.at[i, "period"] = f"{y0}-{y1}"
            out.at[i, "period_growth"], out.at[i, "period_growth_unit"], out.at[i, "trend_value"] = g, gu, tv
        if below:
            out.at[i, "ambition_class"] = "below_floor"
        elif higher and not _nan(top) and t.value is not None and abs(t.value - top) < 1e-9:
            out.at[i, "ambition_class"] = "at_floor"  # a rule is kept, not graded
        elif not _nan(tv) and t.value is not None and (t.value < tv - 1e-9 if higher else t.value > tv + 1e-9):
            out.at[i, "ambition_class"] = "below_trend"
        out.at[i, "note_zh"] = note_zh(t, out.loc[i], ds, tr, pcols, fl)
        if applied:
            out.at[i, "note"] = "; ".join(x for x in [r.note, "floors applied: " + "; ".join(applied)] if x)
    return out


def note_zh(t, r, ds, tr, pcols, fl) -> str:
    """起草说明 for one indicator: the period's growth, the proposed value and its basis, the floors."""
    name = ds.indicators[t.indicator].name_zh if t.indicator in ds.indicators else t.indicator
    if t.kind == "ratio" and t.denominator in ds.indicators:
        name += f"与{'上年度' if t.denominator_lag else ''}{ds.indicators[t.denominator].name_zh}之比"
    parts = [f"{name}："]
    if tr is not None:
        y0, y1, g, gu, _ = tr
        grow = f"年均提高 {g:.1f} 个百分点" if gu == "points" else f"年均增长 {g:.1f}%"
        parts.append(f"{y0}—{y1} 年{grow}，{y1} 年为 {fmt.number(r.latest_value, t.unit)}；"
                     f"按此趋势 {t.target_year} 年约为 {fmt.number(r.trend_value, t.unit)}。")
    elif not _nan(r.latest_value):
        parts.append(f"上期末（{int(r.latest_year)} 年）为 {fmt.number(r.latest_value, t.unit)}，数据不足以计算上期增速。")
    cls = AMBITION_ZH.get(r.ambition_class, r.ambition_class)
    parts.append(f"草案值 {fmt.number(t.value, t.unit)}（{cls}"
                 + (f"，实现概率 {fmt.probability(r.ambition)}" if not _nan(r.ambition) else "") + "）。")
    p80 = next((c for c in pcols if c.endswith("_80")), pcols[-1] if pcols else None)
    if p80 and not _nan(r[p80]):
        parts.append(f"按 {p80.split('_')[1]}% 把握可承诺 {fmt.number(r[p80], t.unit)}（按预测路径计算，"
                     "取整到常用档位，且不低于适用底线）。")
    if fl:
        parts.append("适用底线：" + "；".join(f"{fmt.number(v, t.unit)}（{s}）" for v, s in fl) + "。")
    if r.below_floor:
        parts.append(FLOOR_WORDS["zh"]["below"] + "，建议调整。")
    return "".join(parts)
