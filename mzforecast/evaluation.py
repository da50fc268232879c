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

Imports the leaves, the data layer and `terms` (the target's series in its own terms); the words
for the statuses are in `mzforecast.messages` (label("status", code)).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .data import Dataset
from .errors import MzError
from .targets import Target
from .terms import effective, target_series

TOLERANCE = 5.0  # percentage points of 时序进度 counted as 符合序时进度
FIELDS = ["base_year", "base_value", "completion_progress", "time_progress", "progress_status",
          "responsible_unit"]
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


def implied_goal(target: Target, base_value: float, base_year: int | None = None) -> float:
    """The target as a value of the same quantity as 基期值 and 现值 (see the module docstring);
    `base_year` when the 基期值 stands in from a later year (growth compounds from there)."""
    if target.kind == "growth":
        b = target.base_year if base_year is None else base_year
        return base_value * (1 + target.value / 100) ** (target.target_year - b)
    if target.kind == "change":
        return base_value + target.value
    return target.value


def completion_progress(target: Target, base_value, current_value, base_year: int | None = None) -> float:
    """完成进度 in percent; NaN when 基期值 or 现值 is unknown or the target sits at the base value."""
    if _nan(base_value) or _nan(current_value):
        return float("nan")
    goal = implied_goal(target, float(base_value), base_year)
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


def evaluate(target: Target, ds: Dataset, as_of=None) -> dict:
    """The evaluation fields of one target (FIELDS), from the observations up to as_of.

    A proxy target is read on the series it is assessed through (terms.effective), so
    基期值 and 现值 (the assessment's latest value) come from the same series."""
    out = dict(base_year=int(target.base_year), base_value=float("nan"), completion_progress=float("nan"),
               time_progress=float("nan"), progress_status="", responsible_unit=target.responsible_unit)
    try:
        s = target_series(effective(target, ds, as_of), ds, as_of)
    except MzError:  # unknown indicator/region: assess() reports it; the form stays empty
        return out
    return {**out, **evaluate_series(target, s.index.to_numpy(), s.to_numpy(float))}


def evaluate_series(target: Target, years, values) -> dict:
    """The evaluation fields of one target from its observed years (ascending) and values in the
    quantity 基期值/现值 are read on; no data access, so the many-regions path (regional.py) uses it too."""
    out = dict(base_year=int(target.base_year), base_value=float("nan"), completion_progress=float("nan"),
               time_progress=float("nan"), progress_status="", responsible_unit=target.responsible_unit)
    years = np.asarray(years)
    B, T = int(target.base_year), target.target_year
    at = np.flatnonzero(years == B)
    after = np.flatnonzero((years > B) & (years <= T))
    if not len(after):
        if len(at):
            out["base_value"] = float(values[at[0]])
        return out
    cy, cv = int(years[after[-1]]), float(values[after[-1]])
    if len(at):
        out["base_value"] = float(values[at[0]])
    elif len(after) >= 2:
        # no 基期值 in the data (offices often fill only the plan years): the earliest later year
        # stands in, and progress is measured from there (base_year says which year it is)
        B = int(years[after[0]])
        out["base_year"], out["base_value"] = B, float(values[after[0]])
    out["time_progress"] = time_progress(B, T, cy)  # needs only the 现值's year
    if np.isnan(out["base_value"]):
        return out
    out["completion_progress"] = completion_progress(target, out["base_value"], cv, B)
    out["progress_status"] = progress_status(out["completion_progress"], out["time_progress"])
    return out


def proxy_used(target: Target, ds: Dataset, as_of=None) -> str:
    """The proxy indicator a target is assessed through ('' when it is read on its own)."""
    if not target.proxy:
        return ""
    try:
        eff = effective(target, ds, as_of)
    except MzError:
        return ""
    return eff.indicator if eff.indicator != target.indicator else ""


def proxy_label(proxy: str, ds: Dataset) -> str:
    """'（以持证社会工作者人数计，下限）': a proxy's value is a lower bound of the target's."""
    if not proxy:
        return ""
    name = ds.indicators[proxy].name_zh if proxy in ds.indicators else proxy
    return f"（以{name}计，下限）"


def add_evaluation(row: pd.Series, target: Target, ds: Dataset, as_of=None) -> pd.Series:
    """One assessment row with the evaluation fields added (binding is already there)."""
    out = row.copy()
    for k, v in evaluate(target, ds, as_of).items():
        out[k] = v
    return out
