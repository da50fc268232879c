"""Drafts that respect policy floors, read against the previous plan period's trend.

`apply` takes `propose.assess_draft`'s frame and, for every target of the draft:
  - raises each proposed value (proposed_50/80/90) to the highest floor that applies
    (rules.floors_for: the rule ratios and 100 % coverages of data/floors.yaml, the previous
    plan's minimums, the level a never-cut standard has reached), after rounding it to the
    step offices set targets in (rules.STEPS: 10 元, 0.5 个百分点, 100 张…);
  - flags a draft value below a floor (ambition_class 'below_floor', never graded stretch);
  - marks a ratio target whose value is a rule the office sets the ratio by (rules.rule_values:
    特困 = 1.5 × 上年低保) as 'rule': no probability (forecasting a rule is circular), the rule kept;
  - compares the draft with the previous plan period's trend (growth over the five years up to
    the draft's base year; 百分点/年 for shares) and labels a draft below it 'below_trend';
  - writes the Chinese 起草说明 (note_zh): the period's actual growth, the proposed value and its
    basis, each floor applied by name (words from mzforecast.messages.closing.DRAFT).
Imports the leaves, the data layer, `terms` and `rules`.
"""
from __future__ import annotations

import math

import pandas as pd

from . import fmt
from .errors import MzError
from .messages import label
from .messages.closing import DRAFT, FLOOR
from .messages.notes import Note, Notes
from .rules import floors_for, round_to_step, rule_values
from .terms import effective, target_series

COLUMNS = ["floor", "floors_applied", "below_floor", "raised", "floor_probability", "period", "period_growth",
           "period_growth_unit", "trend_value", "note_zh"]


