"""The rows of a data table checked one by one: region, indicator, year and value read, converted
to the indicator's unit and held to plausible bounds, every problem collected as a DataError naming
file, row and column; clean tables take a fast path in arrays. Imports the leaves only.
"""
from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import units as U
from ..errors import DataError, DataErrors

if TYPE_CHECKING:
    from . import Indicator, Region

YEAR_MIN, YEAR_MAX = 1949, 2100
YEAR_HEADER = re.compile(r"(?:y|fy)?\s*(\d{4})(?:\.0+)?\s*(?:年)?", re.I)


_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")


def parse_number(text) -> float:
    """A finite number as written in a cell; '1,245.0' and '12,345' read, '5,1' (decimal comma) refused."""
    s = str(text).strip()
    if _THOUSANDS.fullmatch(s):
        s = s.replace(",", "")
    elif "," in s or "，" in s:
        raise ValueError(f"value '{text}' has a comma that is not a thousands separator (decimal comma?)")
    if s.lower().lstrip("+-") in ("nan", "inf", "infinity", "na", "n/a", "null", "none"):
        raise ValueError(f"value '{text}' is not a finite number")
    if not _NUMBER.fullmatch(s):
        raise ValueError(f"value '{str(text)[:60]}' is not a number")
    v = float(s)
    if not math.isfinite(v):
        raise ValueError(f"value '{text}' is not a finite number (too large)")
    return v


# Largest plausible magnitude per unit, after conversion: far above any real civil-affairs figure,
# far below what a typo or an export glitch (1e308, a cell pasted twice) produces.
_MAX_ABS = {
    "yuan": 1e15,                  # 10x China's GDP (about 1.3e14 yuan in 2024)
    "yuan/person/year": 1e7,       # 100x China's per-capita disposable income
    "yuan/person/month": 1e6,
    "percent": 1e4,                # a ratio of 100x; shares are held to 0-100 separately
    "times": 1e4,
}
_MAX_COUNT = 1e10                  # about 7x China's population: no count of people, beds or visits is larger
_MAX_OTHER = 1e9                   # densities, areas, minutes


def max_abs(unit: str) -> float:
    """The sanity bound for values in canonical `unit` (why: see _MAX_ABS)."""
    return _MAX_ABS.get(unit) or (_MAX_COUNT if U.is_count(unit) else _MAX_OTHER)


def must_be_positive(meta: Indicator) -> bool:
    """Amounts that are never 0: an administered standard (only ever raised or held), and the incomes
    and poverty lines (yuan per person, context series) that ratio targets divide by."""
    per_person = meta.unit.startswith("yuan/person/")
    return meta.kind == "level" and (meta.monotone == "nondecreasing" or (per_person and meta.direction == "none"))


def check_value(val: float, meta: Indicator, raw, *, file: str | None = None, row: int | None = None,
                column: str | None = None) -> DataError | None:
    """The value rules every reader applies (sanity bound per unit, no negative count or share, share <= 100):
    the problem with `val` (already in meta.unit) for indicator `meta`, or None."""
    limit = max_abs(meta.unit)
    if not abs(val) <= limit:
        return DataError(f"value {raw} ({val:.4g} {meta.unit}) is beyond the sanity bound {limit:g} {meta.unit} "
                         f"for {meta.id}", file=file, row=row, column=column,
                         fix="check the number and the unit (万/亿 multipliers, monthly vs yearly)")
    if val < 0 and meta.kind in ("level", "share"):
        return DataError(f"negative value {val:g} for {meta.id} ({meta.kind})", file=file, row=row, column=column,
                         fix="counts, amounts and shares cannot be negative")
    if val <= 0 and must_be_positive(meta):
        return DataError(f"{meta.id} ({meta.name_zh}) must be above 0, got {val:g}: a standard, income or poverty "
                         "line of 0 is impossible, and ratio targets divide by it", file=file, row=row,
                         column=column, fix="correct the value, or leave the year out if it is not known")
    if meta.kind == "share" and val > 100:
        return DataError(f"share {val:g}% is above 100", file=file, row=row, column=column,
                         fix="give shares in percent between 0 and 100")
    return None


