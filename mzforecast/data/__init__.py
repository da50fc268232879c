"""Load, validate and merge the bundled dataset and analysts' own files.

Every row is checked and every problem collected, so one run of ``mzforecast data check``
lists everything to fix. Bundled files are read, never written.

Owns the indicator, region and source catalogues, the readers of tables (wide or long), the
Dataset and its merging; the row-by-row checks are in `data.rows`. Imports the leaves and io.
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
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from .. import io as _io, resources as _resources, units as U
from ..errors import DataError, DataErrors
from .rows import _YEAR_HEADER, YEAR_MAX, YEAR_MIN, check_rows, check_value, max_abs, parse_number  # noqa: F401
from .tables import KNOWN_COLUMNS, _column_name, _is_year, normalise_columns, read_table, to_long  # noqa: F401

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
        """Yearly values of one indicator, indexed by year; only years <= as_of if given."""
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
                         monotone=self.indicators[indicator].monotone, bounds=self.indicators[indicator].bounds)
        return out

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


def load_user_file(path: str | Path, base: Dataset | None = None, sheet: str | None = None) -> pd.DataFrame:
    """Validate an analyst's CSV/XLSX (long or wide) against the dataset's metadata.

    New regions come with a `region_name` column; new indicators with `indicator_name` and
    `unit` columns or a companion `<file>.indicators.yaml`. Returns the validated rows with
    `.attrs['indicators']` and `.attrs['regions']` holding any new metadata.
    """
    base = base or load_bundled()
    table = read_table(path, sheet)
    file = table.attrs.get("label", str(path))
    df = to_long(table, file)
    indicators, regions = dict(base.indicators), dict(base.regions)
    new_ind: dict[str, Indicator] = {}
    new_reg: dict[str, Region] = {}
    companion = Path(path).with_suffix(".indicators.yaml")
    if companion.exists():
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
    rows, row_errs = check_rows(df, file, indicators, regions, require_source=False)
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


def load(data: Iterable[str | Path] | str | Path | None = None, sheet: str | None = None) -> Dataset:
    """Bundled data merged with the user's files, in order (later files win)."""
    if data is None:
        return load_bundled()
    if isinstance(data, (str, Path)):
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
