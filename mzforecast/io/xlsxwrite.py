"""Render a workbook described as plain data (sheets of rows of values, each cell's style) to .xlsx
with XlsxWriter, streamed row by row: the writer for large workbooks (summary.xlsx).

A page decides what goes in (`Sheet`, `Style`); this module owns how it is written: every text
cell through the one neutraliser (safe.csv_cell: no live formula, no character XML cannot hold)
and written as text (never turned into a formula, link or number), times pinned by
SOURCE_DATE_EPOCH, the file written atomically with the umask's mode by io.write.
"""
from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Iterable

from ..safe import csv_cell, memo_text
from .workbook import now_pinned, pinned_zip


@dataclass(frozen=True)
class Style:
    """A cell's look: number format, solid fill and font colour as RGB hex ("DDEBF7"), bold, and
    `header` (centred both ways, wrapped)."""
    num_format: str | None = None
    fill: str | None = None
    bold: bool = False
    font_color: str | None = None
    header: bool = False


@dataclass
class Sheet:
    """One worksheet: `rows` yields (values, styles) per row, the first the header, `styles` a Style
    or None per cell (None: no style in the row); values are text, numbers, booleans or None; `widths` per
    column in characters; `freeze` (row, column) of the first cell not frozen; `autofilter` over
    every written row and column."""
    name: str
    rows: Iterable[tuple[list, list]]
    widths: tuple = ()
    freeze: tuple[int, int] | None = None
    autofilter: bool = False


# XlsxWriter's own conversions of strings are off: a cell is the text the page put there
OPTIONS = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
           "strings_to_numbers": False}


def _format(book, style: Style):
    spec = {}
    if style.num_format is not None:
        spec["num_format"] = style.num_format
    if style.fill:
        spec.update(pattern=1, bg_color="#" + style.fill)
    if style.bold:
        spec["bold"] = True
    if style.font_color:
        spec["font_color"] = "#" + style.font_color
    if style.header:
        spec.update(align="center", valign="vcenter", text_wrap=True)
    return book.add_format(spec)


def _write_sheet(book, sheet: Sheet, safe, formats: dict):
    ws = book.add_worksheet(sheet.name)
    for i, w in enumerate(sheet.widths):
        # in pixels: Excel's width in characters is pixels / 7 for the default font, so the file
        # holds exactly `w`, as openpyxl writes it for the template and other workbooks
        ws.set_column_pixels(i, i, round(w * 7))
    if sheet.freeze:
        ws.freeze_panes(*sheet.freeze)

    def fmt(style):
        if style is None:
            return None
        f = formats.get(style)
        if f is None:
            f = formats[style] = _format(book, style)
        return f

    n_rows = n_cols = 0
    for r, (values, styles) in enumerate(sheet.rows):
        n_rows, n_cols = r + 1, max(n_cols, len(values))
        for c, v in enumerate(values):
            f = fmt(styles[c]) if styles else None
            if v.__class__ is str and v:
                ws.write_string(r, c, safe(v), f)
            elif v is None or v == "" or (isinstance(v, float) and not math.isfinite(v)):
                if f is not None:  # an empty cell keeps its row's format
                    ws.write_blank(r, c, None, f)
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v, f)
            elif isinstance(v, (int, float)):
                ws.write_number(r, c, v, f)
            else:
                ws.write_string(r, c, safe(str(v)), f)
    if sheet.autofilter and n_rows:
        ws.autofilter(0, 0, n_rows - 1, n_cols - 1)


def sheets_bytes(sheets: list[Sheet]) -> bytes:
    """The .xlsx bytes of `sheets`, document and zip times pinned by SOURCE_DATE_EPOCH."""
    import xlsxwriter

    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, OPTIONS)
    when = now_pinned()
    book.set_properties({"created": when})  # XlsxWriter writes it as created and modified
    safe, formats = memo_text(csv_cell), {}  # the same few texts in most rows
    for sheet in sheets:
        _write_sheet(book, sheet, safe, formats)
    book.close()
    return pinned_zip(buf.getvalue(), when)
