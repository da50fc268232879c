"""How a target stands at the end of its plan (总结评估) and its 完成进度, for every target kind.

One function, `completion`, reads a target's observed years and values (in the quantity 基期值 and
现值 are read on: the indicator, or for a ratio target the ratio) and gives, for level, ratio,
growth (年均增长) and change (新增) targets alike:

  base_year/base_value   the plan's base year, or where the data lack it the earliest later year
                         observed before the 现值 (a stand-in; `stand_in` is True)
  completion_progress    (现值 − 基期值) / (目标值 − 基期值) × 100, the true share of the way, never
                         raised to 100 because a tolerance or a range end was reached; a `between`
                         target counts towards its near end and is capped at 100 once inside or
                         beyond (distance past the band is not "progress"); NaN where the base
                         already met the target (the way has no length: see `fell_back`)
  realised_growth        growth targets: compound yearly growth from the base (stand-in) to the 现值, in %
  gap                    how far the 现值 is short of the target, in the target's terms (growth
                         targets: percentage points of yearly growth); 0 when met
  status                 only when the target year is observed (`final`):
      exceeded       超额完成  above the upper aim b of "达到 a–b", or past a `between` band on the far
                               side from the base
      completed      已完成    met
      late           逾期完成  not met in the target year, met in a later observed year (`late_year`)
      basically      基本完成  not met, but within a 左右 tolerance, or at least BASICALLY % of the way
      not_completed  未完成
      pending        待实际数据 the target year has passed (or is reached by later data) without a value
                               for it, but the target has observations: awaiting the outcome
      no_data        无数据    no observation at all
  fell_back              the base year already met the target and the 现值 no longer does
  after_year/after_value/after_met  the latest observation after the target year and whether it meets
                         the target (a target met late is shown at its latest value, not its missed year's)

No ±5-point 序时进度 tolerance is applied here: at the end of a plan the question is whether the
target was met, not whether work kept pace. Imports `terms` (base value and growth); the status
words are in `mzforecast.messages` (label("closing", code)).
"""
from __future__ import annotations

import math

import numpy as np

from .terms import base_of, cagr

BASICALLY = 90.0  # percent of the way from base to target that counts as 基本完成
STATUSES = ("exceeded", "completed", "late", "basically", "not_completed", "pending", "no_data")
UNJUDGED = ("pending", "no_data")  # no outcome observed: listed, not counted as met or missed
FIELDS = ["closing_status", "realised_growth", "gap", "stand_in", "fell_back", "level_unit", "late_year",
          "after_year", "after_value", "after_met"]

def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def implied_goal(target, base_value: float, base_year: int) -> float:
    """The target as a value of the quantity 基期值/现值 are read on: growth compounds from the
    (stand-in) base year, 新增 adds to the base value, others are the value itself."""
    if target.kind == "growth":
        return base_value * (1 + target.value / 100) ** (target.target_year - base_year)
    if target.kind == "change":
        return base_value + target.value
    return target.value


def judged_value(target, base_value, base_year, current_value, current_year):
    """The value the target's comparator reads: realised yearly growth, the amount added, or the value."""
    if target.kind == "growth":
        return cagr(base_value, current_value, current_year - base_year)
    if target.kind == "change":
        return float("nan") if _nan(base_value) else current_value - base_value
    return current_value


def exceeded(target, x, base_value) -> bool:
    if target.value_high is not None and target.comparator in (">=", ">"):
        return x > target.value_high + 1e-9
    if target.comparator == "between":
        rising = _nan(base_value) or base_value <= target.value
        return x > target.value_high + 1e-9 if rising else x < target.value - 1e-9
    return False


def _gap(target, x) -> float:
    """Distance still missing to the target's near end, in the target's terms (0 when met)."""
    v = target.value
    if target.comparator in ("<=", "<"):
        return max(x - v, 0.0)
    if target.comparator == "between":
        return max(v - x, 0.0) if x < v else max(x - target.value_high, 0.0)
    if target.comparator == "==":
        return abs(x - v)
    return max(v - x, 0.0)


