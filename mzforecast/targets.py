"""Plan targets: what a plan promises, for which indicator, by when, and how it is compared."""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, field_validator, model_validator

from . import units as U
from .data import YEAR_MAX, YEAR_MIN, Dataset, data_dir, read_yaml, standing_proxies, validation_errors
from .data.rows import check_target_value
from .errors import DataError, DataErrors
from .messages import lang
from .messages.notes import Note
from .messages.pages import DESCRIBE
from .safe import check_codes, check_id

Comparator = Literal[">=", ">", "<=", "<", "==", "between"]

# ---- strict input types. A year is a whole number in range (YAML `true` is not 1), a
# target value a finite number (`.nan`, 1e400 refused), a flag a real boolean; unknown keys are
# refused (extra="forbid") so a misspelt key is named instead of silently ignored.
Year = Annotated[int, Strict(), Field(ge=YEAR_MIN, le=YEAR_MAX)]
Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
Flag = Annotated[bool, Strict()]


class Duplicate(BaseModel):
    """The same indicator and target stated twice in a plan: `other` target's id, `what` in words."""
    model_config = ConfigDict(extra="forbid")
    other: str
    what: str


class Conflict(BaseModel):
    """The plan's table and text give different targets for one indicator and year; both are assessed."""
    model_config = ConfigDict(extra="forbid")
    source: Literal["table", "text"]  # where this target is stated
    goal: str  # as the plan writes it (≥ 55%)
    year: Year
    other: str  # the other target's id
    other_source: Literal["table", "text"]
    other_goal: str


class Reading(BaseModel):
    """A reading of the document that concerns other targets: exactly one of `duplicate`, `conflict`."""
    model_config = ConfigDict(extra="forbid")
    duplicate: Duplicate | None = None
    conflict: Conflict | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.duplicate is None) == (self.conflict is None):
            raise ValueError("a flag is one of 'duplicate: {other, what}' or 'conflict: {source, goal, year, other, "
                             "other_source, other_goal}'")
        return self

    def note(self) -> Note:
        code = "duplicate" if self.duplicate is not None else "conflict"
        return Note(code, **getattr(self, code).model_dump())


