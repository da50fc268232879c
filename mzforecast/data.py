"""Load, validate and merge the bundled dataset and analysts' own files.

Every row is checked and every problem collected, so one run of ``mzforecast data check``
lists everything to fix. Bundled files are read, never written.
"""
from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from . import io as _io, resources as _resources, units as U
from .errors import DataError, DataErrors

LONG_COLUMNS = ["region", "indicator", "year", "value", "unit", "source", "quote"]
YEAR_MIN, YEAR_MAX = 1949, 2100


def data_dir() -> Path:
    """The bundled data folder (override with MZFORECAST_DATA for a copy elsewhere)."""
    return _resources.data_dir()


class Indicator(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name_zh: str
    name_en: str = ""
    unit: str
    kind: Literal["level", "share", "ratio"] = "level"
    direction: Literal["higher", "lower", "none"] = "higher"
    aggregation: Literal["stock", "period_total", "period_mean"] = "stock"
    # ---- structure the models respect (issue 9; reasons in data/README.md)
    # monotone: administered standards (低保, 特困, orphan allowances) are only raised or held,
    # so no forecast path falls below the last value or from one year to the next.
    monotone: Literal["nondecreasing", "nonincreasing"] | None = None
    # bounds: [low, high] every forecast path stays inside; shares default to [0, 100].
    bounds: tuple[float | None, float | None] | None = None

    @model_validator(mode="after")
    def _structure(self):
        if self.bounds is None and self.kind == "share":
            self.bounds = (0.0, 100.0)
        lo, hi = self.bounds or (None, None)
        if lo is not None and hi is not None and lo >= hi:
            raise ValueError(f"bounds [{lo}, {hi}]: the lower bound must be below the upper bound")
        return self

    @field_validator("id")
    @classmethod
    def _snake(cls, v: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", v):
            raise ValueError("must be snake_case: lower-case letters, digits and _")
        return v

    @field_validator("unit")
    @classmethod
    def _unit(cls, v: str) -> str:
        try:
            return U.normalise(v)[0]
        except KeyError:
            raise ValueError(f"unknown unit '{v}'; known: {', '.join(sorted(U.known_units()))}") from None

    def name(self, language: str = "zh") -> str:
        return self.name_zh if language == "zh" or not self.name_en else self.name_en


class Region(BaseModel):
    id: str
    name_zh: str
    name_en: str = ""
    parent: str | None = None


class Source(BaseModel):
    id: str
    title: str
    issuer: str
    date: str
    seed: str | None = None
    document_number: str | None = None


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last one silently)."""

    def construct_mapping(self, node, deep=False):
        seen: dict = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # unhashable key: the base constructor reports it
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key '{key}' (first given on line {first + 1})", key_node.start_mark)
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


def read_yaml(path: Path):
    """Parse YAML, turning syntax errors, duplicate keys and runaway nesting into a message with the line."""
    path = Path(path)
    if path.is_dir():
        raise DataError("this is a folder, not a YAML file", file=str(path), fix="give the path of a .yaml file")
    if path.exists() and not path.is_file():
        raise DataError("this is not a regular file (a device or pipe)", file=str(path),
                        fix="save the YAML to a file and give its path")
    if path.is_file() and path.stat().st_size > 20 * 10**6:
        raise DataError("the file is larger than 20 MB: not a plan, params or indicators file", file=str(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DataError("file not found", file=str(path)) from None
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", file=str(path), fix="save the YAML file as UTF-8") from None
    except OSError as e:
        raise DataError(f"cannot read the file: {e.strerror or e}", file=str(path)) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        dup = "duplicate key" in str(getattr(e, "problem", ""))
        raise DataError(f"YAML {'error' if dup else 'syntax error'} at {line}{getattr(e, 'problem', e)}",
                        file=str(path), row=mark.line + 1 if mark else None,
                        fix="give each key once" if dup else
                        "check indentation and quote values that contain ':' or '#' or tabs") from None
    except RecursionError:
        raise DataError("the YAML is nested too deeply to be a plan, params or indicators file", file=str(path),
                        fix="check for runaway brackets or indentation") from None


def validation_errors(e: ValidationError, file: str, prefix: str = "", known=()) -> list[DataError]:
    """Pydantic errors as DataErrors with the key path; unknown keys named with the closest known key."""
    import difflib
    out = []
    for err in e.errors():
        loc = ".".join(str(x) for x in err["loc"])
        path = f"{prefix}.{loc}" if prefix and loc else (prefix or loc)
        if err["type"] == "extra_forbidden":
            key = str(err["loc"][-1])
            keys = known(err["loc"]) if callable(known) else known
            near = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
            msg = f"unknown key '{key}'" + (f": did you mean '{near[0]}'?" if near else "")
            fix = "known keys here: " + ", ".join(sorted(keys)) if keys else None
        else:
            msg = err["msg"]
            if not err["type"].startswith(("value_error", "assertion")) and "input" in err \
                    and not isinstance(err["input"], (dict, list)):
                msg += f" (got {err['input']!r:.60})"
            fix = None
        out.append(DataError(msg, file=file, column=path or None, fix=fix))
    return out


def _validate_list(path: Path, key: str, model):
    doc = read_yaml(path) or {}
    items = doc.get(key) if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise DataError(f"expected a top-level key '{key}:' holding a list", file=str(path))
    out, errs = {}, []
    for i, item in enumerate(items):
        try:
            obj = model.model_validate(item)
        except ValidationError as e:
            errs += validation_errors(e, str(path), f"{key}[{i}]", model.model_fields)
            continue
        if obj.id in out:
            errs.append(DataError(f"duplicate id '{obj.id}'", file=str(path), column=f"{key}[{i}].id"))
        out[obj.id] = obj
    if errs:
        raise DataErrors(errs)
    return out


def load_indicators(path: Path | None = None) -> dict[str, Indicator]:
    return _validate_list(path or data_dir() / "indicators.yaml", "indicators", Indicator)


def load_sources(path: Path | None = None) -> dict[str, Source]:
    return _validate_list(path or data_dir() / "sources.yaml", "sources", Source)


def load_regions(path: Path | None = None) -> dict[str, Region]:
    path = path or data_dir() / "regions.csv"
    df = _io.read_table(path)
    out, errs = {}, []
    for row, r in zip(df.attrs.get("rows", []), df.to_dict("records")):
        try:
            reg = Region(id=str(r.get("id", "")).strip(), name_zh=r.get("name_zh"), name_en=r.get("name_en") or "",
                         parent=r.get("parent") or None)
        except ValidationError as e:
            errs += [DataError(f"{err['msg']}", file=str(path), row=row, column=".".join(map(str, err["loc"])))
                     for err in e.errors()]
            continue
        if not reg.id or reg.id in out:
            errs.append(DataError(f"{'duplicate' if reg.id else 'empty'} region id '{reg.id}'", file=str(path),
                                  row=row, column="id"))
        out[reg.id] = reg
    if errs:
        raise DataErrors(errs)
    return out


# ---------------------------------------------------------------- reading tables
# Column names as users write them: case, surrounding spaces and inner spaces do not matter.
KNOWN_COLUMNS = {"region", "region_name", "indicator", "indicator_name", "year", "value", "unit", "source",
                 "quote", "note", "kind"}
_YEAR_HEADER = re.compile(r"(?:y|fy)?\s*(\d{4})(?:\.0+)?\s*(?:年)?", re.I)


def _column_name(col) -> str:
    """'2019年', '2019 年', 'Y2019', '2019.0' -> '2019'; ' Unit ' -> 'unit'; 'Region Name' -> 'region_name'."""
    s = str(col).strip()
    m = _YEAR_HEADER.fullmatch(s)
    if m:
        return str(int(m.group(1)))  # full-width digits (２０１９年) too
    key = re.sub(r"\s+", "_", s.lower())
    return key if key in KNOWN_COLUMNS else s


def normalise_columns(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """Canonical column names; two columns that mean the same thing are refused, not one silently dropped."""
    names = [_column_name(c) for c in df.columns]
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


def _is_year(col: str) -> bool:
    return bool(re.fullmatch(r"\d{4}", str(col)))


def to_long(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """Turn the wide yearbook layout (one column per year) into the long layout."""
    year_cols = [c for c in df.columns if _is_year(c)]
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
def _closest(name: str, known) -> str:
    import difflib
    near = difflib.get_close_matches(str(name), list(known), n=3, cutoff=0.6)
    return "; did you mean " + " or ".join(f"'{n}'" for n in near) + "?" if near else ""


def describe_years(years) -> str:
    """'2010-2015, 2018 (7 years)' for messages that say which years do have data."""
    ys = sorted(set(int(y) for y in years))
    if not ys:
        return "none"
    runs, start = [], ys[0]
    for a, b in zip(ys, ys[1:] + [None]):
        if b != a + 1:
            runs.append(f"{start}" if start == a else f"{start}-{a}")
            start = b
    return ", ".join(runs) + f" ({len(ys)} year{'s' if len(ys) > 1 else ''})"


def _resolve(name, items: dict, suffixes: tuple) -> str:
    """An id from an id or a unique name (a trailing 市/省… optional); else `name` unchanged, for the
    caller's 'unknown … did you mean' message."""
    key = str(name).strip()
    if key in items:
        return key
    low = key.lower()
    exact = [i for i, m in items.items()
             if low == i.lower() or key == m.name_zh or (m.name_en and low == m.name_en.lower())]
    if len(exact) == 1:
        return exact[0]
    short = [i for i, m in items.items() if suffixes and m.name_zh.endswith(suffixes) and m.name_zh[:-1] == key]
    return short[0] if len(short) == 1 else key


@dataclass
class Dataset:
    """Observations in long format with the metadata needed to read them."""

    observations: pd.DataFrame
    indicators: dict[str, Indicator]
    regions: dict[str, Region]
    sources: dict[str, Source]
    messages: list[str] = field(default_factory=list)

    def series(self, region: str, indicator: str, as_of: int | None = None) -> pd.Series:
        """Yearly values of one indicator, indexed by year; only years <= as_of if given.

        `region` and `indicator` are ids or Chinese/English names ('长春', '长春市', 'Changchun')."""
        region, indicator = self.region_id(region), self.indicator_id(indicator)
        if indicator not in self.indicators:
            raise DataError(f"unknown indicator '{indicator}'" + _closest(indicator, self.indicators),
                            fix="see `mzforecast data export` or data/indicators.yaml for the ids")
        if region not in self.regions:
            raise DataError(f"unknown region '{region}'" + _closest(region, self.regions),
                            fix="known: " + ", ".join(self.regions))
        s = self._groups().get((region, indicator), self.observations.iloc[:0])
        years_all = sorted(int(y) for y in s.year)
        if as_of is not None:
            s = s[s.year <= as_of]
        out = pd.Series(s.value.to_numpy(float), index=pd.Index(s.year.to_numpy(int), name="year"),
                        name=indicator).sort_index()
        out.attrs.update(region=region, indicator=indicator, as_of=as_of, unit=self.indicators[indicator].unit,
                         kind=self.indicators[indicator].kind, aggregation=self.indicators[indicator].aggregation,
                         years_available=years_all,
                         monotone=self.indicators[indicator].monotone, bounds=self.indicators[indicator].bounds,
                         region_name=self.regions[region].name_zh, indicator_name=self.indicators[indicator].name_zh)
        return out

    def region_id(self, name: str) -> str:
        """The id of a region given by id or by name (长春市, 长春, Changchun); unknown names come back as given."""
        return _resolve(name, self.regions, ("市", "省", "县", "区", "盟", "州"))

    def indicator_id(self, name: str) -> str:
        """The id of an indicator given by id or by its Chinese or English name."""
        return _resolve(name, self.indicators, ())

    def _groups(self) -> dict:
        """Observations split by (region, indicator) once: series() is called per target and year."""
        key = id(self.observations)
        if getattr(self, "_group_key", None) != key:
            self._group_cache = {k: g for k, g in self.observations.groupby(["region", "indicator"], sort=False)}
            self._group_key = key
        return self._group_cache

    def with_files(self, paths: Iterable[str | Path], sheet: str | None = None) -> "Dataset":
        ds = self
        for p in paths:
            ds = merge(ds, load_user_file(p, ds, sheet=sheet))
        return ds


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


_PLAIN = re.compile(r"-?\d+(\.\d+)?")
ROW_COLUMNS = ["region", "indicator", "year", "value", "unit", "source", "quote", "note", "file", "row"]


def _clean_rows(df: pd.DataFrame, file: str, indicators: dict[str, Indicator],
                regions: dict[str, Region]) -> pd.DataFrame | None:
    """The rows `_check_rows` would keep, computed in arrays, when no row has a problem; else None,
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
    return pd.DataFrame({"region": reg, "indicator": ind, "year": year, "value": val, "unit": meta_unit,
                         "source": col("source"), "quote": col("quote", str), "note": col("note", str),
                         "file": file, "row": df["_row"].to_numpy()}, columns=ROW_COLUMNS)


def _check_rows(df: pd.DataFrame, file: str, indicators: dict[str, Indicator], regions: dict[str, Region],
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
    out = _clean_rows(df, file, indicators, regions)  # issue 14: a million clean rows in arrays
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
        ym = _YEAR_HEADER.fullmatch(ys)  # 2020, 2020年, Y2020, 2020.0 as in the headers
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
        limit = max_abs(meta.unit)
        if not abs(val) <= limit:
            errs.append(DataError(f"value {rec['value']} ({val:.4g} {meta.unit}) is beyond the sanity bound "
                                  f"{limit:g} {meta.unit} for {ind}", file=file, row=r, column="value",
                                  fix="check the number and the unit (万/亿 multipliers, monthly vs yearly)"))
            continue
        if val < 0 and meta.kind in ("level", "share"):
            errs.append(DataError(f"negative value {val:g} for {ind} ({meta.kind})", file=file, row=r,
                                  column="value", fix="counts, amounts and shares cannot be negative"))
            continue
        if meta.kind == "share" and val > 100:
            errs.append(DataError(f"share {val:g}% is above 100", file=file, row=r, column="value",
                                  fix="give shares in percent between 0 and 100"))
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


@lru_cache(maxsize=4)
def _bundled(path: str) -> Dataset:
    d = Path(path)
    indicators = load_indicators(d / "indicators.yaml")
    regions = load_regions(d / "regions.csv")
    sources = load_sources(d / "sources.yaml")
    f = str(d / "observations.csv")
    df = to_long(read_table(f), f)
    obs, errs = _check_rows(df, f, indicators, regions, require_source=True)
    for rec in obs.itertuples():
        if rec.source not in sources:
            errs.append(DataError(f"unknown source '{rec.source}'", file=f, row=rec.row, column="source",
                                  fix="define it in sources.yaml"))
    if errs:
        raise DataErrors(errs)
    return Dataset(obs.reset_index(drop=True), indicators, regions, sources)


def load_bundled(path: str | Path | None = None) -> Dataset:
    """The bundled dataset (validated once per process, then copied)."""
    b = _bundled(str(Path(path) if path else data_dir()))
    return Dataset(b.observations.copy(), dict(b.indicators), dict(b.regions), dict(b.sources), [])


def load_user_file(path, base: Dataset | None = None, sheet: str | None = None) -> pd.DataFrame:
    """Validate an analyst's CSV/XLSX (long or wide) against the dataset's metadata.

    New regions come with a `region_name` column; new indicators with `indicator_name` and
    `unit` columns or a companion `<file>.indicators.yaml`. Returns the validated rows with
    `.attrs['indicators']` and `.attrs['regions']` holding any new metadata.
    """
    if not isinstance(path, (str, Path)):  # a pandas object: the same checks as a file's table
        from . import frames
        table = frames.series_table(path) if isinstance(path, pd.Series) else frames.table(path)
        return validate_table(normalise_columns(table, table.attrs["label"]), base, None)
    return validate_table(read_table(path, sheet), base, Path(path).with_suffix(".indicators.yaml"))


def validate_table(table: pd.DataFrame, base: Dataset | None = None, companion: Path | None = None) -> pd.DataFrame:
    """load_user_file's checks on a table already read (canonical column names, attrs rows/label)."""
    base = base or load_bundled()
    file = table.attrs.get("label", "table")
    df = to_long(table, file)
    indicators, regions = dict(base.indicators), dict(base.regions)
    new_ind: dict[str, Indicator] = {}
    new_reg: dict[str, Region] = {}
    if companion is not None and companion.exists():
        errs = []
        for k, v in load_indicators(companion).items():
            old = base.indicators.get(k)
            changed = [f for f in ("unit", "kind", "aggregation", "direction")
                       if old is not None and getattr(old, f) != getattr(v, f)]
            if changed:
                errs.append(DataError(
                    f"indicator '{k}' is already defined; this file changes its "
                    + ", ".join(f"{f} from '{getattr(old, f)}' to '{getattr(v, f)}'" for f in changed),
                    file=str(companion), column=k, fix="a companion file may add indicators, not redefine one: "
                    "use a new id, or give values in the defined unit (the unit column converts 万/月 etc.)"))
            elif old is None:
                new_ind[k] = v
        if errs:
            raise DataErrors(errs)
    errs: list[DataError] = []
    if "region_name" in df.columns and "region" in df.columns:
        for rec in df.drop_duplicates("region").to_dict("records"):
            rid = str(rec["region"]).strip()
            if rid not in regions and str(rec["region_name"]).strip():
                new_reg[rid] = Region(id=rid, name_zh=str(rec["region_name"]).strip())
    if "indicator_name" in df.columns and "indicator" in df.columns:
        for rec in df.drop_duplicates("indicator").to_dict("records"):
            iid = str(rec["indicator"]).strip()
            if iid in indicators or iid in new_ind or not str(rec["indicator_name"]).strip():
                continue
            try:
                new_ind[iid] = Indicator(id=iid, name_zh=str(rec["indicator_name"]).strip(),
                                         unit=str(rec.get("unit", "")).strip(),
                                         kind=str(rec.get("kind", "") or "level").strip())
            except ValidationError as e:
                for err in e.errors():
                    errs.append(DataError(f"new indicator '{iid}': {err['msg']}", file=file, row=rec["_row"],
                                          column=".".join(map(str, err["loc"]))))
    indicators.update(new_ind)
    regions.update(new_reg)
    rows, row_errs = _check_rows(df, file, indicators, regions, require_source=False)
    errs += row_errs
    if errs:
        raise DataErrors(errs)
    rows.attrs["indicators"], rows.attrs["regions"] = new_ind, new_reg
    return rows


def merge(base: Dataset, user: pd.DataFrame) -> Dataset:
    """User rows override bundled rows with the same region, indicator and year; each override is reported."""
    msgs = list(base.messages)
    new_ind, new_reg = user.attrs.get("indicators", {}), user.attrs.get("regions", {})
    user = user.copy(deep=False)
    user.attrs = {}  # else every pandas step below deep-copies thousands of new regions' metadata
    key = ["region", "indicator", "year"]
    b = base.observations
    both = b.merge(user[key + ["value", "file", "row"]], on=key, suffixes=("", "_user"))
    # a file that repeats a bundled value (an unfilled template) keeps the bundled row and its source
    rep = np.isclose(both.value.to_numpy(float), both.value_user.to_numpy(float), rtol=1e-12, atol=0)
    same = both[rep][key]
    if len(same):
        attrs = user.attrs
        user = user.merge(same, on=key, how="left", indicator="_same")
        user = user[user.pop("_same").eq("left_only")]
        user.attrs = attrs
        both = both[~rep]
    if user.empty and not user.attrs.get("indicators") and not user.attrs.get("regions"):
        return Dataset(b, dict(base.indicators), dict(base.regions), base.sources, msgs)  # nothing new
    for r in both.itertuples():
        if r.value != r.value_user:
            msgs.append(f"{r.file_user}, row {r.row_user}: {r.region}/{r.indicator}/{r.year} = {r.value_user:g} "
                        f"overrides the bundled value {r.value:g}")
    user = user.copy()
    user.loc[user.source == "", "source"] = "user"
    kept = b.merge(user[key], on=key, how="left", indicator=True)
    kept = b[(kept["_merge"] == "left_only").to_numpy()]
    obs = pd.concat([kept, user], ignore_index=True).sort_values(key).reset_index(drop=True)
    ind = dict(base.indicators); ind.update(new_ind)
    reg = dict(base.regions); reg.update(new_reg)
    return Dataset(obs, ind, reg, base.sources, msgs)


def load(data=None, sheet: str | None = None) -> Dataset:
    """The bundled data merged with the analyst's own data, in order (later sources win).

    Parameters
    ----------
    data : str, Path, pandas.DataFrame, pandas.Series, Dataset or a list of these, optional
        CSV or .xlsx files, or DataFrames in the same long layout (region, indicator, year, value,
        optional unit, source…) or wide layout (region, indicator, one column per year). A
        DataFrame meets the same checks as a file. A Series needs ``attrs['region']`` and a name
        (the indicator id), as ``mzf.series`` gives it. A Dataset is returned as it is.
    sheet : str, optional
        The sheet to read from workbooks (default: the first).

    Returns
    -------
    Dataset
        Observations with indicator, region and source metadata; ``messages`` lists overrides.

    Raises
    ------
    DataErrors
        Every problem found, each naming the file (or "DataFrame"), row and column.

    Examples
    --------
    >>> ds = load(pd.DataFrame({"region": ["changchun"], "indicator": ["dibao_standard_urban"],
    ...                         "year": [2026], "value": [800], "unit": ["元/人·月"]}))  # doctest: +SKIP
    """
    if isinstance(data, Dataset):
        return data
    if data is None:
        return load_bundled()
    if isinstance(data, (str, Path, pd.DataFrame, pd.Series)):
        data = [data]
    return load_bundled().with_files(data, sheet=sheet)


def check_files(paths: Iterable[str | Path], sheet: str | None = None) -> list[DataError]:
    """Every problem in the given files (or the bundled data if none), without raising."""
    errs: list[DataError] = []
    try:
        base = load_bundled()
    except DataErrors as e:
        return e.errors
    except DataError as e:
        return [e]
    for p in paths:
        try:
            load_user_file(p, base, sheet=sheet)
        except DataErrors as e:
            errs += e.errors
        except DataError as e:
            errs.append(e)
    return errs
