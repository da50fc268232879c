"""pandas objects as input: DataFrames become the same string table a CSV file gives the reader,
and Series with a date or period index are read by year.

Data layer, below `data`: a DataFrame is turned into what ``io.read_table`` returns (cells as
text, ``attrs['rows']`` and ``attrs['label']``), so data.py validates it with the very rules a
file meets (column names, long or wide layout, units, sanity bounds, duplicates) instead of
a second set of checks. Only the cell-to-text step lives here.
"""
from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from .errors import DataError, RowNumbers

FRAME_LABEL = "DataFrame"


def _cell(v) -> str:
    """A cell as CSV text: floats by repr (round-trips exactly), missing as empty, years whole."""
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return str(v)
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        f = float(v)
        return "" if math.isnan(f) else repr(f)
    if isinstance(v, (pd.Timestamp, pd.Period)):
        return str(v.year)
    return str(v)


def _header(c) -> str:
    if isinstance(c, (pd.Timestamp, pd.Period)):
        return str(c.year)
    if isinstance(c, numbers.Real) and not isinstance(c, bool) and float(c).is_integer():
        return str(int(c))
    return str(c)


def table(df: pd.DataFrame, label: str = FRAME_LABEL) -> pd.DataFrame:
    """A DataFrame (long: region, indicator, year, value…; or wide: one column per year) as the
    string table the file readers produce. Row numbers are 2, 3, … as in a sheet with a header;
    a named or MultiIndex index (region, indicator) is turned back into columns."""
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"expected a DataFrame, got {type(df).__name__}", file=label)
    d = df
    if isinstance(d.columns, pd.MultiIndex):
        raise DataError("the DataFrame has nested column headers", file=label,
                        fix="flatten them: one header row (region, indicator, year, value or one column per year)")
    if any(n is not None for n in d.index.names):
        d = d.reset_index()
    if d.empty:
        raise DataError("the DataFrame has no rows", file=label,
                        fix="give rows of region, indicator, year, value (or one column per year)")
    out = pd.DataFrame(dict(enumerate([_cell(v) for v in d.iloc[:, i]] for i in range(d.shape[1]))))
    out.columns = [_header(c) for c in d.columns]  # duplicates kept: the reader names them
    out.attrs.update(rows=RowNumbers(range(2, len(d) + 2)), label=label)
    return out


def year_of_index(index: pd.Index, label: str = "series") -> pd.Index:
    """Years of an index: DatetimeIndex and PeriodIndex by their year, whole numbers and '2019'
    strings as they are; one value per year, else the index is refused with the reason."""
    if isinstance(index, (pd.DatetimeIndex, pd.PeriodIndex)):
        years = pd.Index(index.year, name="year")
    else:
        try:
            vals = np.asarray(index, dtype=float) if index.dtype.kind in "iuf" else \
                np.array([float(str(v).strip().rstrip("年")) for v in index])
        except (TypeError, ValueError):
            raise DataError(f"the {label}'s index is not years (first: {index[0]!r})", file=label,
                            fix="index the values by year (2019, 2020…) or by date") from None
        if len(vals) and not np.all(np.isfinite(vals) & (vals == np.round(vals))):
            raise DataError(f"the {label}'s index is not whole years", file=label,
                            fix="index the values by year (2019, 2020…) or by date")
        years = pd.Index(vals.astype(int), name="year")
    if years.has_duplicates:
        dup = sorted(set(years[years.duplicated()]))
        raise DataError(f"the {label} has more than one value in {dup[0]}"
                        + (f" (and {len(dup) - 1} more years)" if len(dup) > 1 else ""), file=label,
                        fix="give one value per year (yearly data; resample monthly or quarterly data first)")
    return years


def yearly(series) -> pd.Series:
    """A Series indexed by year (int), keeping its name and attrs; NaN values are kept."""
    if not isinstance(series, pd.Series):
        series = pd.Series(series)
    if series.index.dtype.kind in "iu" and series.index.name == "year" and not series.index.has_duplicates:
        return series
    try:
        values = pd.to_numeric(pd.Series(series.to_numpy(), dtype=object).where(series.notna().to_numpy(), np.nan))
    except (TypeError, ValueError) as e:
        raise DataError(f"the series holds values that are not numbers ({e})", file="series",
                        fix="give numbers (pd.to_numeric) indexed by year") from None
    out = pd.Series(values.to_numpy(float), index=year_of_index(series.index), name=series.name)
    out.attrs = dict(series.attrs)
    return out


def series_table(series: pd.Series, label: str = "Series") -> pd.DataFrame:
    """A Series with attrs region and indicator (as Dataset.series gives it) as a long table."""
    region, indicator = series.attrs.get("region"), series.attrs.get("indicator") or series.name
    if not region or not indicator:
        raise DataError("a Series given as data needs attrs['region'] and a name or attrs['indicator']", file=label,
                        fix="give a DataFrame with columns region, indicator, year, value instead")
    s = yearly(series).dropna()
    df = pd.DataFrame({"region": region, "indicator": indicator, "year": s.index, "value": s.to_numpy()})
    if series.attrs.get("unit"):
        df["unit"] = series.attrs["unit"]
    return table(df, label)
