"""`mzforecast data import`: a 民政 statistical report (指标名称 | 单位 | 数量) to long-format rows.

Offices hold their figures in the 社会服务统计季报/年报 as exported from the reporting system
or retyped in Excel: a title line or two, then a header row with 指标名称, 单位 and 数量, then
one item per row, indented with full-width spaces or numbered (1. / (1) / 一、 / #), numbers
with thousands separators. Item names are matched to indicator ids through
data/statreport_items.yaml (a data file, so a new wording is a one-line change), the report's
unit is converted to the indicator's, and every row written names the file as its source and
quotes the report row. Items with no mapping are returned so the CLI can list them.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import units as U
from ..data import LONG_COLUMNS, Dataset, data_dir, load, read_yaml
from ..errors import DataError, DataErrors
from .csv import decode  # the data reader's decoding: UTF-8/BOM, UTF-16, GBK; binary refused

NAME_HEADERS = ("指标名称", "项目", "指标")
UNIT_HEADERS = ("单位", "计量单位")
VALUE_HEADERS = ("数量", "数值", "本期数", "本年数", "合计")
_PREFIX = re.compile(r"^(?:[#＃]+|其中[:：]|\d+[.．、]|[（(]\d+[)）]|[一二三四五六七八九十]+[、.．]|[①-⑳])")
_EMPTY = {"", "-", "—", "－", "…", "/"}


def clean_name(raw: str) -> str:
    """The bare item name: no indentation, numbering, '其中：' or inner spaces."""
    s = str(raw).replace("\u3000", " ").strip()
    while True:
        t = _PREFIX.sub("", s).strip()
        if t == s:
            break
        s = t
    return re.sub(r"\s+", "", s)


def clean_unit(raw: str) -> str:
    """Unify the separators reports use in 元/人·月 (., •, ・, full-width dot)."""
    return re.sub(r"[.．•・]", "·", str(raw).strip())


def parse_number(raw: str) -> float | None:
    """1,245.0 / 1，245 / ' 11.3 ' -> float; blank or a dash -> None; anything else -> ValueError."""
    s = str(raw).strip().replace(",", "").replace("，", "").replace(" ", "").replace("\u3000", "")
    if s in _EMPTY:
        return None
    return float(s)


def load_items(path: Path | None = None, ds: Dataset | None = None) -> dict[str, str]:
    """Cleaned item name -> indicator id, checked against the indicators."""
    path = path or data_dir() / "statreport_items.yaml"
    doc = read_yaml(path) or {}
    items = doc.get("items") if isinstance(doc, dict) else None
    if not isinstance(items, list):
        raise DataError("expected a top-level key 'items:' holding a list", file=str(path))
    indicators = (ds or load()).indicators
    out, errs = {}, []
    for i, it in enumerate(items):
        ind = it.get("indicator") if isinstance(it, dict) else None
        names = it.get("names") if isinstance(it, dict) else None
        if ind not in indicators:
            errs.append(DataError(f"unknown indicator '{ind}'", file=str(path), column=f"items[{i}].indicator",
                                  fix="use an id from data/indicators.yaml"))
            continue
        if not isinstance(names, list) or not names:
            errs.append(DataError("'names' must be a list of item names", file=str(path), column=f"items[{i}].names"))
            continue
        for n in names:
            key = clean_name(n)
            if key in out and out[key] != ind:
                errs.append(DataError(f"item name '{n}' maps to both {out[key]} and {ind}", file=str(path),
                                      column=f"items[{i}].names"))
            out[key] = ind
    if errs:
        raise DataErrors(errs)
    return out


def _rows(path: Path) -> list[list[str]]:
    """All cells of the CSV, or of the first sheet with the report header (XLSX), as text; ragged rows allowed."""
    if not path.exists():
        raise DataError("file not found", file=str(path))
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            sheets = pd.read_excel(path, header=None, dtype=str, keep_default_na=False, sheet_name=None)
        except Exception as e:  # openpyxl raises many kinds
            raise DataError(f"cannot read the workbook: {e}", file=str(path)) from None
        tables = [[[str(x) for x in r] for r in df.itertuples(index=False)] for df in sheets.values()]
        for t in tables:  # the first sheet that has the 指标名称 | 单位 | 数量 header
            try:
                _header(t, str(path))
                return t
            except DataError:
                continue
        return tables[0] if tables else []
    if path.suffix.lower() == ".xls":
        raise DataError("old .xls workbooks are not supported", file=str(path), fix="save as .xlsx or CSV (UTF-8)")
    return [r for r in csv.reader(io.StringIO(decode(path, path.read_bytes())))]


def _header(rows, file) -> tuple[int, int, int, int]:
    """(row index, name col, unit col, value col) of the first row naming the three columns."""
    for i, r in enumerate(rows):
        cells = [str(c).replace("\u3000", "").replace(" ", "") for c in r]

        def find(names):
            return next((j for j, c in enumerate(cells) if c in names), None)
        n, u, v = find(NAME_HEADERS), find(UNIT_HEADERS), find(VALUE_HEADERS)
        if n is not None and u is not None and v is not None:
            return i, n, u, v
    raise DataError("no header row with 指标名称, 单位 and 数量", file=file,
                    fix="the report needs a row with the column titles 指标名称 | 单位 | 数量 above the items")


@dataclass
class Imported:
    rows: pd.DataFrame
    unrecognised: list[tuple[int, str]] = field(default_factory=list)  # (spreadsheet row, item name)
    empty: list[tuple[int, str]] = field(default_factory=list)  # recognised items without a number


def read_report(path: str | Path, region: str, year: int, ds: Dataset | None = None,
                items: dict[str, str] | None = None) -> Imported:
    """Recognised items as long-format rows (LONG_COLUMNS) in the indicators' units."""
    path = Path(path)
    file = str(path)
    ds = ds if ds is not None else load()
    if region not in ds.regions:
        raise DataError(f"unknown region '{region}'", fix="known regions: " + ", ".join(ds.regions))
    if not 1949 <= int(year) <= 2100:
        raise DataError(f"year {year} is out of range 1949-2100", fix="give --year as four digits, e.g. 2023")
    items = items if items is not None else load_items(ds=ds)
    rows = _rows(path)
    h, ncol, ucol, vcol = _header(rows, file)
    out, errs, unknown, empty = [], [], [], []
    seen: dict[str, int] = {}
    for i in range(h + 1, len(rows)):
        r = rows[i]
        line = i + 1  # spreadsheet row number
        get = lambda j: str(r[j]).strip() if j < len(r) else ""  # noqa: E731
        raw_name = get(ncol).replace("\u3000", " ")
        name = clean_name(raw_name)
        if not name:
            continue
        ind = items.get(name)
        if ind is None and not get(ucol) and not get(vcol):
            continue  # a section heading (一、社会救助): no unit, no number
        if ind is None:
            unknown.append((line, name))
            continue
        try:
            val = parse_number(get(vcol))
        except ValueError:
            errs.append(DataError(f"'{get(vcol)}' for {name} is not a number", file=file, row=line, column="数量",
                                  fix="write a plain number such as 1,245.0"))
            continue
        if val is None:
            empty.append((line, name))
            continue
        meta = ds.indicators[ind]
        unit = clean_unit(get(ucol)) or meta.unit
        try:
            v = U.convert(val, unit, meta.unit, file=file, row=line)
        except DataError as e:
            errs.append(e)
            continue
        if ind in seen:
            errs.append(DataError(f"{name} ({ind}) appears twice (rows {seen[ind]} and {line})", file=file, row=line,
                                  fix="keep one row per item"))
            continue
        seen[ind] = line
        quote = " | ".join(x for x in (raw_name.strip(), get(ucol), get(vcol)) if x)
        out.append(dict(region=region, indicator=ind, year=int(year), value=v, unit=meta.unit,
                        source=path.name, quote=quote))
    if errs:
        raise DataErrors(errs)
    return Imported(pd.DataFrame(out, columns=LONG_COLUMNS), unknown, empty)

