"""中期评估 / 总结评估 as planning offices write them: 完成进度 against 序时进度.

For every target the form shows 属性 (约束性/预期性), 基期值, 目标值, 现值, 完成进度, 序时进度
and whether the work is 超前 / 符合 / 滞后序时进度, with the 责任单位 named by the document.

Definitions (docs/methods.md, "完成进度与序时进度"):
  完成进度 = (现值 − 基期值) / (目标值 − 基期值) × 100, in the target's own terms:
    level targets on the indicator; ratio targets on the ratio itself (rural ÷ urban 低保, say);
    growth targets (年均增长 g%) on the implied level 基期值 × (1+g)^(目标年−基期年), i.e. the
    cumulative growth achieved over the cumulative growth needed; change targets (新增 X) on the
    implied level 基期值 + X. "<=" targets work the same way (both differences are negative).
    The true share of the way (closing.progress): a range "a–b" counts towards its near end and
    stops at 100 once inside; a base value that already met the target gives 100 while it still does.
  序时进度 = (现值年份 − 基期年) / (目标年 − 基期年) × 100, clipped to 0–100. The reference year
    is the year of the latest observation (现值), not the calendar year: the office compares the
    progress the data show with the time the data cover.
  状态: 完成进度 − 序时进度 ≥ +TOLERANCE → ahead (超前); ≤ −TOLERANCE → behind (滞后);
    otherwise on_schedule (符合). Empty when there is no 现值 after the base year.

Once the target year is observed (总结评估) the form reads closing.completion's status instead of
序时进度. Imports the leaves, the data layer, `terms` (the target's series in its own terms),
`closing` and `attainment.reference_year`; the words
for the statuses are in `mzforecast.messages` (label("status", code)).
"""
from __future__ import annotations

import math

import pandas as pd

from . import closing
from .attainment import reference_year
from .data import Dataset
from .errors import MzError
from .targets import Target
from .terms import effective, target_series

TOLERANCE = 5.0  # percentage points of 序时进度 counted as 符合序时进度
FIELDS = ["base_year", "base_value", "completion_progress", "time_progress", "progress_status",
          "responsible_unit", "closing_status", "realised_growth", "gap", "stand_in", "fell_back", "level_unit",
          "late_year"]
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
    """The target as a value of the same quantity as 基期值 and 现值 (closing.implied_goal);
    `base_year` when the 基期值 stands in from a later year (growth compounds from there)."""
    return closing.implied_goal(target, base_value, target.base_year if base_year is None else base_year)


def completion_progress(target: Target, base_value, current_value, base_year: int | None = None) -> float:
    """完成进度 in percent (closing.progress: the true share of the way); 100 where the base value
    already met the target and the 现值 still does; NaN when 基期值 or 现值 is unknown or the base
    met the target and the 现值 has fallen back."""
    if _nan(base_value) or _nan(current_value):
        return float("nan")
    B = target.base_year if base_year is None else base_year
    pr = closing.progress(target, float(base_value), B, float(current_value))
    if _nan(pr):
        x = closing.judged_value(target, float(base_value), B, float(current_value), target.target_year)
        return 100.0 if not _nan(x) and bool(target.met(x)) else float("nan")
    return pr


def progress_status(completion: float, time: float, tolerance: float = TOLERANCE) -> str:
    """ahead / on_schedule / behind (超前 / 符合 / 滞后序时进度); '' without both numbers."""
    if _nan(completion) or _nan(time):
        return ""
    d = completion - time
    return "ahead" if d >= tolerance else ("behind" if d <= -tolerance else "on_schedule")


def evaluate(target: Target, ds: Dataset, as_of=None, reference: int | None = None) -> dict:
    """The evaluation fields of one target (FIELDS), from the observations up to as_of; `reference`
    is the year the run stands in (default: attainment.reference_year(as_of), as assess reads it).

    A proxy target is read on the series it is assessed through (terms.effective), so
    基期值 and 现值 (the assessment's latest value) come from the same series."""
    out = dict(base_year=int(target.base_year), base_value=float("nan"), completion_progress=float("nan"),
               time_progress=float("nan"), progress_status="", responsible_unit=target.responsible_unit)
    try:
        s = target_series(effective(target, ds, as_of), ds, as_of)
    except MzError:  # unknown indicator/region: assess() reports it; the form stays empty
        return out
    if reference is None:
        reference = reference_year(as_of)
    return {**out, **evaluate_series(target, s.index.to_numpy(), s.to_numpy(float),
                                     level_unit=level_unit(target, ds), reference=reference)}


def level_unit(target: Target, ds: Dataset) -> str:
    """The unit 基期值 and 现值 are read in: the indicator's for a growth or 新增 target, else the target's."""
    if target.kind in ("growth", "change") and target.indicator in ds.indicators:
        return ds.indicators[target.indicator].unit
    return target.unit


def evaluate_series(target: Target, years, values, *, level_unit: str = "", reference: int | None = None) -> dict:
    """The evaluation fields of one target from its observed years (ascending) and values in the
    quantity 基期值/现值 are read on; no data access, so the many-regions path (regional) uses it too.

    基期值, 完成进度 and the closing status come from closing.completion (one reading for every
    target kind); 序时进度 status only for a target whose year is not yet observed: once it is,
    the question is whether it was met (closing_status), not whether work kept pace."""
    c = closing.completion(target, years, values, level_unit=level_unit, reference=reference)
    out = dict(base_year=int(c["base_year"]), base_value=c["base_value"], completion_progress=float("nan"),
               time_progress=float("nan"), progress_status="", responsible_unit=target.responsible_unit,
               **{k: c[k] for k in closing.FIELDS})
    if c["current_year"] is None:
        return out
    out["time_progress"] = time_progress(c["base_year"], target.target_year, c["current_year"])
    pr = c["completion_progress"]
    if _nan(pr) and c["met"] and not _nan(c["base_value"]):
        pr = 100.0  # the base already met the target and still does: nothing left to do
    out["completion_progress"] = pr
    if c["final"] or c["closing_status"]:  # 总结评估: the schedule has run out, so no 序时进度 in any writer
        out["time_progress"] = float("nan")
    else:
        out["progress_status"] = progress_status(pr, out["time_progress"])
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


def add_evaluation(row: pd.Series, target: Target, ds: Dataset, as_of=None, reference: int | None = None) -> pd.Series:
    """One assessment row with the evaluation fields added (binding is already there)."""
    out = row.copy()
    for k, v in evaluate(target, ds, as_of, reference).items():
        out[k] = v
    return out
