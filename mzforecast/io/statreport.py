"""`mzforecast data import`: a published 民政 statistical report to the long rows `--data` reads.

The report's layout (header, 代码/上年数据 columns, period, sections) is found by
statreport_layout; this module maps each item to an indicator through
data/statreport_items.yaml (names read with their section's area, and the ministry's item
codes), converts the report's unit, applies the --data reader's value rules
(data.parse_number, data.check_value) and writes rows that name the file and quote the row.

What a row means is kept: a figure under 城市… is the urban part, never the 城乡 total (a total
is derived from both parts and marked so); a stock figure is the value at the end of the
report's period (said in the row's note); a flow over part of a year (a quarter's 临时救助) is
not written as the year's value.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import units as U
from ..data import LONG_COLUMNS, Dataset, check_value, data_dir, load, parse_number as _number, read_yaml
from ..errors import DataError, DataErrors
from ..safe import check_code
from . import statreport_layout as L
from .statreport_layout import Period, Sections, is_column_labels, parse_period, period_in_title, read_layout

_PREFIX = re.compile(r"^(?:[#＃*]+|其中[:：]|\d+[.．、]|[（(]\d+[)）]|[一二三四五六七八九十]+[、.．]|"
                     r"[（(][一二三四五六七八九十]+[)）]|[A-Z](?=[\s\u3000])|[IVX]+(?=[\s\u3000])|[①-⑳])")
_EMPTY = {"", "-", "—", "－", "…", "/", "——"}
ITEMS_FILE = "data/statreport_items.yaml"
AREA_WORD = {"urban": "城市", "rural": "农村"}
OUT_COLUMNS = LONG_COLUMNS + ["note"]


def clean_name(raw: str) -> str:
    """The bare item name: no indentation, numbering (1. (1) 一、 （一） A I), '其中：', '#', '*' or inner spaces."""
    s = str(raw).replace("\u3000", " ").strip()
    while True:
        t = _PREFIX.sub("", s).strip()
        if t == s:
            break
        s = t
    return L.squeeze(s).rstrip("*＊")


def clean_unit(raw: str) -> str:
    """Unify the separators reports use in 元/人·月 (、 . • ・ full-width dot) and drop spaces."""
    return re.sub(r"[.．•・、]", "·", L.squeeze(raw))


def parse_number(raw: str) -> float | None:
    """Blank or a dash -> None; otherwise the --data reader's rule (1,245.0 read, '1,2' refused)."""
    s = L.squeeze(raw)
    if s in _EMPTY:
        return None
    return _number(s)


@dataclass
class Items:
    """What data/statreport_items.yaml says: names, area parts and codes of each indicator."""
    names: dict[str, str] = field(default_factory=dict)  # cleaned name -> indicator
    parts: dict[str, tuple[str, str]] = field(default_factory=dict)  # cleaned name -> (total indicator, area)
    codes: dict[str, str] = field(default_factory=dict)  # item code -> indicator
    units: dict[str, dict[str, str]] = field(default_factory=dict)  # indicator -> {report unit: unit}
    flows: set[str] = field(default_factory=set)  # indicators whose report figure accumulates over the period


