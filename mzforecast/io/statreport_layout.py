"""The layout of a published 民政 statistical report: its cells, header, period and sections.

Reports are published as 社会服务统计月报/季报/年报 tables: title lines, a header naming
指标名称 (or a spaced 指 标), 单位, often 代码 (the ministry's JZH…/YZH… item codes), 数量 and
columns such as 上年数据, 上期, 环比; under the header a 甲 | 乙 | 丙 | 1 | 2 | 3 row numbers
the columns. Items sit under section rows (城市最低生活保障, 农村贫困人口救助, 城 市) whose
area (urban/rural) belongs to the item's meaning. This module finds those parts; mapping the
items to indicators is statreport.py's job. The file itself is checked with the --data reader's
rules (io.source_kind: no device, pipe or foreign file; xlsx: percent cells as shown, formulas
without a saved value refused).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError, DataErrors
from ..safe import strip_invisible
from . import source_kind
from .csv import decode
from .xlsx import (MAX_CELLS, check_declared_size, hidden_rows_note, open_workbook, uncached_formulas,
                   visible_rows)

NAME_HEADERS = ("指标名称", "指标", "项目", "项目名称")
UNIT_HEADERS = ("单位", "计量单位")
VALUE_HEADERS = ("数量", "数值", "本期数", "本期", "本期数据", "本年数", "本月数", "本季数", "合计")
CODE_HEADERS = ("代码", "指标代码")
PREV_YEAR_HEADERS = ("上年数据", "上年同期", "上年同期数", "上年数", "去年同期")
_COLUMN_LABELS = set("甲乙丙丁戊") | {str(i) for i in range(1, 20)}
_SPACES = re.compile(r"[\s\u3000]+")


def squeeze(text) -> str:
    """A cell without any spaces or zero-width/bidi characters: '指 标' -> '指标', '城　市' -> '城市'."""
    return _SPACES.sub("", strip_invisible(text))


@dataclass
class Layout:
    rows: list[tuple[int, list[str]]]  # (spreadsheet row or CSV line, cells as text)
    label: str
    header: int  # index into rows
    name: int
    unit: int
    value: int
    code: int | None
    prev_year: int | None
    title: str  # the text above the header (report name, period)
    notes: tuple = ()  # what the reader skipped and says so (hidden rows)


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    text = decode(path, path.read_bytes())
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delim = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text), delimiter=delim)
    out, start = [], 1
    try:
        for rec in reader:
            out.append((start, rec))
            start = reader.line_num + 1
    except csv.Error as e:
        raise DataError(f"not a valid CSV table at line {start}: {e}", file=str(path), row=start,
                        fix="check the quotes on that line") from None
    return out


def find_header(rows, label: str) -> tuple[int, dict[str, int | None]]:
    """Index of the first row naming 指标(名称), 单位 and 数量 (spaces ignored) and the column of each part."""
    for i, (_, r) in enumerate(rows):
        cells = [squeeze(c) for c in r]

        def find(names):
            return next((j for j, c in enumerate(cells) if c in names), None)
        cols = dict(name=find(NAME_HEADERS), unit=find(UNIT_HEADERS), value=find(VALUE_HEADERS),
                    code=find(CODE_HEADERS), prev_year=find(PREV_YEAR_HEADERS))
        if cols["name"] is not None and cols["unit"] is not None and cols["value"] is not None:
            return i, cols
    raise DataError("no header row with 指标名称, 单位 and 数量", file=label,
                    fix="the report needs a row with the column titles 指标名称 | 单位 | 数量 above the items")


def read_cells(path: str | Path, find, missing: str, percent_sign: bool = False):
    """(rows, label, header index, columns, notes) of a CSV, or of the first sheet where `find(rows, label)` finds
    the header; `missing` is the message when no sheet has one. The --data reader's file rules apply
    (a percent-formatted cell is the percentage shown; `percent_sign`: with its '%')."""
    path = Path(path)
    kind = source_kind(path)
    if kind == "csv":
        rows, label = _csv_rows(path), str(path)
        h, cols = find(rows, label)
        return rows, label, h, cols, []
    check_declared_size(path)
    wb = open_workbook(path, data_only=True)
    for ws in wb.worksheets:  # the first visible sheet with the header; hidden sheets are never read
        if ws.sheet_state != "visible":
            continue
        if ws.max_row * ws.max_column > MAX_CELLS:
            raise DataError(f"the sheet '{ws.title}' spans {ws.dimensions} ({ws.max_row} rows x {ws.max_column} "
                            "columns)", file=str(path), fix="delete stray cells far below or right of the table, "
                            "or copy the table into a new workbook")
        rows, hidden = visible_rows(ws, percent_sign)
        try:
            h, cols = find(rows, str(path))
        except DataError:
            continue
        break
    else:
        raise DataError(f"no sheet has {missing}", file=str(path), fix=f"the table needs {missing}")
    label = str(path) if len(wb.sheetnames) == 1 else f"{path} [sheet '{ws.title}']"
    formulas = uncached_formulas(path, ws.title, ws)
    if formulas:
        raise DataErrors([DataError(f"cell {coord} holds the formula '{f}' with no saved value", file=label,
                                    row=r, fix="open the file in Excel and save it (so values are stored), "
                                    "or paste the values only") for coord, r, f in formulas[:20]])
    head_row = rows[h][0]
    body = [m for m in ws.merged_cells.ranges if m.max_row > head_row]
    if body:  # a merged cell keeps its value in one cell only: the other rows would lose it
        raise DataError("merged cells in the table " + ", ".join(sorted(str(m) for m in body)[:10]), file=label,
                        row=min(m.min_row for m in body), fix="unmerge the cells and write the value into every cell")
    return rows, label, h, cols, hidden_rows_note(label, hidden)


def read_layout(path: str | Path) -> Layout:
    """The report's cells and the parts of its header, or a message saying what is wrong with the file."""
    rows, label, h, cols, notes = read_cells(path, find_header, "a header row with 指标名称, 单位 and 数量")
    title = " | ".join(c.strip() for _, r in rows[:h] for c in r if c.strip())
    return Layout(rows, label, h, cols["name"], cols["unit"], cols["value"], cols["code"], cols["prev_year"],
                  title, tuple(notes))


