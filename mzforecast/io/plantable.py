"""`mzforecast plan import`: a plan's indicator table (序号 | 指标 | 2030年目标值 | 单位 | 属性) to a plan YAML.

Indicator names are mapped through data/plan_indicators.yaml (and every indicator's own
name_zh); a name with no mapping is listed with the closest known names. Target phrases are
read by plan_phrases; one that is not read is listed, never guessed. Each target quotes its
row as written. The plan is checked with the plan schema (targets.Plan) before it is written.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .. import units as U
from ..data import Dataset, data_dir, read_yaml
from ..errors import DataError, DataErrors
from . import plan_phrases as P
from .statreport_layout import read_cells, squeeze
from .write import text_file

MAPPING_FILE = "data/plan_indicators.yaml"
_EXTRA_UNITS = {"分钟": "minutes", "㎡": "m2", "m2": "m2"}
_TARGET_KEYS = {"indicator", "denominator", "bounds", "proxy", "note"}


def _header(rows, label):
    """(index, columns) of the row naming 指标 and a 目标值 column (序号, 单位, 属性 where present)."""
    for i, (_, r) in enumerate(rows):
        cells = [squeeze(c) for c in r]
        name = next((j for j, c in enumerate(cells) if c in ("指标", "指标名称", "主要指标")), None)
        target = next((j for j, c in enumerate(cells) if re.fullmatch(r"(\d{4}年)?(目标值|目标|规划目标)", c)), None)
        if name is not None and target is not None:
            m = re.match(r"(\d{4})年", cells[target])
            return i, dict(name=name, target=target, year=int(m.group(1)) if m else None,
                           seq=next((j for j, c in enumerate(cells) if c in ("序号", "编号")), None),
                           unit=next((j for j, c in enumerate(cells) if c in ("单位", "计量单位")), None),
                           binding=next((j for j, c in enumerate(cells) if c in ("属性", "指标属性")), None))
    raise DataError("no header row with 指标 and 目标值 (or 2030年目标值)", file=label,
                    fix="the table needs a row with the column titles 序号 | 指标 | 目标值 | 属性 above the rows")


def load_mapping(ds: Dataset, path: Path | None = None) -> dict[str, list[dict]]:
    """Squeezed indicator name -> the targets it becomes (indicator, denominator …): the mapping file,
    then every indicator's own name_zh."""
    path = path or data_dir() / "plan_indicators.yaml"
    doc = read_yaml(path) or {}
    entries = doc.get("indicators") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise DataError("expected a top-level key 'indicators:' holding a list", file=str(path))
    out: dict[str, list[dict]] = {squeeze(m.name_zh): [{"indicator": k}] for k, m in ds.indicators.items()}
    errs = []
    for i, e in enumerate(entries):
        e = e if isinstance(e, dict) else {}
        targets = e.get("targets") or ([{k: v for k, v in e.items() if k in _TARGET_KEYS}] if "indicator" in e else [])
        for j, t in enumerate(targets):
            for key in ("indicator", "denominator", "proxy"):
                if t.get(key) is not None and t[key] not in ds.indicators:
                    errs.append(DataError(f"unknown indicator '{t[key]}'", file=str(path),
                                          column=f"indicators[{i}].{key}", fix="use an id from data/indicators.yaml"))
            if set(t) - _TARGET_KEYS:
                errs.append(DataError(f"unknown key '{sorted(set(t) - _TARGET_KEYS)[0]}'", file=str(path),
                                      column=f"indicators[{i}]", fix="keys: " + ", ".join(sorted(_TARGET_KEYS))))
        if not targets or not isinstance(e.get("names"), list):
            errs.append(DataError("each entry needs 'names' (a list) and 'indicator' or 'targets'", file=str(path),
                                  column=f"indicators[{i}]"))
            continue
        for n in e["names"]:
            out[squeeze(n)] = targets
    if errs:
        raise DataErrors(errs)
    return out


@dataclass
class PlanImport:
    plan: dict
    problems: list[str] = field(default_factory=list)  # rows not read: unmatched names, unreadable phrases
    notes: list[str] = field(default_factory=list)  # what was skipped on purpose (hidden rows)


def _percent(written: str) -> bool:
    """A unit written as percent (%, ％, 百分比…)."""
    try:
        return bool(written) and U.normalise(written)[0] == "percent"
    except KeyError:
        return False


def _unit(written: str, column_unit: str, ind_unit: str, file: str, line: int) -> tuple[str, float]:
    """(target unit, multiplier) for a value written in `written` (or the 单位 column) for an indicator."""
    w = written or column_unit
    if not w:
        return ind_unit, 1.0
    if w in _EXTRA_UNITS:
        canon, mult = _EXTRA_UNITS[w], 1.0
    else:
        try:
            canon, mult = U.normalise(w)
        except KeyError:
            raise DataError(f"unknown unit '{w}'", file=file, row=line, column="目标值",
                            fix="write the unit as the plans do (%, 个, 张, 人, 平方米, 分钟 …)") from None
    if U.convertible(canon, ind_unit):
        return ind_unit, mult * U.factor(canon, ind_unit)
    if ind_unit.startswith(canon + " per "):  # 平方米 for 每百户…面积: the "per" is in the indicator's name
        return ind_unit, mult
    raise DataError(f"'{w}' cannot be the unit of an indicator in '{ind_unit}'", file=file, row=line,
                    column="目标值", fix="check the row's indicator and unit")