def check_target_value(t, meta: Indicator, *, file: str, column: str) -> DataError | None:
    """A plan target's number by the same rules as the data (check_value): a level target in its
    indicator's unit (no negative count, no share above 100, the sanity bound); a ratio of two
    positive quantities above 0. Growth and 新增 targets may be negative (a fall planned)."""
    for key in ("value", "value_high"):
        v = getattr(t, key)
        if v is None:
            continue
        if t.kind == "level":
            err = check_value(float(v), meta, v, file=file, column=f"{column}.{key}")
            if err is not None:
                return DataError(f"target '{t.id}': {err.message}", file=file, column=f"{column}.{key}",
                                 fix=err.fix)
        elif t.kind == "ratio" and not float(v) > 0:
            return DataError(f"target '{t.id}': a ratio of two positive quantities cannot be {v:g}", file=file,
                             column=f"{column}.{key}", fix="give the ratio above 0, e.g. 1.5 (倍) or 75 (%)")
    return None


_PLAIN = re.compile(r"-?\d+(\.\d+)?")
ROW_COLUMNS = ["region", "indicator", "year", "value", "unit", "source", "quote", "note", "file", "row"]


def _clean_rows(df: pd.DataFrame, file: str, indicators: dict[str, Indicator],
                regions: dict[str, Region]) -> pd.DataFrame | None:
    """The rows `check_rows` would keep, computed in arrays, when no row has a problem; else None,
    and the row-by-row check writes the messages. A national county file has a million rows, with
    few distinct regions, indicators, years and units: each distinct text is read once."""
    def col(c, fn=str.strip):
        if c not in df.columns:
            return np.full(len(df), "", dtype=object)
        codes, uniq = pd.factorize(df[c].astype(str))
        return np.array([fn(u) for u in uniq] + [""], dtype=object)[codes]
    reg, ind = col("region"), col("indicator")
    if (reg == "").any() or (ind == "").any():
        return None  # an empty cell: the row-by-row check names it
    if not (pd.Series(reg).isin(list(regions)).all() and pd.Series(ind).isin(list(indicators)).all()):
        return None
    try:
        year = col("year", lambda y: int(y.strip()) if re.fullmatch(r"\d{4}", y.strip()) else None).astype(int)
        # plain numbers only; anything else (thousands separators, commas, exponents, words) takes
        # the row-by-row path, which reads it or says exactly what is wrong
        val = col("value", lambda v: float(v.strip()) if _PLAIN.fullmatch(v.strip()) else None).astype(float)
    except (TypeError, ValueError):
        return None
    if ((year < YEAR_MIN) | (year > YEAR_MAX)).any() or np.isnan(val).any():
        return None
    ind_codes, ind_uniq = pd.factorize(ind)
    meta_unit = np.array([indicators[i].unit for i in ind_uniq], dtype=object)[ind_codes]
    unit = col("unit")
    unit = np.where(unit == "", meta_unit, unit)
    for (u, mu), idx in pd.DataFrame({"u": unit, "m": meta_unit}).groupby(["u", "m"]).indices.items():
        try:
            val[idx] = U.convert(val[idx], u, mu)
        except DataError:
            return None
    if any((np.abs(val[meta_unit == u]) > max_abs(u)).any() for u in set(meta_unit)):
        return None  # beyond the sanity bound: the row-by-row check names the rows
    kind = np.array([indicators[i].kind for i in ind_uniq], dtype=object)[ind_codes]
    if ((val < 0) & np.isin(kind, ["level", "share"])).any() or ((kind == "share") & (val > 100)).any():
        return None
    positive = np.array([must_be_positive(indicators[i]) for i in ind_uniq], dtype=bool)[ind_codes]
    if (positive & (val <= 0)).any():
        return None
    return pd.DataFrame({"region": reg, "indicator": ind, "year": year, "value": val, "unit": meta_unit,
                         "source": col("source"), "quote": col("quote", str), "note": col("note", str),
                         "file": file, "row": df["_row"].to_numpy()}, columns=ROW_COLUMNS)


