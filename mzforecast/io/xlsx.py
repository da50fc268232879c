"""Excel handler: the one sheet that holds data (or the one named), refusing what would be mis-read.

openpyxl with ``data_only=True`` gives the values Excel cached; a formula never calculated
(a file written by a script, not saved by Excel) has no cached value and reads as empty, so
the workbook is also opened with ``data_only=False`` to find those formulas and refuse them.
Merged cells keep their value only in the top-left cell, so they are refused with the range.
"""
from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import pandas as pd

from ..errors import DataError, DataErrors, RowNumbers


def _cell(c, percent_sign: bool = False) -> str:
    """A cell as the user sees it: a percent-formatted 0.45 is the 45 (%) shown, not 0.45; with
    `percent_sign` the sign too ('45%'), for readers of phrases where the unit is part of the text."""
    v = c.value
    if isinstance(v, (int, float)) and not isinstance(v, bool) and "%" in str(c.number_format or ""):
        return _text(float(f"{v * 100:.12g}")) + ("%" if percent_sign else "")
    return _text(v)


def _text(v) -> str:
    """A cell as the string a user sees: whole floats without '.0', no scientific surprises."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    return str(v)


MAX_XML = 40 * 10**6  # uncompressed sheet XML: a yearbook table is well under 1 MB


def _check_declared_size(path: Path):
    """Refuse a workbook whose sheets unpack to more than MAX_XML before openpyxl inflates them
    (a 141 KB file can declare hundreds of MB of repeated cells)."""
    import zipfile
    try:
        with zipfile.ZipFile(path) as z:
            size = sum(i.file_size for i in z.infolist() if i.filename.startswith("xl/"))
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise DataError(f"cannot read the workbook ({type(e).__name__}: {e})", file=str(path),
                        fix="open it in Excel and save it again as .xlsx") from None
    if size > MAX_XML:
        raise DataError(f"the workbook unpacks to {size / 1e6:.0f} MB of sheet data, more than any statistical "
                        f"table ({MAX_XML // 10**6} MB limit)", file=str(path),
                        fix="delete stray cells far below or right of the table, or copy the table into a new workbook")


def _open(path: Path, data_only: bool):
    import openpyxl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl warns about data validation, styles…
        try:
            return openpyxl.load_workbook(path, data_only=data_only)
        except Exception as e:  # openpyxl, zipfile and the XML parser raise many kinds on a damaged file
            raise DataError(f"cannot read the workbook ({type(e).__name__}: {e})", file=str(path),
                            fix="open it in Excel and save it again as .xlsx") from None


MAX_CELLS = 5_000_000  # a yearbook table is thousands of cells; a stray cell at XFD1048576 is billions


def _has_data(ws) -> bool:
    if not hasattr(ws, "_cells"):  # a chart sheet holds a chart, never data
        return False
    return any(v is not None and str(v).strip() for v in (c.value for c in ws._cells.values()))


# sheets that explain a workbook (the template's 填写说明) are never read as data
NOTE_SHEETS = {"填写说明", "说明", "使用说明", "readme", "notes", "instructions"}


def visible_rows(ws, percent_sign: bool = False) -> tuple[list[tuple[int, list[str]]], list[int]]:
    """(row number, cells as text) of the rows shown in Excel, and the numbers of the hidden rows
    skipped: a hidden row (filtered out, or hidden by hand) is not what the reader sees. Percent
    cells as `_cell` reads them."""
    rows, hidden = [], []
    for c in ws.iter_rows():
        r = c[0].row if c else 0
        dim = ws.row_dimensions.get(r)  # .get: no entry made for rows without one
        if dim is not None and dim.hidden:
            if any(x.value is not None for x in c):
                hidden.append(r)
            continue
        rows.append((r, [_cell(x, percent_sign) for x in c]))
    return rows, hidden


def hidden_rows_note(label: str, hidden: list[int]) -> list[str]:
    """The note naming the hidden rows a reader skipped (none: no note)."""
    if not hidden:
        return []
    shown = ", ".join(map(str, hidden[:10])) + (f" … ({len(hidden)} in all)" if len(hidden) > 10 else "")
    return [f"{label}: hidden rows not read: {shown} (unhide them in Excel to read them)"]


def read(path: Path, sheet: str | None = None) -> pd.DataFrame:
    _check_declared_size(path)
    wb = _open(path, data_only=True)
    names = [n for n in wb.sheetnames if wb[n].sheet_state == "visible"]  # hidden sheets are never read or named
    hidden = [n for n in wb.sheetnames if wb[n].sheet_state == "hidden"]
    # a veryHidden sheet (hidden so that Excel's Unhide does not list it) is counted, never named
    very = sum(wb[n].sheet_state == "veryHidden" for n in wb.sheetnames)
    skipped = f" (hidden sheets skipped: {', '.join(repr(n) for n in hidden)})" if hidden else ""
    if sheet is not None:
        if sheet not in names or not hasattr(wb[sheet], "_cells"):
            what = (f"the sheet '{sheet}' is hidden" if sheet in hidden else f"the sheet '{sheet}' is a chart"
                    if sheet in names else f"the workbook has no sheet '{sheet}'")
            tables = [n for n in names if hasattr(wb[n], "_cells")]  # chart sheets hold no table to name
            raise DataError(what, file=str(path), fix="sheets: " + ", ".join(f"'{n}'" for n in tables))
        ws = wb[sheet]
    else:
        full = [n for n in names if n.strip().lower() not in NOTE_SHEETS and _has_data(wb[n])]
        if not full:
            raise DataError("the workbook has no data on any sheet" + skipped, file=str(path),
                            fix="put a header row and data rows on the first sheet" + (
                                ", or unhide the sheet in Excel" if hidden else ""))
        if len(full) > 1:
            raise DataError("the workbook has data on several sheets: " + ", ".join(f"'{n}'" for n in full),
                            file=str(path), fix=f"choose one with --sheet NAME (e.g. --sheet '{full[-1]}'), "
                            "or keep one sheet per file")
        ws = wb[full[0]]
    label = str(path) if len(wb.sheetnames) == 1 else f"{path} [sheet '{ws.title}']"
    if ws.max_row * ws.max_column > MAX_CELLS:
        raise DataError(f"the sheet spans {ws.dimensions} ({ws.max_row} rows x {ws.max_column} columns)",
                        file=label, fix="delete stray cells far below or right of the table, or copy the table "
                        "into a new workbook")
    if ws.merged_cells.ranges:
        rngs = sorted(str(r) for r in ws.merged_cells.ranges)
        first = min(r.min_row for r in ws.merged_cells.ranges)
        raise DataError("merged cells " + ", ".join(rngs[:10]) + (" …" if len(rngs) > 10 else ""),
                        file=label, row=first, fix="unmerge the cells and write the value into every cell")
    rows, hidden_rows = visible_rows(ws)
    formulas = _uncached_formulas(path, ws.title, ws)
    if formulas:
        raise DataErrors([DataError(f"cell {coord} holds the formula '{f}' with no saved value", file=label, row=r,
                                    fix="open the file in Excel and save it (so values are stored), "
                                    "or paste the values only") for coord, r, f in formulas[:20]])
    rows = [(r, vals) for r, vals in rows if any(v.strip() for v in vals)]
    if not rows:
        raise DataError("the sheet is empty", file=label, fix="put a header row and data rows on it")
    (_, header), body = rows[0], rows[1:]
    header = [h.strip() for h in header]
    width = len(header)
    while width and not header[width - 1] and not any(v[width - 1].strip() for _, v in body if len(v) >= width):
        width -= 1
    errs = []
    for r, vals in body:
        extra = [v for v in vals[width:] if v.strip()]
        if extra:
            errs.append(DataError(f"row {r} has a value beyond the last headed column ('{extra[0][:40]}')",
                                  file=label, row=r, fix="give every column a header or delete the stray cell"))
    if errs:
        raise DataErrors(errs[:20])
    data = [v[:width] + [""] * (width - len(v)) for _, v in body]
    df = pd.DataFrame(data, columns=range(width), dtype=object) if data else pd.DataFrame(
        columns=range(width), dtype=object)
    df.columns = header[:width]
    df.attrs.update(rows=RowNumbers(r for r, _ in body), label=label)
    notes = hidden_rows_note(label, hidden_rows)
    if hidden or very:  # skipped, and said so: a hidden sheet may hold the figures someone meant
        said = [f"'{n}'" for n in hidden] + ([f"{very} very hidden sheet(s) (not named)"] if very else [])
        notes.append(f"{path}: read the sheet '{ws.title}'; hidden sheets not read: " + ", ".join(said)
                     + " (unhide one and give --sheet NAME to read it)")
    if notes:
        df.attrs["notes"] = notes
    return df


def _uncached_formulas(path: Path, title: str, cached_ws) -> list[tuple[str, int, str]]:
    """Cells that hold a formula whose cached value is missing (reads as empty with data_only=True)."""
    ws = _open(path, data_only=False)[title]
    out = []
    for row in ws.iter_rows():
        for c in row:
            if c.data_type == "f" or (isinstance(c.value, str) and c.value.startswith("=")):
                if cached_ws[c.coordinate].value is None:
                    out.append((c.coordinate, c.row, str(c.value)[:60]))
    return out


# the same cell rules for readers of other sheet layouts (the statistical-report reader)
cell_text = _cell
open_workbook = _open
uncached_formulas = _uncached_formulas
check_declared_size = _check_declared_size