def is_column_labels(cells: list[str]) -> bool:
    """The 甲 | 乙 | 丙 | 1 | 2 | 3 row that numbers the columns under the header."""
    filled = [squeeze(c) for c in cells if squeeze(c)]
    return bool(filled) and all(c in _COLUMN_LABELS for c in filled)


# ---------------------------------------------------------------- period
@dataclass(frozen=True)
class Period:
    """What the report covers: a year, a quarter (1-4) or a month (1-12) of a year."""
    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def full_year(self) -> bool:
        return self.quarter is None and self.month is None

    def end_month(self) -> int:
        return self.month or (3 * self.quarter if self.quarter else 12)

    def label(self) -> str:
        if self.month:
            return f"{self.year}-{self.month:02d}"
        if self.quarter:
            return f"{self.year}Q{self.quarter}"
        return str(self.year)


_ZH_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}


def parse_period(text: str) -> Period | None:
    """'2024-06', '2013Q4', '2023' (the --period option) -> Period; None if it is none of these."""
    s = str(text).strip().upper()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", s):
        if 1 <= int(m.group(2)) <= 12:
            return Period(int(m.group(1)), month=int(m.group(2)))
    if m := re.fullmatch(r"(\d{4})Q([1-4])", s):
        return Period(int(m.group(1)), quarter=int(m.group(2)))
    if re.fullmatch(r"\d{4}", s):
        return Period(int(s))
    return None