def check_rows(df: pd.DataFrame, file: str, indicators: dict[str, Indicator], regions: dict[str, Region],
                *, require_source: bool) -> tuple[pd.DataFrame, list[DataError]]:
    errs: list[DataError] = []
    need = ["region", "indicator", "year", "value"] + (["unit", "source", "quote"] if require_source else [])
    missing = [c for c in need if c not in df.columns]
    if missing:
        raise DataErrors([DataError(f"missing column '{c}'", file=file, column=c,
                                    fix="long layout needs columns " + ", ".join(need)
                                    + "; wide layout needs region, indicator and one column per year")
                          for c in missing])
    rows = []
    cols = list(df.columns)  # plain lists: to_dict("records") boxes every cell and halves the speed
    out = _clean_rows(df, file, indicators, regions)  # a national file: a million clean rows, in arrays
    for rec in (dict(zip(cols, vals)) for vals in zip(*(df[c].tolist() for c in cols))) if out is None else ():
        r = rec["_row"]
        bad = False
        reg, ind = str(rec["region"]).strip(), str(rec["indicator"]).strip()
        if not reg or not ind:
            errs.append(DataError(f"the {'region' if not reg else 'indicator'} cell is empty", file=file, row=r,
                                  column="region" if not reg else "indicator",
                                  fix="fill it in on every row (merged or blank cells are not repeated)"))
            continue
        if reg not in regions:
            errs.append(DataError(f"unknown region '{reg[:60]}'", file=file, row=r, column="region",
                                  fix="add a 'region_name' column to define a new region, or use one of: "
                                  + ", ".join(regions)))
            bad = True
        if ind not in indicators:
            errs.append(DataError(f"unknown indicator '{ind[:60]}'", file=file, row=r, column="indicator",
                                  fix="add columns 'indicator_name' and 'unit' (or a companion "
                                  "<file>.indicators.yaml) to define it, or use a bundled id"))
            bad = True
        ys = str(rec["year"]).strip()
        ym = YEAR_HEADER.fullmatch(ys)  # 2020, 2020年, Y2020, 2020.0 as in the headers
        year = int(ym.group(1)) if ym else None
        if year is None:
            errs.append(DataError(f"year '{ys[:20]}' is not a whole year", file=file, row=r, column="year",
                                  fix="write the year as four digits, e.g. 2020"))
            bad = True
        elif not YEAR_MIN <= year <= YEAR_MAX:
            errs.append(DataError(f"year {year} is out of range {YEAR_MIN}-{YEAR_MAX}", file=file, row=r,
                                  column="year"))
            bad = True
        try:
            val = parse_number(rec["value"])
        except ValueError as e:
            errs.append(DataError(str(e), file=file, row=r, column="value",
                                  fix="write a plain number such as 14.7 (decimal point, not comma) with the "
                                  "multiplier in the unit column (万张)"))
            bad = True
        if bad:
            continue
        meta = indicators[ind]
        unit = str(rec.get("unit") or "").strip() or meta.unit
        try:
            val = U.convert(val, unit, meta.unit, file=file, row=r)
        except DataError as e:
            errs.append(e)
            continue
        bad_value = check_value(val, meta, rec["value"], file=file, row=r, column="value")
        if bad_value is not None:
            errs.append(bad_value)
            continue
        rows.append(dict(region=reg, indicator=ind, year=year, value=val, unit=meta.unit,
                         source=str(rec.get("source", "") or "").strip(), quote=str(rec.get("quote", "") or ""),
                         note=str(rec.get("note", "") or ""), file=file, row=r))
    if out is None:
        out = pd.DataFrame(rows, columns=ROW_COLUMNS)
    # duplicates with different values
    if not out.empty:
        dup = out[out.duplicated(["region", "indicator", "year"], keep=False)]
        for key, g in dup.groupby(["region", "indicator", "year"]):
            if g.value.nunique() > 1:
                errs.append(DataError(
                    f"{key[0]}/{key[1]}/{key[2]} appears with different values "
                    + ", ".join(f"{v:g} (row {rr})" for v, rr in zip(g.value, g.row)),
                    file=file, row=int(g.row.iloc[0]), column="value", fix="keep one row per region, indicator and year"))
        out = out.drop_duplicates(["region", "indicator", "year"])
    return out, errs
