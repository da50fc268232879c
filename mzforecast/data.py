"""Load, validate and merge the bundled dataset and analysts' own files.

Every row is checked and every problem collected, so one run of ``mzforecast data check``
lists everything to fix. Bundled files are read, never written.
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ValidationError, field_validator

from . import units as U
from .errors import DataError, DataErrors

LONG_COLUMNS = ["region", "indicator", "year", "value", "unit", "source", "quote"]
YEAR_MIN, YEAR_MAX = 1949, 2100


def data_dir() -> Path:
    """The bundled data folder (override with MZFORECAST_DATA for a copy elsewhere)."""
    env = os.environ.get("MZFORECAST_DATA")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "data"


class Indicator(BaseModel):
    id: str
    name_zh: str
    name_en: str = ""
    unit: str
    kind: Literal["level", "share", "ratio"] = "level"
    direction: Literal["higher", "lower", "none"] = "higher"
    aggregation: Literal["stock", "period_total", "period_mean"] = "stock"

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


def read_yaml(path: Path):
    """Parse YAML, turning syntax errors into a message with the line."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataError("file not found", file=str(path)) from None
    except UnicodeDecodeError:
        raise DataError("not UTF-8 text", file=str(path), fix="save the YAML file as UTF-8") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise DataError(f"YAML syntax error at {line}{getattr(e, 'problem', e)}", file=str(path),
                        fix="check indentation and quote values that contain ':' or '#' or tabs") from None


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
            for err in e.errors():
                loc = ".".join(str(x) for x in err["loc"])
                errs.append(DataError(err["msg"], file=str(path), column=f"{key}[{i}].{loc}"))
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
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    return {r["id"]: Region(id=r["id"], name_zh=r["name_zh"], name_en=r.get("name_en", ""),
                            parent=r.get("parent") or None) for r in df.to_dict("records")}


# ---------------------------------------------------------------- reading tables
def read_table(path: str | Path) -> pd.DataFrame:
    """Read CSV (UTF-8, UTF-8 with BOM, or GBK as Excel saves it in China) or .xlsx as strings."""
    path = Path(path)
    if not path.exists():
        raise DataError("file not found", file=str(path))
    if path.stat().st_size == 0:
        raise DataError("the file is empty", file=str(path), fix="export the sheet again with a header row")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            df = pd.read_excel(path, dtype=str, keep_default_na=False)
        except Exception as e:  # openpyxl raises many kinds
            raise DataError(f"cannot read the workbook: {e}", file=str(path)) from None
    elif path.suffix.lower() == ".xls":
        raise DataError("old .xls workbooks are not supported", file=str(path),
                        fix="save as .xlsx or as CSV (UTF-8)")
    else:
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise DataError("cannot decode the file as UTF-8 or GBK", file=str(path),
                            fix="in Excel choose 'CSV UTF-8 (逗号分隔)' when saving")
        try:
            df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skipinitialspace=True)
        except pd.errors.EmptyDataError:
            raise DataError("the file is empty", file=str(path), fix="add a header row and data rows") from None
        except pd.errors.ParserError as e:
            raise DataError(f"not a valid CSV table: {e}", file=str(path)) from None
    df.columns = [str(c).strip() for c in df.columns]
    if df.empty:
        raise DataError("the file has a header but no data rows", file=str(path))
    return df


def _is_year(col: str) -> bool:
    return bool(re.fullmatch(r"\d{4}(\.0)?", str(col).strip()))


def to_long(df: pd.DataFrame, file: str) -> pd.DataFrame:
    """Turn the wide yearbook layout (one column per year) into the long layout."""
    year_cols = [c for c in df.columns if _is_year(c)]
    if "year" in df.columns or not year_cols:
        out = df.copy()
        out["_row"] = range(2, len(df) + 2)  # spreadsheet row numbers: header is row 1
        return out
    id_cols = [c for c in df.columns if c not in year_cols]
    d = df.copy()
    d["_row"] = range(2, len(df) + 2)
    long = d.melt(id_vars=id_cols + ["_row"], value_vars=year_cols, var_name="year", value_name="value")
    long["year"] = long["year"].str.replace(".0", "", regex=False)
    long = long[long["value"].astype(str).str.strip() != ""]
    return long.sort_values(["_row", "year"]).reset_index(drop=True)


