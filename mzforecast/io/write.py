"""The one writer layer for files and the terminal: every CSV, XLSX and table the tool hands out.

Cells: every text cell of every sheet or CSV passes safe.csv_cell (no live formula, no character
XML cannot hold, bidi/zero-width marks made visible). Files: written beside the destination and
moved into place (never half-written), with the mode the umask gives (as pages get), and never
over one of the command's own inputs, an existing file (unless --force) or a device/FIFO.
Terminal: text through safe.terminal (no escape sequences).
"""
from __future__ import annotations

import itertools
import json
import os
import stat
import sys
import tempfile
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..safe import csv_cell, memo_text, neutralise_frame, terminal
from .workbook import workbook_bytes


def file_mode() -> int:
    """The mode a plain open() would give a new file under the current umask."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


def check_target(out: str | Path, inputs=(), force: bool = False, suffix: str | None = None,
                 option: str = "--out") -> Path:
    """Refuse, before any work, an output that would destroy something: an input, an existing
    file (unless force), a folder, a device or FIFO, or a name with the wrong ending."""
    out = Path(out)
    if out.is_dir():
        raise DataError("is a folder", file=str(out), fix=f"give {option} a file name ending in {suffix or '.csv'}")
    if suffix and out.suffix.lower() != suffix:
        raise DataError(f"{option} needs a file name ending in {suffix}", file=str(out),
                        fix=f"e.g. {option} {out.stem or 'out'}{suffix}")
    if out.exists() or out.is_symlink():
        try:
            mode = os.stat(out).st_mode
        except OSError:
            mode = 0
        if mode and not stat.S_ISREG(mode):
            raise DataError("is not a regular file (a device or pipe): nothing is written there", file=str(out),
                            fix=f"give {option} the path of a new file")
        for src in inputs:
            try:
                same = Path(src).exists() and os.path.samefile(src, out)
            except OSError:
                same = False
            if same:
                raise DataError("is also an input of this command: writing would destroy it", file=str(out),
                                fix=f"give {option} a different file name")
        if not force:
            raise DataError("already exists: it is left as it is", file=str(out),
                            fix=f"give {option} a new file name, or add --force to replace it")
    return out


def _replace(data: bytes, out: Path) -> Path:
    """Write beside the destination, then rename into place with the umask's mode."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, file_mode())  # mkstemp makes 0600; pages and other outputs are 0644 under umask 022
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def csv_text(df: pd.DataFrame, **kw) -> str:
    """The frame as CSV text with every text cell and header neutralised."""
    return neutralise_frame(df).to_csv(index=False, **kw)


def csv_file(df: pd.DataFrame, out: str | Path, *, bom: bool = True, **kw) -> Path:
    """A CSV file (UTF-8 with BOM so Excel opens it in Chinese), written atomically."""
    text = csv_text(df, **kw)
    return _replace(text.encode("utf-8-sig" if bom else "utf-8"), Path(out))


def text_file(text: str, out: str | Path) -> Path:
    """A UTF-8 text file (a plan YAML the tool wrote), atomically, with the umask's mode."""
    return _replace(text.encode("utf-8"), Path(out))


def csv_stream(df: pd.DataFrame, fh, header: bool = True, **kw):
    """One chunk of a streamed CSV (the rows of a many-region plan) with every cell neutralised."""
    text = csv_text(df, header=header, **kw)
    fh.write(terminal(text) if _is_terminal(fh) else text)


def json_records(rows: list[dict]) -> str:
    """json.dumps(rows, ensure_ascii=False, indent=1), the same text, made by the json module's C
    encoder one record at a time: with `indent` json.dumps runs its pure-Python encoder, several
    times slower on a summary of 100,000 rows. The C encoder writes each record's fields with
    the separators indent=1 puts between them; only the braces are placed here. Rows holding a
    list or dict (nested indentation) go through json.dumps as they are."""
    if set(map(type, itertools.chain.from_iterable(map(dict.values, rows)))) & {list, dict, tuple}:
        return json.dumps(rows, ensure_ascii=False, indent=1)
    enc = json.JSONEncoder(ensure_ascii=False, separators=(",\n  ", ": "))
    recs = ["{\n  " + enc.encode(r)[1:-1] + "\n }" if r else "{}" for r in rows]
    return "[\n " + ",\n ".join(recs) + "\n]" if recs else "[]"


