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
    encoder one record at a time: with `indent` json.dumps runs its pure-Python encoder, three
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