# ---------------------------------------------------------------- the dataset
@dataclass
class Dataset:
    """Observations in long format with the metadata needed to read them."""

    observations: pd.DataFrame
    indicators: dict[str, Indicator]
    regions: dict[str, Region]
    sources: dict[str, Source]
    messages: list[str] = field(default_factory=list)

    def series(self, region: str, indicator: str, as_of: int | None = None) -> pd.Series:
        """Yearly values of one indicator, indexed by year; only years <= as_of if given."""
        if indicator not in self.indicators:
            raise DataError(f"unknown indicator '{indicator}'",
                            fix="see `mzforecast data export` or data/indicators.yaml for the ids")
        if region not in self.regions:
            raise DataError(f"unknown region '{region}'", fix="known: " + ", ".join(self.regions))
        s = self._groups().get((region, indicator), self.observations.iloc[:0])
        if as_of is not None:
            s = s[s.year <= as_of]
        out = pd.Series(s.value.to_numpy(float), index=pd.Index(s.year.to_numpy(int), name="year"),
                        name=indicator).sort_index()
        out.attrs.update(region=region, indicator=indicator, unit=self.indicators[indicator].unit,
                         kind=self.indicators[indicator].kind)
        return out

    def _groups(self) -> dict:
        """Observations split by (region, indicator) once: series() is called per target and year."""
        key = id(self.observations)
        if getattr(self, "_group_key", None) != key:
            self._group_cache = {k: g for k, g in self.observations.groupby(["region", "indicator"], sort=False)}
            self._group_key = key
        return self._group_cache

    def with_files(self, paths: Iterable[str | Path]) -> "Dataset":
        ds = self
        for p in paths:
            ds = merge(ds, load_user_file(p, ds))
        return ds


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
    if not (pd.Series(reg).isin(list(regions)).all() and pd.Series(ind).isin(list(indicators)).all()):
        return None
    try:
        year = col("year", lambda y: int(y.strip()) if re.fullmatch(r"\d{4}", y.strip()) else None).astype(int)
        val = col("value", lambda v: float(v.strip().replace(",", ""))).astype(float)
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
        if reg not in regions:
            errs.append(DataError(f"unknown region '{reg}'", file=file, row=r, column="region",
                                  fix="add a 'region_name' column to define a new region, or use one of: "
                                  + ", ".join(regions)))
            bad = True
        if ind not in indicators:
            errs.append(DataError(f"unknown indicator '{ind}'", file=file, row=r, column="indicator",
                                  fix="add columns 'indicator_name' and 'unit' (or a companion "
                                  "<file>.indicators.yaml) to define it, or use a bundled id"))
            bad = True
        ys = str(rec["year"]).strip()
        if not re.fullmatch(r"\d{4}", ys):
            errs.append(DataError(f"year '{ys}' is not a whole year", file=file, row=r, column="year",
                                  fix="write the year as four digits, e.g. 2020"))
            bad = True
        elif not YEAR_MIN <= int(ys) <= YEAR_MAX:
            errs.append(DataError(f"year {ys} is out of range {YEAR_MIN}-{YEAR_MAX}", file=file, row=r, column="year"))
            bad = True
        vs = str(rec["value"]).strip().replace(",", "")
        try:
            val = float(vs)
            if val != val:
                raise ValueError
        except ValueError:
            errs.append(DataError(f"value '{rec['value']}' is not a number", file=file, row=r, column="value",
                                  fix="write a plain number such as 14.7 with the multiplier in the unit column (万张)"))
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
        if val < 0 and meta.kind in ("level", "share"):
            errs.append(DataError(f"negative value {val:g} for {ind} ({meta.kind})", file=file, row=r,
                                  column="value", fix="counts, amounts and shares cannot be negative"))
            continue
        if meta.kind == "share" and val > 100:
            errs.append(DataError(f"share {val:g}% is above 100", file=file, row=r, column="value",
                                  fix="give shares in percent between 0 and 100"))
            continue
        rows.append(dict(region=reg, indicator=ind, year=int(ys), value=val, unit=meta.unit,
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


def load_user_file(path: str | Path, base: Dataset | None = None) -> pd.DataFrame:
    """Validate an analyst's CSV/XLSX (long or wide) against the dataset's metadata.

    New regions come with a `region_name` column; new indicators with `indicator_name` and
    `unit` columns or a companion `<file>.indicators.yaml`. Returns the validated rows with
    `.attrs['indicators']` and `.attrs['regions']` holding any new metadata.
    """
    base = base or load_bundled()
    file = str(path)
    df = to_long(read_table(path), file)
    indicators, regions = dict(base.indicators), dict(base.regions)
    new_ind: dict[str, Indicator] = {}
    new_reg: dict[str, Region] = {}
    companion = Path(path).with_suffix(".indicators.yaml")
    if companion.exists():
        for k, v in load_indicators(companion).items():
            new_ind[k] = v
    errs: list[DataError] = []
    if "region_name" in df.columns:
        for rec in df.drop_duplicates("region").to_dict("records"):
            rid = str(rec["region"]).strip()
            if rid not in regions and str(rec["region_name"]).strip():
                new_reg[rid] = Region(id=rid, name_zh=str(rec["region_name"]).strip())
    if "indicator_name" in df.columns:
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


def load(data: Iterable[str | Path] | str | Path | None = None) -> Dataset:
    """Bundled data merged with the user's files, in order (later files win)."""
    if data is None:
        return load_bundled()
    if isinstance(data, (str, Path)):
        data = [data]
    return load_bundled().with_files(data)


def check_files(paths: Iterable[str | Path]) -> list[DataError]:
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
            load_user_file(p, base)
        except DataErrors as e:
            errs += e.errors
        except DataError as e:
            errs.append(e)
    return errs