def _nan(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def period_trend(hist: pd.Series, base_year: int, unit: str, span: int = 5):
    """(first year, last year, growth, 'percent'|'points', trend function) over the plan period
    ending at base_year (or the latest year before it): CAGR in % for levels and ratios, 百分点/年
    for shares; None without two years in the period."""
    h = hist[hist.index <= base_year]
    if not len(h):
        return None
    # the period ends at the base year, or where its data are not out yet at the latest year observed
    end = int(h.index.max())
    h = h[h.index >= end - span]
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


def apply(frame: pd.DataFrame, plan, ds, as_of=None, probability_at=None) -> pd.DataFrame:
    """The draft frame with floors applied, trend compared and 起草说明 written (module docstring).
    `raised` lists the proposed columns lifted to the floor; `probability_at(target, value)` gives
    the chance of meeting the floor there (`floor_probability`), so a lifted value never reads as
    promisable at a probability it does not have."""
    targets = {t.id: t for t in plan.targets}
    pcols = [c for c in frame.columns if c.startswith("proposed_")]
    out = frame.copy()
    for c in COLUMNS:
        out[c] = None
    for i, r in out.iterrows():
        t = targets[r.target_id]
        try:
            hist = target_series(effective(t, ds, as_of), ds, as_of)
        except MzError:  # unknown series: the draft row already says why
            hist = pd.Series(dtype=float)
        higher = t.comparator in (">=", ">")
        fl = floors_for(t, ds, hist if t.kind == "level" else None)
        top = max((v for v, _ in fl), default=float("nan"))
        if not _nan(top):  # a floor off the step (an achieved level) is promised at the next step up
            top = max(top, round_to_step(top, t.unit, "lower"))
        raised = []
        for c in pcols:
            v = r[c]
            if _nan(v):
                continue
            v = round_to_step(float(v), t.unit, "higher" if higher else "lower")
            if higher and not _nan(top) and v < top - 1e-9:
                raised.append(c)
            out.at[i, c] = max(v, top) if higher and not _nan(top) else v
        out.at[i, "raised"] = ",".join(raised)
        if raised:
            same = t.value is not None and abs(t.value - top) < 1e-9 and not _nan(r.ambition)
            out.at[i, "floor_probability"] = float(r.ambition) if same else (
                probability_at(t, top) if probability_at else float("nan"))
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
        if higher and t.value is not None and any(abs(t.value - v) < 1e-9 for v in rule_values(t)):
            # the draft value IS the rule the office sets the ratio by: no probability, the rule kept
            out.at[i, "ambition"], out.at[i, "ambition_class"] = float("nan"), "rule"
            out.at[i, "raised"], out.at[i, "floor_probability"] = "", float("nan")
            for c in pcols:
                out.at[i, c] = float(t.value)
            out.at[i, "note"] = Notes([out.at[i, "note"], Note("rule_target", value=float(t.value))])
            applied = [src for _, src in fl]  # the rules that set it, each named
        out.at[i, "note_zh"] = note_zh(t, out.loc[i], ds, tr, pcols, fl)
        if applied:
            out.at[i, "note"] = Notes([out.at[i, "note"], Note("floors_applied", floors=tuple(applied))])
    return out


def note_zh(t, r, ds, tr, pcols, fl) -> str:
    """起草说明 for one indicator: the period's growth, the proposed value and its basis, the floors."""
    name = ds.indicators[t.indicator].name_zh if t.indicator in ds.indicators else t.indicator
    if t.kind == "ratio" and t.denominator in ds.indicators:
        name = DRAFT["ratio_name"].format(name=name, lag=DRAFT["lag"] if t.denominator_lag else "",
                                          den=ds.indicators[t.denominator].name_zh)
    parts = [DRAFT["head"].format(name=name)]
    if tr is not None:
        y0, y1, g, gu, _ = tr
        grow = DRAFT["growth_points" if gu == "points" else "growth_pct"].format(g=g)
        parts.append(DRAFT["trend"].format(y0=y0, y1=y1, grow=grow, latest=fmt.number(r.latest_value, t.unit),
                                           T=t.target_year, trend=fmt.number(r.trend_value, t.unit)))
    elif not _nan(r.latest_value):
        parts.append(DRAFT["no_trend"].format(y=int(r.latest_year), latest=fmt.number(r.latest_value, t.unit)))
    cls = label("draft_class", r.ambition_class, default=label("ambition", r.ambition_class, default=""))
    v = fmt.number(t.value, t.unit)
    if r.ambition_class == "rule":
        parts.append(DRAFT["draft_rule"].format(v=v))
    elif not _nan(r.ambition):
        parts.append(DRAFT["draft"].format(v=v, cls=cls, prob=DRAFT["prob"].format(p=fmt.probability(r.ambition))))
    elif r.ambition_class in ("at_floor", "below_floor") or (fl and t.value is not None
                                                            and any(abs(t.value - x) < 1e-9 for x, _ in fl)):
        parts.append(DRAFT["draft_floor"].format(v=v))
    else:  # nothing observed: no probability, no empty （—）
        parts.append(DRAFT["draft_plain"].format(v=v))
    p80 = next((c for c in pcols if c.endswith("_80")), pcols[-1] if pcols else None)
    if p80 and not _nan(r[p80]) and r.ambition_class != "rule":
        q = p80.split("_")[1]
        if p80 in str(r.raised or "").split(",") and not _nan(r.floor_probability):
            parts.append(DRAFT["promise_floor"].format(p=q, v=fmt.number(r[p80], t.unit),
                                                       prob=fmt.probability(r.floor_probability)))
        else:
            parts.append(DRAFT["promise"].format(p=q, v=fmt.number(r[p80], t.unit)))
    if fl:
        parts.append(DRAFT["floors"].format(items=DRAFT["sep"].join(
            DRAFT["floor_item"].format(v=fmt.number(v, t.unit), source=s) for v, s in fl)))
    if r.below_floor:
        parts.append(DRAFT["adjust"].format(below=FLOOR["zh"]["below"]))
    return "".join(parts)


def short_of_promise(r, column: str) -> bool:
    """True when `column` (proposed_80) holds a value lifted to a policy floor whose own probability
    (floor_probability) is below the column's 80 %: the value is the floor, not a promise at 80 %,
    so no table shows it under that heading (it says 底线 1.50倍 仅 79% instead)."""
    get = r.get if hasattr(r, "get") else lambda k, d=None: getattr(r, k, d)
    if column not in str(get("raised", "") or "").split(","):
        return False
    p = get("floor_probability", float("nan"))
    return _nan(p) or float(p) < int(column.rsplit("_", 1)[1]) / 100 - 1e-9
