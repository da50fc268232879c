"""Load, validate and merge the bundled dataset and analysts' own files.

Every row is checked and every problem collected, so one run of ``mzforecast data check``
lists everything to fix. Bundled files are read, never written.

Owns the indicator, region and source catalogues, the readers of tables (wide or long), the
Dataset and its loading (files or pandas objects, through `frames`); the row-by-row checks are in
`data.rows`, merging in `data.merging`, names to ids in `data.names`. Imports the leaves, io and frames.
"""
from __future__ import annotations


import difflib
import math
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from .. import frames, io as _io, resources as _resources, units as U
from ..errors import DataError, DataErrors, KeptDict
from ..safe import check_code
from . import checked
from .merging import merge
from .names import resolve_id
from .yamlfile import read_yaml  # noqa: F401
from .rows import YEAR_HEADER, YEAR_MAX, YEAR_MIN, check_rows, check_value, max_abs, parse_number  # noqa: F401
from .tables import KNOWN_COLUMNS, column_name, is_year, normalise_columns, read_table, to_long  # noqa: F401

LONG_COLUMNS = ["region", "indicator", "year", "value", "unit", "source", "quote"]


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
    # ---- structure the models respect (reasons in data/README.md)
    # monotone: administered standards (低保, 特困, orphan allowances) are only raised or held,
    # so no forecast path falls below the last value or from one year to the next.
    monotone: Literal["nondecreasing", "nonincreasing"] | None = None
    # bounds: [low, high] every forecast path stays inside; shares default to [0, 100].
    bounds: tuple[float | None, float | None] | None = None
    # converges_to: the standard this one is brought toward by policy (农村低保 → 城市低保, 城乡统筹):
    # their ratio is forecast as converging to parity (models/ratio.py), no other pair of standards.
    converges_to: str | None = None

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


def standing_proxies() -> dict[str, dict]:
    """indicator -> {proxy, note} from data/plan_indicators.yaml: the one rule for an indicator without
    its own series (社会工作专业人才总量 through 持证社工), which every plan and draft then reads alike."""
    f = data_dir() / "plan_indicators.yaml"
    doc = read_yaml(f) if f.exists() else None
    entries = doc.get("indicators") if isinstance(doc, dict) else None
    return {e["indicator"]: {"proxy": e["proxy"], "note": e.get("note")} for e in entries or []
            if isinstance(e, dict) and isinstance(e.get("indicator"), str) and isinstance(e.get("proxy"), str)}


def validation_errors(e: ValidationError, file: str, prefix: str = "", known=()) -> list[DataError]:
    """Pydantic errors as DataErrors with the key path; unknown keys named with the closest known key."""
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
def _closest(name: str, known) -> str:
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
        pos = self._groups().get((region, indicator))
        s = self.observations.iloc[pos] if pos is not None else self.observations.iloc[:0]
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
        return resolve_id(name, self.regions, ("市", "省", "县", "区", "盟", "州"))

    def indicator_id(self, name: str) -> str:
        """The id of an indicator given by id or by its Chinese or English name."""
        return resolve_id(name, self.indicators, ())

    def _groups(self) -> dict:
        """Row positions of each (region, indicator), found once: series() is called per target and year.
        Positions, not one frame per group, so a data set of 150,000 series splits in a second."""
        key = id(self.observations)
        if getattr(self, "_group_key", None) != key:
            self._group_cache = self.observations.groupby(["region", "indicator"], sort=False).indices
            self._group_key = key
        return self._group_cache

    def with_files(self, paths: Iterable[str | Path], sheet: str | None = None) -> "Dataset":
        ds = self
        for p in paths:
            ds = merge(ds, load_user_file(p, ds, sheet=sheet))
        return ds


@lru_cache(maxsize=4)
def _bundled(path: str) -> Dataset:
    d = Path(path)
    indicators = load_indicators(d / "indicators.yaml")
    regions = load_regions(d / "regions.csv")
    sources = load_sources(d / "sources.yaml")
    f = str(d / "observations.csv")
    df = to_long(read_table(f), f)
    obs, errs = check_rows(df, f, indicators, regions, require_source=True)
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
        table = frames.series_table(path) if isinstance(path, pd.Series) else frames.table(path)
        return validate_table(normalise_columns(table, table.attrs["label"]), base, None)
    table = read_table(path, sheet)
    rows = validate_table(table, base, Path(path).with_suffix(".indicators.yaml"))
    rows.attrs["notes"] = list(table.attrs.get("notes", []))  # e.g. the hidden sheets a workbook skipped
    return rows


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
            if rid and rid not in regions and str(rec["region_name"]).strip():  # an empty cell is said by check_rows
                try:
                    new_reg[rid] = Region(id=check_code(rid), name_zh=str(rec["region_name"]).strip())
                except ValueError as e:
                    errs.append(DataError(str(e), file=file, row=rec["_row"], column="region",
                                          fix="name the new region with a plain id; its name goes in region_name"))
    if "indicator_name" in df.columns and "indicator" in df.columns:
        for rec in df.drop_duplicates("indicator").to_dict("records"):
            iid = str(rec["indicator"]).strip()
            if iid in indicators or iid in new_ind or not str(rec["indicator_name"]).strip():
                continue
            try:
                new_ind[iid] = Indicator(id=check_code(iid, "indicator"), name_zh=str(rec["indicator_name"]).strip(),
                                         unit=str(rec.get("unit", "")).strip(),
                                         kind=str(rec.get("kind", "") or "level").strip())
            except ValidationError as e:
                for err in e.errors():
                    errs.append(DataError(f"new indicator '{iid}': {err['msg']}", file=file, row=rec["_row"],
                                          column=".".join(map(str, err["loc"]))))
            except ValueError as e:  # not a plain id
                errs.append(DataError(str(e), file=file, row=rec["_row"], column="indicator"))
    indicators.update(new_ind)
    regions.update(new_reg)
    rows, row_errs = check_rows(df, file, indicators, regions, require_source=False)
    said = {(e.row, e.column) for e in errs}  # a refused new id is not also "unknown"
    errs += [e for e in row_errs if (e.row, e.column) not in said]
    if errs:
        raise DataErrors(errs)
    rows.attrs["indicators"], rows.attrs["regions"] = KeptDict(new_ind), KeptDict(new_reg)
    return rows


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
    kept = checked.take(data, sheet)  # in a run's notebook: the files the run has checked already
    return kept if isinstance(kept, Dataset) else load_bundled().with_files(data, sheet=sheet)


def check_files(paths: Iterable[str | Path], sheet: str | None = None, notes: list | None = None) -> list[DataError]:
    """Every problem in the given files (or the bundled data if none), without raising; what a reader
    skipped on purpose (hidden sheets and rows) is appended to `notes`."""
    errs: list[DataError] = []
    try:
        base = load_bundled()
    except DataErrors as e:
        return e.errors
    except DataError as e:
        return [e]
    for p in paths:
        try:
            said = load_user_file(p, base, sheet=sheet).attrs.get("notes", [])
            if notes is not None:
                notes += said
        except DataErrors as e:
            errs += e.errors
        except DataError as e:
            errs.append(e)
    return errs
