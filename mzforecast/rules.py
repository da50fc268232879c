"""Policy rules checked in every year with data, not only the target year.

A standing rule is a binding target a plan expects to hold in every year of the period, not just
at its end: a ratio of two administered standards (特困 ≥ 1.5 × 上年低保), and a declared bound of
a ratio (rural ≤ urban 低保, ≤ 100 %). An indicator due by its target year (a coverage to reach
100 % by 2025) is no rule: the years before it is reached are the way there, not breaches; only
a fall after it was reached is a finding (`lost`). `yearly` reads one target's observed years and
says which years breach a rule, and for any target whether it was met late (after its year) or
met and then lost. Also the policy floors a draft's
proposed values may not go below (data/floors.yaml, `floors_for`) and the steps offices set
targets in (`round_to_step`). Imports the leaves, the data layer and `terms`.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from . import fmt
from .data import data_dir, read_yaml
from .errors import DataError, MzError
from .messages.closing import FLOOR
from .terms import effective, target_series

def is_rule(target) -> bool:
    """A binding ratio of two standards (its value holds every year); a ratio with a declared bound
    has its bound checked every year too (`bound_breaches`)."""
    return bool(target.binding) and target.kind == "ratio"


def yearly(target, years, values) -> dict:
    """Year-by-year reading of one target's observed values (in its own terms):
    breaches    [(year, value)] in the plan years (base year + 1 … target year) that do not meet it
                (every year for a standing rule, else none)
    bound_breaches [(year, value)] outside a declared bound
    met_late    the first year after the target year in which a target missed in its year is met
    lost        (first year met, first later year not met) within the observed years from the
                base year to the target year, where the target was met and then lost (the first
                year is the base year where the base already met it); lost_value the value then
    """
    years = np.asarray(years, int)
    values = np.asarray(values, float)
    B, T = int(target.base_year), target.target_year
    period = (years > B) & (years <= T)
    met = np.asarray(target.met(values), bool) if target.value is not None else np.ones(len(values), bool)
    out = dict(breaches=[], bound_breaches=[], met_late=None, lost=None, lost_value=None)
    if is_rule(target) and target.value is not None:
        out["breaches"] = [(int(y), float(v)) for y, v, m in zip(years[period], values[period], met[period]) if not m]
    if target.bounds is not None:
        lo, hi = target.bounds
        out["bound_breaches"] = [(int(y), float(v)) for y, v in zip(years[period], values[period])
                                 if v < lo - 1e-9 or v > hi + 1e-9]
    at_T = np.flatnonzero(years == T)
    if len(at_T) and not met[at_T[0]]:
        later = np.flatnonzero((years > T) & met)
        if len(later):
            out["met_late"] = int(years[later[0]])
    since = (years >= B) & (years <= T)
    ys = years[since]
    ms = met[since]
    if len(ys) and ms.any():
        first = int(np.argmax(ms))
        after = np.flatnonzero(~ms[first:])
        if len(after):
            out["lost"] = (int(ys[first]), int(ys[first + after[0]]))
            out["lost_value"] = float(values[since][first + after[0]])
    return out


def check(plan, ds, as_of=None) -> pd.DataFrame:
    """One row per target of the plan with a year-by-year finding: rule breaches, met late, met
    then lost. Columns: target_id, binding, rule, breaches, bound_breaches, met_late, lost, lost_value."""
    rows = []
    for t in plan.targets:
        if t.transferred or t.value is None:
            continue
        try:
            s = target_series(effective(t, ds, as_of), ds, as_of)
        except MzError:
            continue
        y = yearly(t, s.index.to_numpy(), s.to_numpy(float))
        if is_rule(t) or t.bounds is not None or y["met_late"] or y["lost"]:
            rows.append(dict(target_id=t.id, indicator=t.indicator, binding=t.binding, rule=is_rule(t), **y))
    return pd.DataFrame(rows, columns=["target_id", "indicator", "binding", "rule", "breaches", "bound_breaches",
                                       "met_late", "lost", "lost_value"])


# ---------------------------------------------------------------- policy floors for drafts
# proposed values are rounded to the steps offices set targets in (towards the safe side)
STEPS = {"yuan/person/month": 10, "yuan/person/year": 10, "percent": 0.5, "beds": 100, "times": 0.05,
         "people": 100, "outlets": 10, "m2 per 100 households": 0.5}


def load_floors(path=None) -> list[dict]:
    """data/floors.yaml: each floor with its indicator (and denominator), comparator, value, source."""
    path = path or data_dir() / "floors.yaml"
    doc = read_yaml(path)
    out = []
    for i, f in enumerate((doc or {}).get("floors") or []):
        if not isinstance(f, dict) or not {"indicator", "value", "source"} <= set(f):
            raise DataError("each floor needs indicator, value and source", file=str(path), column=f"floors[{i}]")
        out.append(f)
    return out


def floors_for(target, ds, hist=None) -> list[tuple[float, str]]:
    """(value, source) of every floor a '>=' target's value may not go below: listed floors for its
    indicator (and denominator, lag), and for a never-cut standard its last observed level."""
    if target.comparator not in (">=", ">"):
        return []
    out = []
    for f in load_floors():
        if f["indicator"] == target.indicator and (f.get("denominator") or None) == (target.denominator or None) \
                and int(f.get("denominator_lag", 0)) == int(target.denominator_lag):
            out.append((float(f["value"]), str(f["source"])))
    meta = ds.indicators.get(target.indicator)
    if target.kind == "level" and meta is not None and meta.monotone == "nondecreasing" and hist is not None \
            and len(hist):
        y, v = int(hist.index.max()), float(hist.iloc[-1])
        out.append((v, FLOOR["zh"]["achieved"].format(y=y, v=fmt.number(v, target.unit))))
    return out


def rule_values(target) -> list[float]:
    """The values of the rules (floors marked `rule: true`) that set a ratio target's quantity:
    特困 ≥ 1.3× / 1.5× 上年低保. Empty for any other target."""
    if target.kind != "ratio" or not target.denominator:
        return []
    return sorted(float(f["value"]) for f in load_floors() if f.get("rule") is True
                  and f["indicator"] == target.indicator and f.get("denominator") == target.denominator
                  and int(f.get("denominator_lag", 0)) == int(target.denominator_lag))


def round_to_step(v: float, unit: str, direction: str = "higher") -> float:
    """v rounded to the unit's step (STEPS), down for '>=' targets (the chance of meeting it does
    not fall) and up for '<=' ones; unchanged for units without a step."""
    step = STEPS.get(unit)
    if step is None or v is None or math.isnan(v):
        return v
    k = math.floor(v / step + 1e-9) if direction == "higher" else math.ceil(v / step - 1e-9)
    return round(k * step, 6)
