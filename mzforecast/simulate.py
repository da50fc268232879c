"""Sample paths of the quantity a target is judged on, for any target kind: one function,
`sample`, used by attainment (one target), propose (target setting) and regional (its fallback
rows and the split-ratio rule it mirrors in arrays).

A level, growth or change target is judged on its indicator's paths; a ratio target on the ratio's
own paths (held at its last value when a policy rule sets it, `rules.rule_values` and
`models.held`; two administered standards converging to parity by `models.ratio`; else its series
forecast directly, `terms.direct_ratio`) or on the numerator's and the
denominator's paths divided path by path. Observed years are constant paths. Every path honours
the indicator's declared structure (monotone, bounds) through `models.forecast`.

Imports the leaves, the data layer, the models layer, `terms` and `rules`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import math

import numpy as np
import pandas as pd

from . import terms
from .data import Dataset
from .messages.notes import Note
from .models import Forecast, forecast
from .models.held import held_forecast
from .models.ratio import converging, ratio_forecast
from .rules import rule_values
from .targets import Target

N_SAMPLES = 4000
HORIZON_CAP = 2050  # paths run to this year at least, so a first-passage year can lie past the target year
NEVER = 10 ** 6  # the "first year" of a path that never meets its target by HORIZON_CAP

# how a ratio target was forecast (the note that comes with its paths)
RATIO_SPLIT = Note("ratio_split")


def ratio_how(n_years: int) -> str:
    """The note of a ratio forecast from its own series of `n_years` observed years."""
    return Note("ratio_direct", years=n_years) if n_years >= 2 else Note("ratio_direct_one")


class IndicatorPaths:
    """Samples of one indicator's value in given years: observed values where known, else forecast."""

    def __init__(self, ds: Dataset, region: str, indicator: str, as_of, method: str, seed: int, until: int):
        self.s = ds.series(region, indicator, as_of)
        meta = ds.indicators[indicator]
        self.fc = None
        if len(self.s) and until > self.s.index.max() and meta.aggregation == "stock":
            self.fc = forecast(self.s, until=until, method=method, kind=meta.kind)
            self.paths = self.fc.samples(N_SAMPLES, seed=seed)

    def at(self, year):
        v = terms.value_at(self.s, year)
        if v is not None:
            return np.full(N_SAMPLES, v)
        if self.fc is not None and year in self.paths.columns:
            return self.paths[year].to_numpy()
        return None

    def point_at(self, year):
        v = terms.value_at(self.s, year)
        if v is not None:
            return v
        if self.fc is not None and year in self.fc.years:
            return float(self.fc.point[list(self.fc.years).index(year)])
        return None


@dataclass
class Sampled:
    """Sample paths (rows = draws, columns = forecast years) of the quantity a target is judged on
    (a level, growth or change target: its indicator; a ratio target: the ratio), the point
    forecasts by year, the fitted model and what the sampling adds to its notes."""

    paths: pd.DataFrame
    points: pd.Series
    forecast: Forecast
    notes: list[str] = field(default_factory=list)

    @property
    def method(self) -> str:
        return self.forecast.method

    def all_notes(self) -> list[str]:
        return list(self.forecast.notes) + list(self.notes)


def _divided(target: Target, ds: Dataset, num: IndicatorPaths, den: IndicatorPaths) -> pd.DataFrame:
    lag = target.denominator_lag
    cols = [y for y in num.paths.columns if den.at(y - lag) is not None]
    paths = pd.DataFrame({y: terms.to_target_terms(target, num.at(y), den.at(y - lag), ds) for y in cols})
    if target.bounds is not None and not paths.empty:
        paths = paths.clip(*target.bounds)
    return paths


def _ratio(target: Target, ds: Dataset, hist: pd.Series, as_of, method, seed, until) -> Sampled | None:
    rule = rule_values(target)
    if rule and len(hist) and bool((hist > 0).all()):  # a ratio the office sets by a rule: held, not a trend
        if until <= hist.index.max():
            return None
        fc = held_forecast(hist, until, target.bounds, rule=max(rule))
        return Sampled(fc.samples(N_SAMPLES, seed=seed), pd.Series(fc.point, index=fc.years), fc)
    two_standards = terms.standards(target, ds)
    if terms.direct_ratio(hist, two_standards):
        if until <= hist.index.max():
            return None
        parity = 100.0 if target.unit == "percent" else 1.0
        if terms.converging(target, ds) and method == "auto" and converging(hist, parity):  # 城乡统筹 toward parity
            fc = ratio_forecast(hist, until, target.bounds, parity)
            return Sampled(fc.samples(N_SAMPLES, seed=seed), pd.Series(fc.point, index=fc.years), fc)
        fc = forecast(hist, until=until, method=method, kind="level", bounds=target.bounds)
        return Sampled(fc.samples(N_SAMPLES, seed=seed), pd.Series(fc.point, index=fc.years), fc,
                       [ratio_how(len(hist))])
    num = IndicatorPaths(ds, target.region, target.indicator, as_of, method, seed, until)
    if num.fc is None:
        return None
    den = IndicatorPaths(ds, target.region, target.denominator, as_of, method, seed + 1, until)
    paths = _divided(target, ds, num, den)
    if paths.empty:
        return None
    lag = target.denominator_lag
    pts = pd.Series({y: float(terms.to_target_terms(target, num.point_at(y), den.point_at(y - lag), ds))
                     for y in paths.columns})
    return Sampled(paths, pts, num.fc, [RATIO_SPLIT])


def sample(target: Target, ds: Dataset, *, as_of=None, method: str = "auto", seed: int = 0, until: int,
           hist: pd.Series | None = None) -> Sampled | None:
    """The target's sample paths up to `until` (None when there is nothing to forecast).

    `hist` is the ratio's observed series (terms.history) when the caller has it already. Raises
    ModelError where the model refuses the series."""
    if target.kind == "ratio":
        if hist is None:
            hist = terms.history(target, ds, as_of)[1]
        return _ratio(target, ds, hist, as_of, method, seed, until)
    ind = IndicatorPaths(ds, target.region, target.indicator, as_of, method, seed, until)
    if ind.fc is None:
        return None
    return Sampled(ind.paths, pd.Series(ind.fc.point, index=ind.fc.years), ind.fc)


def first_year(met: np.ndarray, years) -> np.ndarray:
    """First year each path meets the target (met: (..., years) booleans); NEVER where it never does."""
    years = np.asarray(years)
    return np.where(met.any(axis=-1), years[np.argmax(met, axis=-1)], NEVER)


def value_met_with(x: np.ndarray, p: float, direction: str) -> float:
    """The value met in at least a share p of the samples x.

    higher: the largest sample v with P(x >= v) >= p (the 1 - p quantile, as an order statistic);
    lower: the smallest sample v with P(x <= v) >= p (the p quantile). Taking a sample value,
    not an interpolated one, makes `assess` of a target at v give back at least p exactly.
    """
    xs = np.sort(np.asarray(x, float))
    n = len(xs)
    need = int(math.ceil(p * n - 1e-9))  # samples that must meet the value
    return float(xs[n - need] if direction == "higher" else xs[need - 1])
