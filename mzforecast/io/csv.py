"""CSV handler: decode as Excel saves it in China, then check every line has the header's field count.

Parsed with the standard csv module rather than pandas so each record keeps its line number
and a line with an extra or missing field is named, not silently shifted into other columns.
"""
from __future__ import annotations

import csv
import gc
import re
from pathlib import Path

import pandas as pd

from ..errors import DataError, DataErrors, RowNumbers

ENCODINGS = ("utf-8-sig", "gb18030")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # category Cc but tab, CR, LF
MAX_REPORTED = 20  # field-count problems listed before the rest are summarised


def decode(path: Path, raw: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM (Excel 'Unicode text') or GBK/GB18030."""
    encs = ("utf-16",) if raw.startswith((b"\xff\xfe", b"\xfe\xff")) else ENCODINGS
    for enc in encs:
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise DataError("cannot decode the file as UTF-8 or GBK text: it looks binary or damaged", file=str(path),
                        fix="in Excel choose 'CSV UTF-8 (逗号分隔)' when saving")
    # the whole text, not a sample: an escape sequence after the first lines must not reach a terminal
    ctrl = len(_CONTROL.findall(text))
    if "\x00" in text or (text and ctrl > max(2, len(text) // 20)):
        raise DataError("the file holds binary data (control characters), not a text table", file=str(path),
                        fix="export the table again from Excel as 'CSV UTF-8 (逗号分隔)' or .xlsx")
    return text


def read(path: Path) -> pd.DataFrame:
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise DataError(f"cannot read the file: {e.strerror or e}", file=str(path)) from None
    text = decode(path, raw)
    split = text.splitlines(keepends=True)
    del text
    first = next((ln for ln in split if ln.strip()), "")  # a line ending is neither a tab, ',' nor ';'
    delim = ("\t" if path.suffix.lower() == ".tsv" or ("\t" in first and "," not in first)
             else ";" if ";" in first and "," not in first else ",")  # ';': Excel in European locales
    reader = csv.reader(split, delimiter=delim, skipinitialspace=True)
    header, width, records, lines, errs, n_bad = None, 0, [], [], [], 0
    start = 1
    # a million records are a million new lists, none of which can be part of a reference cycle:
    # the cyclic collector would only walk them again and again while they are made
    collecting = gc.isenabled()
    gc.disable()
    try:
        for rec in reader:
            line, start = start, reader.line_num + 1
            if not "".join(rec).strip():  # a blank line (faster than a test per field on a million rows)
                continue
            if header is None:
                header = [c.strip() for c in rec]
                while header and not header[-1]:
                    header.pop()  # Excel's trailing empty columns
                width = len(header)
                continue
            if len(rec) > width and not any(c.strip() for c in rec[width:]):
                rec = rec[:width]
            if len(rec) != width:
                n_bad += 1
                if len(errs) < MAX_REPORTED:
                    more = "an extra field" if len(rec) > width else "a missing field"
                    errs.append(DataError(
                        f"line {line} has {len(rec)} fields but the header has {width} ({more})", file=str(path),
                        row=line, fix="check for a stray comma (quote values that contain ',') or an empty cell "
                        "left out; every line needs one field per header column"))
                continue
            records.append(rec)
            lines.append(line)
    except csv.Error as e:
        raise DataError(f"not a valid CSV table at line {start}: {e}", file=str(path), row=start,
                        fix="check the quotes on that line") from None
    finally:
        if collecting:
            gc.enable()
    if header is None:
        raise DataError("the file has no header row", file=str(path), fix="add a header row and data rows")
    if n_bad > len(errs):
        errs.append(DataError(f"… and {n_bad - len(errs)} more lines with the wrong number of fields",
                              file=str(path)))
    if errs:
        raise DataErrors(errs)
    df = pd.DataFrame(records, columns=range(width), dtype=object) if records else pd.DataFrame(
        columns=range(width), dtype=object)
    df.columns = header
    df.attrs.update(rows=RowNumbers(lines), label=str(path))
    return df
