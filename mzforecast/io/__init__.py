"""Read any table source into strings: one handler per kind of file behind one dispatch.

The kind is sniffed from the bytes, not trusted from the name, so a CSV saved as .xlsx, a
workbook renamed .csv or a binary file gets a message saying what the file really is.
Every handler returns a DataFrame of strings with ``attrs['rows']`` (the spreadsheet row or
CSV line of each record) and ``attrs['label']`` (file name, plus the sheet for workbooks).
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from ..errors import DataError
from . import csv as _csv, xlsx as _xlsx

MAX_BYTES = 200 * 10**6  # yearbook tables are kilobytes to a few megabytes
HANDLERS = {"csv": _csv.read, "xlsx": _xlsx.read}
SUFFIXES = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}
_MAGIC = [(b"PK\x03\x04", "zip"), (b"\xd0\xcf\x11\xe0", "an old binary Office file (.xls/.doc)"),
          (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
          (b"\x1f\x8b", "a gzip archive"), (b"7z\xbc\xaf", "a 7-Zip archive"), (b"Rar!", "a RAR archive")]


def sniff(path: Path, head: bytes) -> str:
    """'csv', 'xlsx' or a description of what the file is when it is neither."""
    for magic, what in _MAGIC:
        if head.startswith(magic):
            if what != "zip":
                return what
            try:
                with zipfile.ZipFile(path) as z:
                    names = set(z.namelist())
            except (zipfile.BadZipFile, OSError, ValueError):
                return "a damaged ZIP archive"
            return "xlsx" if "xl/workbook.xml" in names else "a ZIP archive (not an Excel workbook)"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "a binary file"
    return "csv"


def check_readable(path: str | Path, max_bytes: int | None = None) -> Path:
    """Refuse, before opening it, what no reader should read: a missing path, a folder, a device or
    FIFO (/dev/zero never ends, a FIFO blocks forever) and a file larger than any table."""
    path = Path(path)
    file = str(path)
    if not path.exists():
        raise DataError("file not found", file=file, fix="check the path")
    if path.is_dir():
        raise DataError("this is a folder, not a file", file=file, fix="give the path of a CSV or .xlsx file")
    if not path.is_file():
        raise DataError("this is not a regular file (a device or pipe)", file=file,
                        fix="save the table to a file and give its path")
    size = path.stat().st_size
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    if size > max_bytes:
        raise DataError(f"the file is {size / 1e6:.0f} MB, more than any statistical table "
                        f"({max_bytes // 10**6} MB limit)", file=file, fix="check that this is the right file")
    return path


def read_table(path: str | Path, sheet: str | None = None) -> pd.DataFrame:
    """Read a CSV (UTF-8, BOM, GBK) or .xlsx/.xlsm file as strings, or say why it cannot be read."""
    path = Path(path)
    kind = source_kind(path)
    if kind == "xlsx":
        return HANDLERS[kind](path, sheet=sheet)
    df = HANDLERS[kind](path)
    if sheet is not None:  # said, not silently ignored: the user may have named the wrong file
        df.attrs["notes"] = list(df.attrs.get("notes", [])) + [f"{path}: a CSV file has no sheets: --sheet {sheet} "
                                                               "is not used for it"]
    return df


def source_kind(path: str | Path) -> str:
    """'csv' or 'xlsx' for a readable table file; a device, pipe, folder, huge or foreign file is refused
    before a byte of it is parsed (so /dev/zero or a FIFO never blocks a reader)."""
    path = check_readable(path)
    file = str(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as e:
        raise DataError(f"cannot read the file: {e.strerror or e}", file=file) from None
    if not head:
        raise DataError("the file is empty", file=file, fix="export the sheet again with a header row")
    kind = sniff(path, head)
    named = SUFFIXES.get(path.suffix.lower())
    if path.suffix.lower() == ".xls":
        raise DataError("old .xls workbooks are not supported", file=file, fix="save as .xlsx or as CSV (UTF-8)")
    if kind not in HANDLERS:
        raise DataError(f"this is {kind}, not a data table", file=file,
                        fix="save the table from Excel as .xlsx or 'CSV UTF-8 (逗号分隔)'")
    if named and named != kind:
        what = {"csv": "a text (CSV) file", "xlsx": "an Excel workbook"}[kind]
        right = {"csv": ".csv", "xlsx": ".xlsx"}[kind]
        raise DataError(f"the name ends in '{path.suffix}' but the file is {what}", file=file,
                        fix=f"rename it to end in '{right}' (or save it again in the format its name says)")
    return kind