def _is_terminal(fh) -> bool:
    return fh in (sys.stdout, sys.__stdout__)


def neutralise_workbook(wb):
    """Every text cell of every worksheet through csv_cell (chart sheets hold no cells)."""
    safe = memo_text(csv_cell)
    for ws in wb.worksheets:
        for c in getattr(ws, "_cells", {}).values():
            if isinstance(c.value, str):
                v = safe(c.value)
                if v != c.value:
                    c.value = v
                    c.data_type = "s"  # openpyxl typed '=…' as a formula when it was set
    return wb


def workbook_file(wb, out: str | Path) -> Path:
    """Save an openpyxl workbook: cells neutralised, atomically, reproducibly, with the umask's mode."""
    neutralise_workbook(wb)
    return _replace(workbook_bytes(wb), Path(out))


def sheets_file(sheets, out: str | Path) -> Path:
    """A workbook given as io.xlsxwrite Sheets (cells neutralised as they are written), atomically,
    reproducibly, with the umask's mode; a name not ending in .xlsx is refused."""
    out = Path(out)
    if out.suffix.lower() != ".xlsx":
        raise DataError("the workbook needs a name ending in .xlsx", file=str(out))
    from .xlsxwrite import sheets_bytes
    return _replace(sheets_bytes(sheets), out)



# ---- --out: the format a file name says (one rule for every command with --out FILE)
FORMAT_OF_SUFFIX = {".csv": "csv", ".json": "json", ".xlsx": "xlsx"}


def out_format(out: str | Path | None, fmt: str | None, allowed=("csv", "json", "xlsx")) -> str:
    """The format to write: `fmt` (None: not given) on the terminal; with `out`, the format its
    name ends in, which an explicit `fmt` must agree with (a CSV text in FILE.xlsx, or nothing
    written at all, is refused)."""
    if out is None:
        return fmt or "table"
    said = FORMAT_OF_SUFFIX.get(Path(out).suffix.lower())
    names = ", ".join(f"FILE.{f}" for f in allowed)
    if said not in allowed:
        raise DataError(f"--out needs a file name ending in .{', .'.join(allowed)}: the ending says the format",
                        file=str(out), fix=f"e.g. --out {names}")
    if fmt not in (None, "table", said):
        raise DataError(f"--format {fmt} but the name ends in {Path(out).suffix}: the file would not be what its "
                        "name says", file=str(out), fix=f"give --out FILE.{fmt}, or leave out --format")
    return said


def json_text(df: pd.DataFrame) -> str:
    """Rows as a JSON list of records (UTF-8 text, not escaped), one key per column."""
    return json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)), ensure_ascii=False, indent=1)


def emit(df: pd.DataFrame, fmt: str, table_cols=None, out: str | Path | None = None, cells=None):
    """Rows on the terminal (table, csv or json, through safe.terminal), or into `out` as csv/json;
    `cells` {(row label, column): text} replace formatted cells of the table."""
    if out is not None:
        if fmt == "csv":
            csv_file(df, out)
        else:
            text_file(json_text(df) + "\n", out)
        print(terminal(f"wrote {out}: {len(df)} rows"), file=sys.stderr)
    elif fmt == "csv":
        sys.stdout.write(terminal(csv_text(df)))  # a cell "=HYPERLINK(…)" stays text in Excel
    elif fmt == "json":
        print(terminal(json_text(df)))
    else:
        from .. import fmt as fmt_mod
        view = (df[table_cols] if table_cols else df).copy()
        for c in view.columns:
            if "year" in c and view[c].dtype.kind == "f":
                view[c] = view[c].astype("Int64")
        view = fmt_mod.table_view(view, df)  # values in each row's unit, no exponent, no nan
        for (i, c), text in (cells or {}).items():
            view.at[i, c] = text
        with pd.option_context("display.max_rows", None, "display.max_columns", None, "display.width", 200,
                               "display.float_format", fmt_mod.plain):
            print(terminal(view.to_string(index=False)))


def stream_file(out: str | Path, write) -> Path:
    """A CSV written in chunks (`write(fh)`) beside the destination, then moved into place."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            write(fh)
        os.chmod(tmp, file_mode())
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