class Relative(BaseModel):
    """A target set from each region's own base-year value: `pct: 20` is 1.2 x base, `add: 500` is base + 500."""

    pct: float | None = None
    add: float | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.pct is None) == (self.add is None):
            raise ValueError("'relative' needs exactly one of 'pct' (percent above the base value) or 'add'")
        return self

    def value_from(self, base: float) -> float:
        return base * (1 + self.pct / 100) if self.pct is not None else base + self.add

    def describe(self, language: str = "zh") -> str:
        W = DESCRIBE[lang(language)]
        if self.pct is not None:
            return W["pct_up" if self.pct >= 0 else "pct_down"].format(pct=abs(self.pct), signed=self.pct)
        return W["add"].format(add=self.add)


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    indicator: str
    kind: Literal["level", "ratio", "growth", "change"] = "level"
    comparator: Comparator
    value: Number | None = None  # None only for a target given as `relative` (set per region from the data)
    value_high: Number | None = None
    unit: str
    year: Year | None = None  # defaults to the plan's target year
    denominator: str | None = None
    denominator_lag: Annotated[int, Strict(), Field(ge=0, le=10)] = 0
    binding: Flag = False
    quote: str
    note: str = ""  # how a target was read from its sentence, where that took judgement
    responsible_unit: str = ""  # the unit the document makes responsible (责任单位：救助处), or none
    plan: str = ""  # plan, region and base_year: filled from the plan
    region: str = ""
    base_year: int = 0
    # ---- readings of the document (in `flags`); value_high with '>=': "达到 a–b" is met at a, above b 超额
    tolerance: float | None = None  # '左右/约': met within this distance of value, in the target's unit
    transferred: bool = False  # function moved out of 民政 in the 2018 reform: listed, not scored (why: note)
    proxy: str | None = None  # indicator assessed when this one has no data (a lower bound; why: note)
    flags: list[Reading] = []  # conflicts with / duplicates of other targets
    bounds: tuple[float, float] | None = None  # a ratio target's ratio stays inside (rural ÷ urban ≤ 100 %)

    _plain_id = field_validator("id")(classmethod(lambda cls, v: check_id(v)))  # two ids must never look alike

    @field_validator("unit")
    @classmethod
    def _known_unit(cls, v: str) -> str:
        """A target's unit is one the project knows (as an indicator's is), never free text that a
        page would have to print as given."""
        try:
            U.normalise(v)
        except KeyError:
            raise ValueError(f"unknown unit '{v}'; known: {', '.join(sorted(U.known_units()))}") from None
        return v

    # a target relative to the region's own base-year value ("+20 % over 2020")
    relative: Relative | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if (self.value is None) == (self.relative is None):
            raise ValueError("give either 'value' (the target number) or 'relative' (e.g. relative: {pct: 20} "
                             "for 20 % above the region's base-year value): exactly one")
        if self.relative is not None and (self.kind not in ("level", "ratio") or self.comparator == "between"):
            raise ValueError("'relative' works for level and ratio targets with one bound (>=, >, <=, <, ==)")
        if self.comparator == "between" and self.value_high is None:
            raise ValueError("comparator 'between' needs value_high")
        if self.value_high is not None and self.comparator not in ("between", ">=", ">"):
            raise ValueError("value_high is the upper end of a band ('between') or of '达到 a–b' ('>=')")
        if self.value_high is not None and self.value is not None and self.comparator != "between" \
                and self.value_high < self.value:
            raise ValueError(f"value_high {self.value_high:g} is below value {self.value:g}")
        if self.kind == "ratio" and not self.denominator:
            raise ValueError("a ratio target needs 'denominator' (the indicator it is divided by)")
        if self.comparator == "between" and self.value > self.value_high:
            raise ValueError(f"'between' needs value <= value_high, got {self.value:g} > {self.value_high:g}")
        if self.year is not None and self.base_year and self.year < self.base_year:
            raise ValueError(f"target year {self.year} is before the plan's base year {self.base_year}")
        if self.year is not None and not YEAR_MIN <= self.year <= YEAR_MAX:
            raise ValueError(f"target year {self.year} is outside {YEAR_MIN}-{YEAR_MAX}")
        if self.tolerance is not None and self.tolerance < 0:
            raise ValueError("tolerance is a distance: give it as a positive number in the target's unit")
        if (self.transferred or self.proxy) and not self.note:
            raise ValueError("a transferred or proxy target needs a 'note' saying why")
        return self

    def exceeded(self, x):
        """Elementwise: above the upper aim b of "达到 a–b" (超额)? False where there is no upper aim."""
        x = np.asarray(x, float)
        if self.value_high is None or self.comparator not in (">=", ">"):
            return np.zeros(x.shape, bool)
        return x > self.value_high + 1e-9

    def readings(self) -> list[str]:
        """How the document was read, as notes for the assessment's `flags`."""
        out = [f.note() for f in self.flags]
        unit = "percent" if self.kind == "growth" else self.unit  # the unit the target's values are in
        if self.value_high is not None and self.comparator in (">=", ">"):
            out.append(Note("range", value=self.value, high=self.value_high, unit=unit))
        if self.tolerance is not None:
            out.append(Note("tolerance", tolerance=self.tolerance, value=self.value, unit=unit))
        if self.proxy:
            out.append(Note("proxy", proxy=self.proxy))
        if self.transferred:
            out.append(Note("transferred_reading"))
        return out

    def for_region(self, region: str, base_value: float | None = None) -> "Target":
        """This target for one region of a many-region plan; a relative target gets its value from `base_value`."""
        upd = {"region": region}
        if self.relative is not None:
            upd["value"] = None if base_value is None else self.relative.value_from(base_value)
        return self.model_copy(update=upd)

    @property
    def target_year(self) -> int:
        return int(self.year)

    def in_unit(self, unit: str) -> "Target":
        """The same target with its numbers in `unit` (value, upper aim, tolerance, an added
        amount), e.g. a yearly 9,600 元/人·年 as 800 yuan/person/month.

        Raises
        ------
        DataError
            When the target's unit cannot be converted to `unit` (a count to money, say).
        """
        if unit == self.unit:
            return self
        canon, mult = U.normalise(unit)
        try:
            f = U.convert(1.0, self.unit, canon) / mult
        except DataError:
            raise DataError(f"target '{self.id}' is in '{self.unit}' but its indicator {self.indicator} is in "
                            f"'{unit}'", column="unit", fix=f"give the target in '{unit}' or a convertible unit "
                            "(万/亿 multipliers, per month or per year)") from None
        scaled = lambda v: None if v is None else v * f  # noqa: E731
        rel = self.relative
        if rel is not None and rel.add is not None:
            rel = rel.model_copy(update={"add": rel.add * f})
        return self.model_copy(update=dict(value=scaled(self.value), value_high=scaled(self.value_high),
                                           tolerance=scaled(self.tolerance), relative=rel, unit=unit))

    def with_value(self, value, *, unit: str | None = None, year: int | None = None) -> "Target":
        """What if the target were `value` (in `unit`, default the target's), by `year`?

        Parameters
        ----------
        value : float
            The new target number. A level target's value in another unit is converted
            (``unit="元/人·年"`` for a monthly standard divides by 12; ``"万人"`` multiplies by 10,000).
        unit : str, optional
            The unit `value` is written in; default the target's own unit.
        year : int, optional
            A new target year (default: unchanged).

        Returns
        -------
        Target
            A validated copy, in the target's unit. For '≥'/'>' targets an upper aim below the new
            value no longer applies and is dropped; a 'between' band keeps its upper end.

        Raises
        ------
        DataError
            A value that is not a finite number, a unit that cannot be converted, or a year out of
            range or before the plan's base year.
        """
        if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__float__"):
            raise DataError(f"the target value must be a number, not {value!r}", column="value")
        value = float(value)
        if unit is not None:
            canon, mult = U.normalise(self.unit)
            value = U.convert(value, unit, canon) / mult
        upd = self.model_dump()
        upd.update(value=value, relative=None)
        if year is not None:
            upd["year"] = year
        if self.comparator != "between" and self.value_high is not None and self.value_high < value:
            upd["value_high"] = None
        try:
            return Target.model_validate(upd)
        except ValidationError as e:
            raise DataErrors(validation_errors(e, f"target '{self.id}'", known=Target.model_fields)) from None

    def met(self, x):
        """Elementwise: does value x (in the target's terms) meet the target?"""
        x = np.asarray(x, float)
        v, c, tol = self.value, self.comparator, self.tolerance or 0.0
        if c in (">=", ">"):
            return x >= v - tol - 1e-9 if c == ">=" else x > v - tol
        if c in ("<=", "<"):
            return x <= v + tol + 1e-9 if c == "<=" else x < v + tol
        if c == "==":
            return np.abs(x - v) <= tol + 1e-9 if tol else np.isclose(x, v)
        return (x >= v - tol - 1e-9) & (x <= self.value_high + tol + 1e-9)

    def describe(self, language: str = "zh") -> str:
        c = {">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<"}.get(self.comparator)
        W = DESCRIBE[lang(language)]
        if self.value is None:  # relative target not yet set for a region
            return f"{c} {self.relative.describe(language)}"
        if self.comparator == "between":
            val = f"{self.value:g}–{self.value_high:g}"
        elif self.value_high is not None:  # "达到 a–b": met at a
            val = W["reach"].format(a=self.value, b=self.value_high)
        else:
            val = f"{c} {self.value:g}"
        if self.tolerance:
            val += W["tolerance"].format(t=self.tolerance)
        unit = {"percent": "%"}.get(self.unit, " " + self.unit)
        if self.kind == "growth":
            return W["growth"].format(val=val)
        if self.kind == "change":
            return W["change"].format(val=val, unit=unit)
        if self.kind == "ratio":
            return W["ratio"].format(lag=W["lag"] if self.denominator_lag else "", denominator=self.denominator,
                                     val=val, unit=unit)
        return f"{val}{unit}"


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    name_zh: str
    name_en: str = ""
    region: str = ""
    # one plan for many regions: a list of region ids, or "all" (every region with data)
    regions: list[str] | Literal["all"] | None = None
    source: str
    base_year: Year
    target_year: Year
    targets: list[Target]
    example: bool = False  # a worked example (synthetic data, or a draft in data/drafts), not a real plan
    _plain_id = field_validator("id")(classmethod(lambda cls, v: check_id(v)))
    _plain_regions = field_validator("region", "regions")(classmethod(lambda cls, v: check_codes(v)))

    @model_validator(mode="after")
    def _years(self):
        if self.target_year < self.base_year:
            raise ValueError(f"target_year {self.target_year} is before base_year {self.base_year}")
        if bool(self.region) == (self.regions is not None):
            raise ValueError("give either 'region' (one region id) or 'regions' (a list of ids, or all): exactly one")
        if isinstance(self.regions, list) and not self.regions:
            raise ValueError("'regions' is an empty list: name region ids or write 'regions: all'")
        return self