def progress(target, base_value, base_year, current_value) -> float:
    """True 完成进度 in percent (see the module docstring); NaN where it has no meaning."""
    if _nan(base_value) or _nan(current_value):
        return float("nan")
    goal = implied_goal(target, base_value, base_year)
    if target.comparator == "between":
        lo, hi = target.value, target.value_high
        if target.kind in ("growth", "change"):
            lo, hi = implied_goal(target.model_copy(update={"value": lo}), base_value, base_year), \
                implied_goal(target.model_copy(update={"value": hi}), base_value, base_year)
        if lo - 1e-9 <= base_value <= hi + 1e-9:
            return float("nan")
        near = lo if base_value < lo else hi
        pct = (current_value - base_value) / (near - base_value) * 100
        return min(pct, 100.0)
    gap = goal - base_value
    lower = target.comparator in ("<=", "<")
    if gap == 0 or (gap < 0 and not lower) or (gap > 0 and lower):
        return float("nan")  # the base already met the target
    return (current_value - base_value) / gap * 100


def completion(target, years, values, *, level_unit: str = "", reference: int | None = None) -> dict:
    """The closing fields of one target (module docstring) from its observed years (ascending)
    and values; `reference`, the year the run stands in, past the target year makes a missing
    outcome 无数据. Also gives base_year, base_value, current_year, current_value, completion_progress,
    final (the target year is observed) and met."""
    years = np.asarray(years, int)
    values = np.asarray(values, float)
    T = target.target_year
    out = dict(closing_status="", realised_growth=float("nan"), gap=float("nan"), stand_in=False, fell_back=False,
               level_unit=level_unit, current_year=None, current_value=float("nan"),
               completion_progress=float("nan"), final=False, met=None, late_year=None,
               after_year=None, after_value=float("nan"), after_met=None)
    missing = "pending" if len(years) else "no_data"
    upto = np.flatnonzero((years > int(target.base_year)) & (years <= T))
    B, b, stand_in = base_of(target, years, values, int(years[upto[-1]]) if len(upto) else None)
    out.update(base_year=B, base_value=b, stand_in=stand_in)
    final = bool((years == T).any())
    out["final"] = final
    past = (reference is not None and reference > T) or (len(years) and int(years.max()) > T)
    if not len(upto):
        out["closing_status"] = missing if past else ""
        return out
    cy, cv = int(years[upto[-1]]), float(values[upto[-1]])
    out.update(current_year=cy, current_value=cv)
    if target.kind == "growth":
        out["realised_growth"] = cagr(b, cv, cy - B)
    pr = progress(target, b, B, cv)
    out["completion_progress"] = pr
    x = judged_value(target, b, B, cv, cy)
    if _nan(x):
        out["closing_status"] = missing if past or final else ""
        return out
    met = bool(target.met(x))
    exceeded_ = exceeded(target, x, b)
    out["met"] = met or exceeded_
    out["gap"] = 0.0 if out["met"] else _gap(target, x)
    lower = target.comparator in ("<=", "<")
    base_met = not _nan(b) and target.kind in ("level", "ratio") and bool(target.met(b)) \
        and target.comparator != "between" and target.tolerance is None
    out["fell_back"] = bool(base_met and not met)
    if not final:
        out["closing_status"] = missing if past else ""
        return out
    if exceeded_:
        status = "exceeded"
    elif met:
        short = (x < target.value - 1e-9) if not lower else (x > target.value + 1e-9)
        status = "basically" if target.tolerance and short and target.comparator != "between" else "completed"
    elif not _nan(pr) and pr >= BASICALLY:
        status = "basically"
    else:
        status = "not_completed"
    if status in ("basically", "not_completed") and not (target.tolerance and met):
        later = [int(y) for y, v in zip(years, values) if y > T and not _nan(v)
                 and bool(target.met(judged_value(target, b, B, float(v), int(y))))]
        if later:  # missed in its year, reached afterwards: 逾期完成, whatever the share of the way
            status, out["late_year"] = "late", later[0]
    after = [(int(y), float(v)) for y, v in zip(years, values) if y > T and not _nan(v)]
    if after:
        ay, av = after[-1]
        out.update(after_year=ay, after_value=av,
                   after_met=bool(target.met(judged_value(target, b, B, av, ay))))
    out["closing_status"] = status
    return out


def counts(statuses) -> dict[str, int]:
    """How many targets ended in each status (the 总结评估 head count)."""
    s = list(statuses)
    return {k: sum(1 for x in s if x == k) for k in STATUSES}