def period_in_title(title: str) -> Period | None:
    """The period a report's title cells (joined by ' | ') state: 2013年4季度, 2022年09月, 2020年度 01月份,
    2022年社会服务统计3月份报表, 统计年报（2023年）. A 年报 title wins over a month in another cell (the date it was filled in)."""
    cells = [squeeze(c) for c in str(title).split(" | ")]
    cells = [c for c in cells if "日期" not in c and "填报" not in c and "填表" not in c]
    for c in cells:
        if "年报" in c and (m := re.search(r"(\d{4})年", c)):
            return Period(int(m.group(1)))
    for c in cells:
        if m := re.search(r"(\d{4})年(?:度)?第?([1-4一二三四])季度", c):
            q = m.group(2)
            return Period(int(m.group(1)), quarter=int(q) if q.isdigit() else _ZH_DIGIT[q])
    for c in cells:  # 2022年社会服务统计3月份报表: the month later in the same title
        if m := re.search(r"(\d{4})年\D{0,20}?(\d{1,2})月(?:份|报)", c):
            if 1 <= int(m.group(2)) <= 12:
                return Period(int(m.group(1)), month=int(m.group(2)))
    joined = "".join(cells)  # 2020年度 | 01月份 in two cells
    if m := re.search(r"(\d{4})年(?:度)?(\d{1,2})月", joined):
        if 1 <= int(m.group(2)) <= 12:
            return Period(int(m.group(1)), month=int(m.group(2)))
    return None


# ---------------------------------------------------------------- sections
AREAS = {"城市": "urban", "城镇": "urban", "农村": "rural", "城乡": "total"}
_LEVELS = [re.compile(p) for p in (r"^[一二三四五六七八九十]+[、.．]", r"^[（(][一二三四五六七八九十]+[)）]",
                                   r"^\d+[.．、]", r"^[（(]\d+[)）]", r"^[A-Z][\s.．]", r"^[IVX]+[\s.．]")]


def level(raw_name: str) -> int | None:
    """Depth of a numbered row: 一、=0, （一）=1, 1.=2, (1)=3, A =4, I =5; None when not numbered."""
    s = str(raw_name).replace("\u3000", " ").strip()
    for i, p in enumerate(_LEVELS):
        if p.match(s):
            return i
    return None


def area_of(name: str) -> str | None:
    """'urban', 'rural' or 'total' when a (squeezed) name starts with or contains an area word."""
    s = squeeze(name)
    for word, area in AREAS.items():
        if word in s:
            return area
    return None


class Sections:
    """The section rows above an item, so 城市最低生活保障 › 最低生活保障人数 is read as the urban count.

    A section row with an area word sets the area; a later section row without one ends it,
    unless it is numbered deeper than the row that set the area (a sub-heading inside it)."""

    def __init__(self):
        self.stack: list[tuple[int, str]] = []  # (depth, section name), outermost first (for messages)
        self.area: str | None = None
        self.area_level: int | None = None

    def enter(self, raw_name: str, name: str) -> None:
        lv = level(raw_name)
        a = area_of(name)
        if a is not None:
            self.area, self.area_level = a, lv
        elif not (lv is not None and self.area_level is not None and lv > self.area_level):
            self.area, self.area_level = None, None
        self._push(lv, name)

    def _push(self, lv: int | None, name: str) -> None:
        depth = lv if lv is not None else 99  # an unnumbered section nests in the numbered one above it
        while self.stack and self.stack[-1][0] >= depth:
            self.stack.pop()
        self.stack.append((depth, name))

    def item(self, name: str) -> None:
        """An item naming the other area (城市特困人员… after the rows of 农村最低生活保障) is no longer
        inside that area's section: the rows after it are read without the area."""
        own = area_of(name)
        if {own, self.area} == {"urban", "rural"}:
            self.area, self.area_level = None, None

    def numbered(self, raw_name: str, name: str) -> None:
        """A numbered item with a number (三、提供住宿的民政机构 | 个 | 258) heads the rows under it in messages;
        it leaves the area alone."""
        lv = level(raw_name)
        if lv is not None and area_of(name) is None:
            self._push(lv, name)

    def parents(self, raw_name: str) -> str:
        """The sections an item sits in: those numbered above its own depth."""
        lv = level(raw_name)
        depth = lv if lv is not None else 99
        return " › ".join(n for d, n in self.stack if d < depth)

    def path(self) -> str:
        return " › ".join(n for _, n in self.stack)