def load_plan(path: str | Path, dataset: Dataset | None = None) -> Plan:
    """Read one plan file; every problem is reported with its key path."""
    path = Path(path)
    doc = read_yaml(path)
    if not isinstance(doc, dict):
        raise DataError("expected a mapping with keys id, region, targets…", file=str(path))
    proxies = standing_proxies()  # one proxy per indicator for every plan and draft
    for t in doc.get("targets") if isinstance(doc.get("targets"), list) else []:
        if isinstance(t, dict):
            t.update({k: v for k, v in proxies.get(str(t.get("indicator")), {}).items()
                      if v and k not in t and "proxy" not in t})
            t.setdefault("year", doc.get("target_year"))
            t.setdefault("plan", doc.get("id", ""))
            t.setdefault("region", doc.get("region", ""))
            t.setdefault("base_year", doc.get("base_year", 0))
    try:
        plan = Plan.model_validate(doc)
    except ValidationError as e:
        raise DataErrors(validation_errors(e, str(path), known=lambda loc: Target.model_fields if loc[0] == "targets" else Plan.model_fields)) from None
    except RecursionError:
        raise DataError("the plan is nested too deeply", file=str(path)) from None
    if dataset is not None:
        errs = []
        for i, t in enumerate(plan.targets):
            for key in ("indicator", "denominator", "proxy"):
                ind = getattr(t, key)
                if ind and ind not in dataset.indicators:
                    errs.append(DataError(f"target '{t.id}' names unknown indicator '{ind}'", file=str(path),
                                          column=f"targets[{i}].{key}", fix="define it in data/indicators.yaml"))
            if t.kind in ("level", "change") and t.indicator in dataset.indicators:
                iu = dataset.indicators[t.indicator].unit
                try:
                    plan.targets[i] = t.in_unit(iu)
                except DataError:
                    errs.append(DataError(f"target '{t.id}' is in '{t.unit}' but {t.indicator} is in '{iu}'",
                                          file=str(path), column=f"targets[{i}].unit",
                                          fix=f"give the target in '{iu}' or a convertible unit"))
            err = check_target_value(plan.targets[i], dataset.indicators[t.indicator], file=str(path),
                                     column=f"targets[{i}]") if t.indicator in dataset.indicators else None
            errs += [err] if err else []
            if plan.regions is None and t.region not in dataset.regions:
                errs.append(DataError(f"unknown region '{t.region}'", file=str(path), column="region"))
        for j, r in enumerate(plan.regions if isinstance(plan.regions, list) else []):
            if r not in dataset.regions:
                errs.append(DataError(f"unknown region '{r}'", file=str(path), column=f"regions[{j}]",
                                      fix="use ids from data/regions.csv, or define the region in your data file"))
        ids = [t.id for t in plan.targets]
        for d in {x for x in ids if ids.count(x) > 1}:
            errs.append(DataError(f"duplicate target id '{d}'", file=str(path), column="targets"))
        if errs:
            raise DataErrors(errs)
    return plan


