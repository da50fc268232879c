"""Reading a data table: the file through io, its column names normalised (Chinese and English
headers, years as columns), and a wide table (one column per year) turned long. Imports the
leaves and io.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .. import io as _io
from ..errors import DataError, DataErrors
from .rows import YEAR_HEADER

KNOWN_COLUMNS = {"region", "region_name", "indicator", "indicator_name", "year", "value", "unit", "source",
                 "quote", "note", "kind"}


def column_name(col) -> str:
    """'2019年', '2019 年', 'Y2019', '2019.0' -> '2019'; ' Unit ' -> 'unit'; 'Region Name' -> 'region_name';
    '单位（unit）' -> 'unit'."""
    s = str(col).strip()
    m = YEAR_HEADER.fullmatch(s)
    if m:
        return str(int(m.group(1)))  # full-width digits (２０１９年) too
    key = re.sub(r"\s+", "_", s.lower())
    m = re.fullmatch(r"[^（(]*[（(]\s*([A-Za-z_ ]+?)\s*[)）]", s)  # '地区（region）': the template's bilingual header
    if key not in KNOWN_COLUMNS and m:
        key = re.sub(r"\s+", "_", m.group(1).lower())
    return key if key in KNOWN_COLUMNS else s


def normalise_columns(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """Canonical column names; two columns that mean the same thing are refused, not one silently dropped."""
    names = [column_name(c) for c in df.columns]
    seen: dict[str, list[int]] = {}
    for i, n in enumerate(names):
        if n:
            seen.setdefault(n, []).append(i)
    errs = [DataError(f"column '{n}' appears {len(pos)} times (columns "
                      + ", ".join(f"{p + 1} '{df.columns[p]}'" for p in pos) + ")", file=file, row=1, column=n,
                      fix="keep one column per name (and one per year in the wide layout)")
            for n, pos in seen.items() if len(pos) > 1]
    rows = df.attrs.get("rows") or list(range(2, len(df) + 2))
    for i, n in enumerate(names):
        filled = df.iloc[:, i].astype(str).str.strip().ne("").to_numpy() if not n else []
        if len(filled) and filled.any():
            k = int(filled.argmax())
            errs.append(DataError(f"column {i + 1} has values but no header (first: '{str(df.iloc[k, i])[:40]}')",
                                  file=file, row=rows[k], fix="give the column a header or delete the stray cells"))
    if errs:
        raise DataErrors(errs)
    keep = [i for i, n in enumerate(names) if n]  # blank-headed columns are empty here: drop them
    out = df.iloc[:, keep].copy()
    out.columns = [names[i] for i in keep]
    out.attrs = dict(df.attrs)
    return out


def read_table(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """Read CSV or .xlsx as strings with canonical column names (see mzforecast.io for the readers)."""
    df = _io.read_table(path, sheet)
    label = df.attrs.get("label", str(path))
    df = normalise_columns(df, label)
    if df.empty:
        raise DataError("the file has a header but no data rows", file=label,
                        fix="add data rows under the header (region, indicator, year, value… or one column per year)")
    return df


def is_year(col: str) -> bool:
    return bool(re.fullmatch(r"\d{4}", str(col)))


def to_long(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """Turn the wide yearbook layout (one column per year) into the long layout."""
    year_cols = [c for c in df.columns if is_year(c)]
    rows = df.attrs.get("rows") or list(range(2, len(df) + 2))  # spreadsheet rows: header is row 1
    d = df.copy()
    d["_row"] = rows
    if not year_cols:
        return d
    both = [c for c in ("year", "value") if c in df.columns]
    if both:
        raise DataError(f"the file has both a '{both[0]}' column and year columns ("
                        + ", ".join(year_cols[:5]) + ")", file=file, row=1, column=both[0],
                        fix="use the long layout (region, indicator, year, value) or the wide one "
                        "(region, indicator, one column per year), not both")
    id_cols = [c for c in df.columns if c not in year_cols]
    long = d.melt(id_vars=id_cols + ["_row"], value_vars=year_cols, var_name="year", value_name="value")
    long = long[long["value"].astype(str).str.strip() != ""]
    return long.sort_values(["_row", "year"]).reset_index(drop=True)


# ---------------------------------------------------------------- the dataset
