"""Many series and many methods in one long frame: `forecast_frame`, for comparing methods the way
statsforecast users do (one row per series, year and method).

Models layer: series come from DataFrames validated by the data layer (the file reader's
rules) or from pandas Series read by year (frames.yearly), and are forecast by models.forecast.
"""
from __future__ import annotations

import warnings

import pandas as pd

from .data import Dataset, load_bundled, load_user_file
from .errors import ModelError
from .frames import yearly
from .models import forecast

COLUMNS = ["series", "region", "indicator", "method", "method_used", "year", "unit", "point", "mean", "median"]


def _series_of(data) -> list[tuple[str, pd.Series]]:
    """(label, series) pairs from a DataFrame (every region and indicator in it), a Series or a list."""
    if isinstance(data, pd.DataFrame):
        base = load_bundled()
        rows = load_user_file(data, base)  # the same checks as a file, units converted
        ind = {**base.indicators, **rows.attrs.get("indicators", {})}
        reg = {**base.regions, **rows.attrs.get("regions", {})}
        ds = Dataset(rows.reset_index(drop=True), ind, reg, base.sources)
        pairs = rows[["region", "indicator"]].drop_duplicates()
        return [(f"{r}/{i}", ds.series(r, i)) for r, i in pairs.itertuples(index=False)]
    if isinstance(data, pd.Series):
        data = [data]
    out = []
    for k, s in enumerate(data):
        if not isinstance(s, pd.Series):
            raise TypeError(f"forecast_frame takes a DataFrame, a Series or a list of Series, not {type(s).__name__}")
        at = s.attrs
        label = "/".join(str(x) for x in (at.get("region"), at.get("indicator") or s.name) if x) or f"series{k}"
        out.append((label, yearly(s)))
    return out


def forecast_frame(data, until: int, *, methods=("auto",), levels=(80, 95)) -> pd.DataFrame:
    """Forecast every series with every method into one long DataFrame.

    Parameters
    ----------
    data : pandas.DataFrame, pandas.Series or list of Series
        A DataFrame in the long (region, indicator, year, value, optional unit) or wide (one
        column per year) layout, validated as a data file is: each region and indicator in it is
        one series, with only the rows given. Or Series indexed by year, date or period (as
        ``mzf.series`` returns them; attrs region/indicator/unit are used where present).
    until : int
        Last year to forecast.
    methods : sequence of str, default ("auto",)
        Methods to compare: auto, naive, drift, linear, loglinear, damped, theta, logistic, comb.
    levels : sequence of float, default (80, 95)
        Central interval levels in percent: columns ``lo{level}``, ``hi{level}``.

    Returns
    -------
    pandas.DataFrame
        One row per series, method and forecast year: series, region, indicator, method (as
        asked), method_used (what ``auto`` chose), year, unit, point, mean, median, the interval
        bounds and n_obs. A method that cannot forecast a series (logistic on a count) is left
        out with a warning and listed in ``attrs["skipped"]``.

    Examples
    --------
    >>> ff = forecast_frame(mzf.series("changchun", "dibao_standard_urban"), 2027,
    ...                     methods=("theta", "drift"))  # doctest: +SKIP
    >>> ff.pivot_table(index="year", columns="method", values="median")  # doctest: +SKIP
    """
    methods = [methods] if isinstance(methods, str) else list(methods)
    frames, skipped = [], []
    for label, s in _series_of(data):
        for m in methods:
            try:
                fc = forecast(s, until=until, method=m)
            except ModelError as e:
                skipped.append(f"{label} ({m}): {e}")
                continue
            f = fc.summary_frame(levels).reset_index()
            f = f.rename(columns={"method": "method_used"})
            f.insert(0, "method", m)
            f.insert(0, "indicator", s.attrs.get("indicator") or (s.name if s.name is not None else ""))
            f.insert(0, "region", s.attrs.get("region", ""))
            f.insert(0, "series", label)
            f["unit"] = fc.unit
            frames.append(pd.DataFrame(f))
    if skipped:
        warnings.warn("not forecast: " + "; ".join(skipped), stacklevel=2)
    if not frames:
        raise ModelError("no series could be forecast: " + "; ".join(skipped) if skipped else "no series given")
    out = pd.concat(frames, ignore_index=True)
    rest = [c for c in out.columns if c not in COLUMNS]
    out = out[COLUMNS + rest]
    out["year"] = out["year"].astype(int)
    out.attrs["skipped"] = skipped
    return out