def plans_dir() -> Path:
    return data_dir() / "plans"


def list_plans() -> list[str]:
    """The bundled plans' ids.

    Returns
    -------
    list of str
        Ids to give ``get_plan`` or ``assess_plan`` (``"changchun-14th"``…).
    """
    return sorted(p.stem for p in plans_dir().glob("*.yaml"))


def get_plan(plan: str | Path | Plan, dataset: Dataset | None = None) -> Plan:
    """A plan, validated.

    Parameters
    ----------
    plan : str, Path or Plan
        A bundled plan id (``list_plans()``), a draft id, a YAML file, or a Plan (returned as is).
    dataset : Dataset, optional
        When given, indicator and region ids are checked against it and level targets are put in
        their indicator's unit.

    Returns
    -------
    Plan

    Raises
    ------
    DataError, DataErrors
        Unknown plan, or every problem in the file with its key path.
    """
    if isinstance(plan, Plan):
        return plan
    p = Path(plan)
    if p.suffix.lower() in (".yaml", ".yml"):
        if not p.exists():
            raise DataError("plan file not found", file=str(p),
                            fix="check the path, or give a bundled plan id: " + ", ".join(list_plans()))
        return load_plan(p, dataset)
    f = plans_dir() / f"{plan}.yaml"
    if not f.exists() and (data_dir() / "drafts" / f"{plan}.yaml").exists():  # a 十五五 draft (not monitored)
        f = data_dir() / "drafts" / f"{plan}.yaml"
    if not f.exists():
        raise DataError(f"unknown plan '{plan}'", fix="known plans: " + ", ".join(list_plans()))
    return load_plan(f, dataset)


def get_target(plan: str, target_id: str, dataset: Dataset | None = None) -> Target:
    """One target of a plan.

    Parameters
    ----------
    plan : str, Path or Plan
        As for ``get_plan``.
    target_id : str
        The target's id (``get_plan(plan).targets`` lists them).
    dataset : Dataset, optional
        As for ``get_plan``.

    Returns
    -------
    Target

    Raises
    ------
    DataError
        The plan has no such target (the message lists its targets).
    """
    p = get_plan(plan, dataset)
    for t in p.targets:
        if t.id == target_id:
            return t
    raise DataError(f"plan '{p.id}' has no target '{target_id}'",
                    fix="targets: " + ", ".join(t.id for t in p.targets))