def load_items(path: Path | None = None, ds: Dataset | None = None) -> Items:
    """The mapping file, checked against the indicators; every problem listed."""
    path = path or data_dir() / "statreport_items.yaml"
    doc = read_yaml(path) or {}
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise DataError("expected a top-level key 'items:' holding a list", file=str(path))
    indicators = (ds or load()).indicators
    out, errs = Items(), []

    def add(table, key, val, where):
        if key in table and table[key] != val:
            errs.append(DataError(f"'{key}' maps to both {table[key]} and {val}", file=str(path), column=where))
        table[key] = val
    for i, it in enumerate(items):
        it = it if isinstance(it, dict) else {}
        ind = it.get("indicator")
        unknown = set(it) - {"indicator", "names", "codes", "urban", "rural", "units", "flow"}
        if unknown:
            errs.append(DataError(f"unknown key '{sorted(unknown)[0]}'", file=str(path), column=f"items[{i}]",
                                  fix="keys: indicator, names, codes, urban, rural, units, flow"))
        if ind not in indicators:
            errs.append(DataError(f"unknown indicator '{ind}'", file=str(path), column=f"items[{i}].indicator",
                                  fix="use an id from data/indicators.yaml"))
            continue
        names = it.get("names", [])
        if not isinstance(names, list) or not (names or it.get("codes") or it.get("urban")):
            errs.append(DataError("'names' must be a list of item names", file=str(path), column=f"items[{i}].names"))
            continue
        for n in names:
            add(out.names, clean_name(n), ind, f"items[{i}].names")
        for c in it.get("codes") or []:
            add(out.codes, L.squeeze(c).upper(), ind, f"items[{i}].codes")
        for area in ("urban", "rural"):
            for n in it.get(area) or []:
                add(out.parts, clean_name(n), (ind, area), f"items[{i}].{area}")
        if isinstance(it.get("units"), dict):
            out.units[ind] = {clean_unit(k): str(v) for k, v in it["units"].items()}
        if it.get("flow"):
            out.flows.add(ind)
    if errs:
        raise DataErrors(errs)
    return out


@dataclass
class Imported:
    rows: pd.DataFrame
    period: Period | None = None
    unrecognised: list[tuple[int, str, str]] = field(default_factory=list)  # (row, section path, item name)
    empty: list[tuple[int, str]] = field(default_factory=list)  # recognised items without a number
    not_written: list[tuple[int, str]] = field(default_factory=list)  # (row, why): section-only parts, partial flows
    notes: tuple = ()  # what the reader skipped on purpose (hidden rows)


@dataclass
class _Hit:
    line: int
    name: str
    indicator: str
    area: str | None  # 'urban'/'rural' for a part of a total
    year: int
    value: float
    quote: str
    note: str


def _resolve_period(layout, year: int | None, period: str | None) -> Period:
    file = layout.label
    if period is not None:
        p = parse_period(period)
        if p is None:
            raise DataError(f"--period '{period}' is not a period", fix="write 2024-06 (a month), 2013Q4 or 2023")
        said = period_in_title(layout.title)
        if said is not None and said != p:  # a month's flow must never be written as a year's total
            raise DataError(f"--period {p.label()} but the report's title says {said.label()}", file=file,
                            fix="leave out --period, or give the period the title states")
        _need_part(layout, said or p)
    else:
        p = period_in_title(layout.title)
        _need_part(layout, p)
        if p is None and year is None:
            raise DataError("the report's title does not say which period it covers", file=file,
                            fix="give --year 2023 for a yearly report, or --period 2024-06 / 2024Q2")
        p = p or Period(int(year))
    if year is not None and int(year) != p.year:
        raise DataError(f"--year {year} but the report covers {p.label()}", file=file,
                        fix="leave out --year, or give the year the report covers")
    if not 1949 <= p.year <= 2100:
        raise DataError(f"year {p.year} is out of range 1949-2100", fix="give --year as four digits, e.g. 2023")
    return p


def _need_part(layout, p: Period | None) -> None:
    """A 月报/季报 title with no month or quarter: asking beats reading a month's figures as a year's."""
    t = L.squeeze(layout.title)
    kind = "月报" if "月报" in t else "季报" if "季报" in t else None
    if kind and (p is None or p.full_year):
        raise DataError(f"the title says {kind} but not which {'month' if kind == '月报' else 'quarter'}",
                        file=layout.label, fix="give --period 2024-06 (a month) or --period 2024Q2 (a quarter)")