def read_plan_table(path: str | Path, ds: Dataset, *, plan_id: str, region: str, base_year: int, target_year: int,
                    name: str | None = None, mapping: dict | None = None) -> PlanImport:
    path = Path(path)
    # a percent-formatted cell reads as the percentage shown, with its sign: 0.8 formatted 0% is "80%"
    rows, file, h, cols, notes = read_cells(path, _header, "a header row with 指标 and 目标值", percent_sign=True)
    if cols["year"] is not None and cols["year"] != target_year:
        raise DataError(f"the table's target column is for {cols['year']} but --target-year is {target_year}",
                        file=file, row=rows[h][0], fix=f"give --target-year {cols['year']}")
    mapping = mapping if mapping is not None else load_mapping(ds)
    targets, problems, seen = [], [], set()
    for line, r in rows[h + 1:]:
        get = lambda j: str(r[j]).strip() if j is not None and j < len(r) else ""  # noqa: E731
        label, phrase = get(cols["name"]), get(cols["target"])
        if not label and not phrase:
            continue
        seq = get(cols["seq"])
        n = int(seq) if seq.isdigit() else len(seen) + 1
        seen.add(n)
        key = squeeze(label)
        found = mapping.get(key)
        if found is None:
            near = difflib.get_close_matches(key, list(mapping), n=3, cutoff=0.4)
            problems.append(f"{file}, row {line}, column '指标': '{label}' has no indicator"
                            + (": closest known names " + ", ".join(f"'{x}'" for x in near) if near else "")
                            + f" (fix: add it to {MAPPING_FILE})")
            continue
        reading = P.read(phrase)
        bind = P.binding(get(cols["binding"])) if cols["binding"] is not None else False
        if reading is None:
            problems.append(f"{file}, row {line}, column '目标值': '{phrase}' is not a target phrase this reads "
                            "(fix: write it as e.g. ≥ 55%, 1700个, 达到35–40张, 年均增长10%左右, or leave the row out)")
            continue
        if bind is None:
            problems.append(f"{file}, row {line}, column '属性': '{get(cols['binding'])}' is neither 约束性 nor 预期性")
            continue
        quote = "\t".join(c for j, c in enumerate(get(k) for k in range(len(r))) if c and j != cols["seq"])
        for spec in found:
            try:
                targets.append(_target(spec, reading, bind, quote, n, len(found) > 1, ds,
                                       get(cols["unit"]), file, line))
            except DataError as e:
                problems.append(str(e))
    plan = dict(id=plan_id, name_zh=name or plan_id, region=region, source=path.name, base_year=base_year,
                target_year=target_year, targets=targets)
    return PlanImport(plan, problems, notes)


def _target(spec, rd: P.Reading, bind: bool, quote: str, n: int, several: bool, ds: Dataset, column_unit: str,
            file: str, line: int) -> dict:
    ind = spec["indicator"]
    meta = ds.indicators[ind]
    den = spec.get("denominator")
    t = dict(id=f"table-{n:02d}-{ind.replace('_', '-')}" if several else f"table-{n:02d}", indicator=ind)
    cmp = rd.comparator or {"higher": ">=", "lower": "<="}.get(meta.direction, "==")
    if rd.kind == "ratio" or (den and rd.kind == "level"):
        if not den:
            raise DataError(f"'{rd.of}' of a 倍 target has no indicator", file=file, row=line, column="目标值",
                            fix=f"give the row's entry in {MAPPING_FILE} a 'denominator'")
        written = rd.unit or column_unit  # the 单位 column says % or 倍 where the phrase does not
        unit, mult = ("times", 1.0) if written == "倍" else ("percent", 1.0) if _percent(written) else (None, 1.0)
        if unit is None:
            raise DataError(f"a ratio target in '{written}'" if written else "a ratio target with no unit (% or 倍)",
                            file=file, row=line, column="目标值",
                            fix="write the ratio as a percentage (75%) or a multiple (1.5倍)")
        t.update(kind="ratio", denominator=den)
        if rd.lag:
            t["denominator_lag"] = rd.lag
    elif rd.kind == "growth":
        unit, mult = "percent", 1.0
        t["kind"] = "growth"
    else:
        unit, mult = _unit(rd.unit, column_unit, meta.unit, file, line)
        if rd.kind == "change":
            t["kind"] = "change"
    if unit == "percent" and t.get("kind", "level") in ("level", "ratio") and not rd.unit and 0 < rd.value <= 1:
        # as --data reads it, a plain number in a % column is percent; at 1 or below it may be a fraction
        raise DataError(f"'{rd.value:g}' in a % column: {rd.value:g}% or {rd.value * 100:g}%?", file=file, row=line,
                        column="目标值", fix=f"write the sign ({rd.value * 100:g}% or {rd.value:g}%), or format the "
                        "cell as a percentage in Excel")
    if meta.kind == "share" and t.get("kind", "level") == "level" and not 0 <= rd.value * mult <= 100:
        raise DataError(f"{meta.name_zh} is a share: a target of {rd.value * mult:g}% lies outside 0-100%",
                        file=file, row=line, column="目标值", fix="give the share in percent between 0 and 100")
    t.update(comparator=cmp, value=round(rd.value * mult, 10), unit=unit, binding=bind, quote=quote)
    if rd.value_high is not None:
        t["value_high"] = round(rd.value_high * mult, 10)
    if rd.tolerance is not None:
        t["tolerance"] = round(rd.tolerance * mult, 10)
        t["note"] = rd.note()
    for key in ("bounds", "proxy", "note"):
        if spec.get(key) is not None:
            t[key] = list(spec[key]) if key == "bounds" else spec[key]
    return t


def write_plan(plan: dict, out: str | Path) -> Path:
    """The plan as YAML through the writer layer (the caller checked `out` with write.check_target first)."""
    text = ("# imported by `mzforecast plan import` from " + str(plan["source"]).replace("\n", " ")
            + ": check every target against the document\n"
            + yaml.safe_dump(plan, allow_unicode=True, sort_keys=False, width=200))
    return text_file(text, out)
