"""Plan targets: what a plan promises, for which indicator, by when, and how it is compared."""
from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ValidationError, model_validator

from .data import Dataset, data_dir, read_yaml
from .errors import DataError, DataErrors

Comparator = Literal[">=", ">", "<=", "<", "==", "between"]


class Target(BaseModel):
    id: str
    indicator: str
    kind: Literal["level", "ratio", "growth", "change"] = "level"
    comparator: Comparator
    value: float
    value_high: float | None = None
    unit: str
    year: int | None = None  # defaults to the plan's target year
    denominator: str | None = None
    denominator_lag: int = 0
    binding: bool = False
    quote: str
    note: str = ""  # how a target was read from its sentence, where that took judgement
    # filled from the plan
    plan: str = ""
    region: str = ""
    base_year: int = 0

    @model_validator(mode="after")
    def _consistent(self):
        if self.comparator == "between" and self.value_high is None:
            raise ValueError("comparator 'between' needs value_high")
        if self.kind == "ratio" and not self.denominator:
            raise ValueError("a ratio target needs 'denominator' (the indicator it is divided by)")
        return self

    @property
    def target_year(self) -> int:
        return int(self.year)

    def met(self, x):
        """Elementwise: does value x (in the target's terms) meet the target?"""
        import numpy as np
        x = np.asarray(x, float)
        v, c = self.value, self.comparator
        if c == ">=":
            return x >= v - 1e-9
        if c == ">":
            return x > v
        if c == "<=":
            return x <= v + 1e-9
        if c == "<":
            return x < v
        if c == "==":
            return np.isclose(x, v)
        return (x >= v - 1e-9) & (x <= self.value_high + 1e-9)

    def describe(self, language: str = "zh") -> str:
        c = {">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<"}.get(self.comparator)
        val = f"{self.value:g}–{self.value_high:g}" if self.comparator == "between" else f"{c} {self.value:g}"
        unit = {"percent": "%"}.get(self.unit, " " + self.unit)
        if self.kind == "growth":
            return (f"年均增长 {val}%" if language == "zh" else f"average yearly growth {val}%")
        if self.kind == "change":
            return (f"规划期内新增 {val}{unit}" if language == "zh" else f"add {val}{unit} over the plan")
        if self.kind == "ratio":
            lag = "上年度" if self.denominator_lag else ""
            return (f"与{lag}{self.denominator}之比 {val}{unit}" if language == "zh"
                    else f"ratio to {'previous-year ' if self.denominator_lag else ''}{self.denominator} {val}{unit}")
        return f"{val}{unit}"


class Plan(BaseModel):
    id: str
    name_zh: str
    name_en: str = ""
    region: str
    source: str
    base_year: int
    target_year: int
    targets: list[Target]
    example: bool = False  # an illustrative draft (data/drafts), not an official plan


def load_plan(path: str | Path, dataset: Dataset | None = None) -> Plan:
    """Read one plan file; every problem is reported with its key path."""
    path = Path(path)
    doc = read_yaml(path)
    if not isinstance(doc, dict):
        raise DataError("expected a mapping with keys id, region, targets…", file=str(path))
    for t in doc.get("targets") or []:
        if isinstance(t, dict):
            t.setdefault("year", doc.get("target_year"))
            t.setdefault("plan", doc.get("id", ""))
            t.setdefault("region", doc.get("region", ""))
            t.setdefault("base_year", doc.get("base_year", 0))
    try:
        plan = Plan.model_validate(doc)
    except ValidationError as e:
        raise DataErrors([DataError(err["msg"], file=str(path), column=".".join(map(str, err["loc"])))
                          for err in e.errors()]) from None
    if dataset is not None:
        errs = []
        for i, t in enumerate(plan.targets):
            for key in ("indicator", "denominator"):
                ind = getattr(t, key)
                if ind and ind not in dataset.indicators:
                    errs.append(DataError(f"target '{t.id}' names unknown indicator '{ind}'", file=str(path),
                                          column=f"targets[{i}].{key}", fix="define it in data/indicators.yaml"))
            if t.kind in ("level", "change") and t.indicator in dataset.indicators:
                iu = dataset.indicators[t.indicator].unit
                if t.unit != iu:
                    from . import units as U
                    try:
                        f = U.convert(1.0, t.unit, iu)
                        t.value *= f
                        t.value_high = None if t.value_high is None else t.value_high * f
                        t.unit = iu
                    except DataError:
                        errs.append(DataError(f"target '{t.id}' is in '{t.unit}' but {t.indicator} is in '{iu}'",
                                              file=str(path), column=f"targets[{i}].unit",
                                              fix=f"give the target in '{iu}' or a convertible unit"))
            if t.region not in dataset.regions:
                errs.append(DataError(f"unknown region '{t.region}'", file=str(path), column="region"))
        ids = [t.id for t in plan.targets]
        for d in {x for x in ids if ids.count(x) > 1}:
            errs.append(DataError(f"duplicate target id '{d}'", file=str(path), column="targets"))
        if errs:
            raise DataErrors(errs)
    return plan


def plans_dir() -> Path:
    return data_dir() / "plans"


def list_plans() -> list[str]:
    return sorted(p.stem for p in plans_dir().glob("*.yaml"))


def get_plan(plan: str | Path | Plan, dataset: Dataset | None = None) -> Plan:
    if isinstance(plan, Plan):
        return plan
    p = Path(plan)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return load_plan(p, dataset)
    f = plans_dir() / f"{plan}.yaml"
    if not f.exists():
        raise DataError(f"unknown plan '{plan}'", fix="known plans: " + ", ".join(list_plans()))
    return load_plan(f, dataset)


def get_target(plan: str, target_id: str, dataset: Dataset | None = None) -> Target:
    p = get_plan(plan, dataset)
    for t in p.targets:
        if t.id == target_id:
            return t
    raise DataError(f"plan '{p.id}' has no target '{target_id}'",
                    fix="targets: " + ", ".join(t.id for t in p.targets))
