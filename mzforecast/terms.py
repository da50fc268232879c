"""A target's series in its own terms: the indicator it is read on (through its proxy when its own
has no data), the observed series of the quantity it is judged on (a ratio target: numerator over
lagged denominator, in the target's unit), the observed outcome in its year, and compound growth.

Owns: `effective`, `history`, `check_denominator`, `target_series`, `to_target_terms`, `standards`,
`direct_ratio`, `value_at`, `base_of` (the base value, or the earliest later year standing in),
`outcome`, `cagr`. Imports the leaves and the data layer only.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import units as U
from .data import Dataset, load
from .errors import DataError
from .targets import Target


def cagr(v0: float, v1: float, years: float) -> float:
    """Compound yearly growth in percent; NaN where undefined (non-positive values, no time)."""
    if years <= 0 or v0 is None or v1 is None or v0 <= 0 or v1 <= 0:
        return float("nan")
    return ((v1 / v0) ** (1 / years) - 1) * 100


def value_at(s: pd.Series, year: int):
    """The observed value in `year`, or None."""
    return float(s.loc[year]) if year in s.index else None


def to_target_terms(target: Target, num, den, ds: Dataset):
    """Ratio num/den in the target's unit, after putting both on the numerator's unit."""
    nu, du = ds.indicators[target.indicator].unit, ds.indicators[target.denominator].unit
    den = np.asarray(den, float) * U.factor(du, nu) if U.convertible(du, nu) else np.asarray(den, float)
    r = np.asarray(num, float) / den
    return r * 100 if target.unit == "percent" else r


def base_of(target: Target, years, values, until: int | None = None):
    """(base year, base value, stand_in): the plan's base year where observed, else the earliest
    observed year after it and before `until` (the 现值's year; default the target year), else
    (base year, NaN, False). Offices often fill only the plan years: a later year then stands in."""
    years = np.asarray(years)
    B = int(target.base_year)
    at = np.flatnonzero(years == B)
    if len(at):
        return B, float(values[at[0]]), False
    later = np.flatnonzero((years > B) & (years < (until if until is not None else target.target_year)))
    if len(later):
        i = later[np.argmin(years[later])]
        return int(years[i]), float(values[i]), True
    return B, float("nan"), False


def standards(target: Target, ds: Dataset) -> bool:
    """Both sides of a ratio target are administered standards (never cut: monotone)."""
    return bool(ds.indicators[target.indicator].monotone and target.denominator
                and ds.indicators[target.denominator].monotone)


def converging(target: Target, ds: Dataset) -> bool:
    """The ratio is a standard over the one policy brings it toward (indicators.yaml `converges_to`:
    rural ÷ urban 低保): it converges to parity, unlike any other pair of standards (低保 ÷ 特困)."""
    meta = ds.indicators[target.indicator]
    return bool(target.denominator and meta.converges_to == target.denominator and standards(target, ds))


def direct_ratio(hist: pd.Series, two_standards: bool = False) -> bool:
    """Forecast a ratio target's own series when it has two or more years, or one year for a
    ratio of two administered standards.

    The numerator and denominator (rural and urban dibao, 特困 and 低保) are set together and move
    together; forecasting each with independent errors would spread the ratio far wider than its
    history does, and for one-point standards builds in a drift (a held numerator over a rising
    denominator). Other ratios with fewer than two common years are forecast side by side.
    """
    return len(hist) >= (1 if two_standards else 2) and bool((hist > 0).all())


def check_denominator(target: Target, region: str, years, values, ds: Dataset):
    """Refuse a ratio target whose denominator is 0 or below in some year, naming the region, the
    year and the row's source: a ratio to 0 is inf %, to a negative value nonsense."""
    years, values = np.asarray(years), np.asarray(values, float)
    bad = values <= 0
    if not bad.any():
        return
    y, v = int(years[bad][0]), float(values[bad][0])
    o = ds.observations
    hit = o[(o.region == region) & (o.indicator == target.denominator) & (o.year == y)]
    has = lambda c: len(hit) and c in o.columns and not pd.isna(hit[c].iloc[0]) and str(hit[c].iloc[0])  # noqa: E731
    src = str(hit.file.iloc[0]) if has("file") else str(hit.source.iloc[0]) if has("source") else ""
    row = int(hit.row.iloc[0]) if has("row") else None
    raise DataError(f"{target.denominator} is {v:g} in {y} for {region}: the target '{target.id}' divides by it",
                    file=src or None, row=row,
                    fix="correct that value (a standard or count used as a denominator is above 0)")


def history(target: Target, ds: Dataset, as_of=None) -> tuple[pd.Series, pd.Series]:
    """The indicator's observations, and the observed series in the target's own terms
    (for a ratio target: numerator / lagged denominator in the years both are known).

    Where the previous-year denominator is missing but the same-year one is known and the
    denominator is never cut (monotone), numerator / same-year denominator is a lower bound of the
    ratio to the previous year: it is used, and its years are listed in attrs['bound_years']."""
    s = ds.series(target.region, target.indicator, as_of)
    if target.kind != "ratio":
        return s, s
    d0 = ds.series(target.region, target.denominator, as_of)
    check_denominator(target, target.region, d0.index, d0.to_numpy(), ds)
    d = d0.copy()
    d.index = d.index + target.denominator_lag
    common = s.index.intersection(d.index)
    hist = pd.Series(to_target_terms(target, s.loc[common], d.loc[common], ds), index=common, dtype=float)
    bound_years = []
    if target.denominator_lag > 0 and ds.indicators[target.denominator].monotone == "nondecreasing":
        extra = s.index.difference(common).intersection(d0.index)
        if len(extra):
            hist = pd.concat([hist, pd.Series(to_target_terms(target, s.loc[extra], d0.loc[extra], ds),
                                              index=extra, dtype=float)]).sort_index()
            bound_years = [int(y) for y in extra]
    hist.index.name = "year"
    hist.attrs["bound_years"] = bound_years
    return s, hist


def target_series(target: Target, ds: Dataset, as_of=None) -> pd.Series:
    """The observed series of the quantity a target's 基期值/现值 are read on (a ratio target: the ratio)."""
    s, hist = history(target, ds, as_of)
    return hist if target.kind == "ratio" else s


def effective(target: Target, ds: Dataset, as_of=None) -> Target:
    """The target as assessed: through its proxy indicator when its own has no observations."""
    if target.proxy and not len(ds.series(target.region, target.indicator, as_of)):
        return target.model_copy(update={"indicator": target.proxy})
    return target


def outcome(target: Target, data: Dataset | None = None, as_of: int | None = None):
    """The observed value in the target's terms in its year (level, ratio, growth in % a year,
    or change since the base year), or None if not observed."""
    ds = load(data)
    target = effective(target, ds, as_of)
    s, hist = history(target, ds, as_of)
    T = target.target_year
    if target.kind == "level":
        return value_at(s, T)
    if target.kind == "ratio":
        v = value_at(hist, T)
        if T in hist.attrs.get("bound_years", []):
            # a lower bound of the ratio decides only a target it already meets ('>=', '>')
            return v if target.comparator in (">=", ">") and bool(target.met(v)) else None
        return v
    v = value_at(s, T)
    if v is None:
        return None
    B, b, _ = base_of(target, s.index.to_numpy(), s.to_numpy(float), T)
    if np.isnan(b):
        return None
    return cagr(b, v, T - B) if target.kind == "growth" else v - b