def read_report(path: str | Path, region: str, year: int | None = None, ds: Dataset | None = None,
                items: Items | None = None, *, period: str | None = None,
                region_name: str | None = None) -> Imported:
    """Recognised items as long rows (OUT_COLUMNS, + region_name for a new region) in the indicators' units."""
    path = Path(path)
    ds = ds if ds is not None else load()
    if region not in ds.regions and not region_name:
        raise DataError(f"unknown region '{region}'", fix="give --region-name 名称 to import a region that is "
                        "not in data/regions.csv, or use one of: " + ", ".join(ds.regions))
    known = ds.regions.get(region)
    if known and region_name and not any(n and region_name.strip() in (n, n.rstrip("市省县区盟州"))
                                         for n in (known.name_zh, known.name_en)):
        raise DataError(f"--region-name {region_name} but region '{region}' is {ds.regions[region].name_zh}",
                        fix="leave out --region-name for a known region, or give a new region id")
    if region not in ds.regions:
        try:
            check_code(region)
        except ValueError as e:
            raise DataError(f"--region: {e}", fix="give the new region a plain id; its name goes in --region-name") from None
    items = items if items is not None else load_items(ds=ds)
    layout = read_layout(path)
    file = layout.label
    per = _resolve_period(layout, year, period)
    got = Imported(pd.DataFrame(columns=OUT_COLUMNS), per, notes=layout.notes)
    hits, errs = [], []
    sections = Sections()
    for line, r in layout.rows[layout.header + 1:]:
        get = lambda j: str(r[j]).strip() if j is not None and j < len(r) else ""  # noqa: E731
        if is_column_labels(r):
            continue
        raw_name = get(layout.name).replace("\u3000", " ")
        name = clean_name(raw_name)
        if not name or name.startswith(("注", "说明")):
            continue
        value_cell = get(layout.value)
        if L.squeeze(value_cell) in _EMPTY and L.squeeze(get(layout.prev_year)) in _EMPTY:
            if not L.squeeze(get(layout.unit)):
                sections.enter(raw_name, name)  # a section row: no unit, no number
            elif _lookup(name, sections.area, "", items) is not None:
                got.empty.append((line, _shown(name, sections.area)))
            continue
        where = sections.parents(raw_name)
        sections.numbered(raw_name, name)
        sections.item(name)
        try:
            found = _lookup(name, sections.area, get(layout.code), items)
        except DataError as e:
            errs.append(DataError(e.message, file=file, row=line, column="代码", fix=e.fix))
            continue
        if found is None:
            got.unrecognised.append((line, where, _shown(name, sections.area)))
            continue
        ind, area = found
        meta = ds.indicators[ind]
        unit = clean_unit(get(layout.unit))
        unit = items.units.get(ind, {}).get(unit, unit) or meta.unit
        flow = ind in items.flows or meta.aggregation == "period_total"
        if flow and not per.full_year:
            got.not_written.append((line, f"{name}: a total over part of {per.year} ({per.label()}), "
                                          f"not written as the year's {ind}"))
            continue
        for col, yr, cell in ((layout.value, per.year, value_cell), (layout.prev_year, per.year - 1,
                                                                      get(layout.prev_year))):
            if col is None:
                continue
            colname = L.squeeze(layout.rows[layout.header][1][col])
            try:
                val = parse_number(cell)
            except ValueError as e:
                errs.append(DataError(f"{name}: {e}", file=file, row=line, column=colname,
                                      fix="write a plain number such as 1245.0 (decimal point, not comma)"))
                continue
            if val is None:
                continue
            try:
                v = U.convert(val, unit, meta.unit, file=file, row=line)
            except DataError as e:
                errs.append(e)
                continue
            bad = check_value(v, meta, cell, file=file, row=line, column=colname)
            if bad is not None:
                errs.append(bad)
                continue
            at = Period(yr, per.quarter, per.month)
            note = "" if per.full_year else f"value at the end of {at.label()} (from a {_kind(per)} report)"
            if col == layout.prev_year:
                note = (note + "; " if note else "") + f"from the {colname} column"
            quote = " | ".join(x for x in (raw_name.strip(), get(layout.unit), get(layout.code), cell) if x)
            hits.append(_Hit(line, name, ind, area, yr, v, quote, note))
    if errs:
        raise DataErrors(errs)
    rows = _rows(hits, got, ds, region, path.name, file)
    if region not in ds.regions:
        rows["region_name"] = region_name
    got.rows = rows
    return got


def _kind(p: Period) -> str:
    return "monthly" if p.month else "quarterly" if p.quarter else "yearly"


def _shown(name: str, area: str | None) -> str:
    return f"{AREA_WORD[area]} › {name}" if area in AREA_WORD and L.area_of(name) is None else name


def _lookup(name: str, area: str | None, code: str, items: Items) -> tuple[str, str | None] | None:
    """(indicator, area part or None) for an item read with its section's area; the code checked against it."""
    key = AREA_WORD[area] + name if area in AREA_WORD and L.area_of(name) is None else name
    hit = (items.names[key], None) if key in items.names else items.parts.get(key)
    code = L.squeeze(code).upper()
    by_code = items.codes.get(code) if code else None
    if by_code is not None and hit is not None and hit[0] != by_code:
        raise DataError(f"item {key} maps to {hit[0]} but its code {code} to {by_code}",
                        fix=f"correct the code or the name in {ITEMS_FILE}")
    if hit is None and by_code is not None:
        hit = (by_code, None)
    return hit


def _rows(hits: list[_Hit], got: Imported, ds: Dataset, region: str, source: str, file: str) -> pd.DataFrame:
    out, seen, errs = {}, {}, []
    parts: dict[tuple[str, int], dict[str, _Hit]] = {}
    for h in hits:
        if h.area is not None:
            parts.setdefault((h.indicator, h.year), {})[h.area] = h
            continue
        key = (h.indicator, h.year)
        if key in seen and seen[key].value != h.value:
            errs.append(DataError(f"{h.indicator} {h.year} is given twice with different values: "
                                  f"{seen[key].value:g} (row {seen[key].line}) and {h.value:g}", file=file,
                                  row=h.line, fix="check which row belongs to which section"))
            continue
        seen[key] = h
        out[key] = dict(region=region, indicator=h.indicator, year=h.year, value=h.value,
                        unit=ds.indicators[h.indicator].unit, source=source, quote=h.quote, note=h.note)
    for (ind, yr), ps in parts.items():
        if (ind, yr) in out:
            continue  # the report gives the total itself
        if set(ps) == {"urban", "rural"}:
            u, r = ps["urban"], ps["rural"]
            note = f"derived: urban (row {u.line}) + rural (row {r.line})" + (f"; {u.note}" if u.note else "")
            out[(ind, yr)] = dict(region=region, indicator=ind, year=yr, value=u.value + r.value,
                                  unit=ds.indicators[ind].unit, source=source, quote=f"{u.quote} + {r.quote}",
                                  note=note)
        else:
            (area, h), = ps.items()
            got.not_written.append((h.line, f"{_shown(h.name, area)} is the {area} part of {ind} only: "
                                            f"not written as the total (the report has no "
                                            f"{'rural' if area == 'urban' else 'urban'} part)"))
    if errs:
        raise DataErrors(errs)
    return pd.DataFrame(list(out.values()), columns=OUT_COLUMNS)


def describe(got: Imported, cap: int = 30) -> list[str]:
    """Messages for the user: items not recognised (grouped by section, capped), not written, empty."""
    lines = [f"note: {n}" for n in got.notes]
    if got.unrecognised:
        lines.append(f"{len(got.unrecognised)} item(s) not recognised; to import one, add its name (or 代码) "
                     f"to {ITEMS_FILE}:")
        groups: dict[str, list[str]] = {}
        for line, path, name in got.unrecognised:
            groups.setdefault(path or "(no section)", []).append(f"{name} (row {line})")
        shown = 0
        for path, names in groups.items():
            if shown >= cap:
                break
            take = names[:cap - shown]
            shown += len(take)
            lines.append(f"  {path}: " + ", ".join(take) + (f" … and {len(names) - len(take)} more"
                                                            if len(take) < len(names) else ""))
        if shown < len(got.unrecognised):
            lines.append(f"  … and {len(got.unrecognised) - shown} more in other sections")
    for line, why in got.not_written:
        lines.append(f"not written: row {line}: {why}")
    for line, name in got.empty:
        lines.append(f"no number: row {line}: {name}")
    return lines

