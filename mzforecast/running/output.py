"""The output folder of a run: built beside the old one (staging), swapped in at the end, with a
marker listing the files the tool wrote so that any other file is carried over, never deleted;
staging folders of killed runs are cleaned up. Also the summary files (CSV, JSON, workbook).
Imports leaves, data, engine and presentation.
"""
from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import sys
from pathlib import Path

import pandas as pd

from .. import clock
from ..attainment import FIELDS
from ..errors import DataError
from ..io.write import json_records
from ..pages.workbook import write_summary_xlsx
from ..safe import neutralise_frame
from .lock import PAGES


def atomic_write(path: Path, text: str):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def output_error(e: OSError, out: Path) -> DataError:
    """Read-only or full disk, or a path in the way: one message; the previous reports are untouched."""
    why = {errno.EROFS: "the disk is read-only", errno.ENOSPC: "the disk is full",
           errno.EDQUOT: "the disk quota is exceeded", errno.EACCES: "permission denied",
           errno.ENOTDIR: "a file is in the way of the folder path"}.get(e.errno, e.strerror or str(e))
    return DataError(f"cannot write the reports: {why}", file=str(e.filename or out),
                     fix="free space or choose a writable folder for --out; the previous reports are unchanged")


MARKER = ".mzforecast-output"
KEEP = {".gitkeep", MARKER, PAGES}
README = """# Reports (generated)

Written by `mzforecast run` at {stamp}: executed notebooks, one HTML page per notebook,
`index.html`, `summary.csv`, `summary.xlsx` (the evaluation form) and `summary.json`. The files mzforecast wrote are replaced on
each run (their names are listed in `.mzforecast-output`); any other file is kept.
"""
# what a marker without a list of files (written before the list existed) stands for
_LEGACY_WRITTEN = re.compile(r"(index\.html|summary\.csv|summary\.json|README\.md|.+\.html|.+\.ipynb)")


def marker_text(written, seconds: dict | None = None) -> str:
    """The marker names every file the run wrote, so the next run knows what is not its own, and
    how long each notebook took, so the next run starts the longest first."""
    m = {"written_by": "mzforecast run", "files": sorted(written)}
    if seconds:
        m["seconds"] = dict(sorted(seconds.items()))
    return json.dumps(m, ensure_ascii=False, indent=1) + "\n"


def recorded_seconds(out: Path) -> dict:
    """{notebook name: seconds} the last run in out recorded (empty if none, or unreadable)."""
    try:
        rec = json.loads((out / MARKER).read_text(encoding="utf-8")).get("seconds", {})
        return {str(k): float(v) for k, v in rec.items()} if isinstance(rec, dict) else {}
    except (OSError, ValueError, AttributeError, TypeError):
        return {}


def run_stamp() -> str:
    """Run time shown in the reports; SOURCE_DATE_EPOCH pins it for byte-identical rebuilds."""
    return clock.local_now().strftime("%Y-%m-%d %H:%M")


class OutputFolder:
    """The existing --out folder: which files the tool wrote, and what must survive the swap."""

    def __init__(self, out: Path):
        self.out = out
        check_output_folder(out)
        self.written: set[str] = set()
        self.foreign: list[str] = []
        if out.is_dir():
            self.written = written_by(out)
            self.foreign = sorted(p.name for p in out.iterdir()
                                  if p.name not in self.written | KEEP and not own_transient(out, p.name))

    def check_names(self, names: set[str]):
        """Refuse before running if a report would overwrite a file the tool did not write."""
        clash = sorted(set(self.foreign) & names)
        if clash:
            raise DataError(f"the output folder holds {', '.join(clash)}, not written by mzforecast, and this run "
                            "would write a report of the same name", file=str(self.out),
                            fix="rename or move those files, or rename the params file")

    def carry_over(self, stage: Path):
        """Files the tool did not write move into the new folder as they are (copied; the old one stays whole)."""
        if (self.out / ".gitkeep").exists():  # the repository keeps the empty folder
            shutil.copy2(self.out / ".gitkeep", stage / ".gitkeep")
        for name in self.foreign:
            src = self.out / name
            if src.is_dir() and not src.is_symlink():
                shutil.copytree(src, stage / name, symlinks=True)
            else:
                shutil.copy2(src, stage / name, follow_symlinks=False)

    def keep_previous_page(self, r: dict, stage: Path):
        """A failed notebook keeps the page of the last run that made it, marked stale in the index."""
        html = f"{r['name']}.html"
        if html not in self.written or not (self.out / html).is_file():
            return
        for name in (html, f"{r['name']}.ipynb"):
            if (self.out / name).is_file():
                shutil.copy2(self.out / name, stage / name)
        r.update(html=html, stale=True, records=self._previous_records(r["name"]))

    def _previous_records(self, name: str) -> list[dict]:
        try:
            rows = json.loads((self.out / "summary.json").read_text(encoding="utf-8"))
            return [x for x in rows if isinstance(x, dict) and x.get("report") == name and "verdict" in x]
        except (OSError, ValueError):
            return []


def written_by(out: Path) -> set[str]:
    """Names the last run wrote in out, from its marker (empty if out has no marker)."""
    m = out / MARKER
    if not m.is_file():
        return set()
    try:
        files = json.loads(m.read_text(encoding="utf-8"))["files"]
        return {str(f) for f in files}
    except (ValueError, KeyError, TypeError, OSError):  # a marker from before it listed its files
        return {p.name for p in out.iterdir() if p.is_file() and _LEGACY_WRITTEN.fullmatch(p.name)}


def not_a_folder(out: Path) -> DataError:
    """The refusal of an --out that exists and is not a folder, saying what it is."""
    mode = out.stat().st_mode if out.exists() else 0
    what = ("a FIFO (named pipe)" if stat.S_ISFIFO(mode) else "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
            else "a socket" if stat.S_ISSOCK(mode) else "a file")
    return DataError(f"is {what}, not a folder", file=str(out), fix="give --out the path of a folder (new or made by mzforecast)")


def own_transient(out: Path, name: str) -> bool:
    """The run's own lock file and staging folders, which sit beside --out (inside it when --out is /)."""
    return name == f".{out.name}.lock" or re.fullmatch(_STAGING.format(name=re.escape(out.name)), name) is not None


def check_output_folder(out: Path):
    """Refuse to write into a folder mzforecast did not write: a mistyped --out must change nothing."""
    if out.exists() and not out.is_dir():
        raise not_a_folder(out)
    if out.is_dir() and not (out / MARKER).exists():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in KEEP and not own_transient(out, p.name))
        if foreign:
            shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise DataError(f"the output folder holds files mzforecast did not write ({shown}); a run replaces "
                            "the whole folder, so it stops here and changes nothing", file=str(out),
                            fix="choose a new or empty folder for --out, or move those files elsewhere")


_STAGING = r"\.{name}\.(partial|old)-(\d+)(-.*)?"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_staging(out: Path):
    """Remove staging folders of killed runs (their pid is gone); a swap cut in half is completed back."""
    if not out.parent.is_dir():
        return
    pat = re.compile(_STAGING.format(name=re.escape(out.name)))
    for p in sorted(out.parent.iterdir()):
        m = pat.fullmatch(p.name)
        if not m or not p.is_dir() or _alive(int(m[2])):
            continue
        if m[1] == "old" and not out.exists():
            os.replace(p, out)  # killed between the two renames of _swap: the previous reports come back
        else:
            shutil.rmtree(p, ignore_errors=True)


def swap(stage: Path, out: Path):
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    try:
        os.replace(stage, out)
    except OSError:
        if old is not None:
            os.replace(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def write_summary(stage: Path, results) -> tuple[list[dict], "SummaryWorkbook"]:
    """summary.csv, summary.xlsx (the evaluation form) and summary.json of the current assessments;
    returns the rows as summary.json holds them (the page list refers to them) and the workbook,
    which a large summary has written apart (wait() before the folder is complete)."""
    rows = [dict(rec, report=r["name"]) for r in results if r["ok"] and r.get("params_file")
            and "backtest" not in r["name"] for rec in r["records"]]
    df = pd.DataFrame(rows, columns=["report"] + FIELDS)
    del rows
    df = df.drop_duplicates(["plan", "target_id", "region", "as_of"]).sort_values(["plan", "target_id", "region"])
    # the workbook reads the frame's codes (comparator '==' and the like) and neutralises its own
    # cells as it writes them (io.xlsxwrite): neutralising the frame first would corrupt them
    book = SummaryWorkbook(df, stage / "summary.xlsx")
    try:
        atomic_write(stage / "summary.csv", neutralise_frame(df).to_csv(index=False))  # no formulas for Excel
        shared = json.loads(df.to_json(orient="records", force_ascii=False))
        atomic_write(stage / "summary.json", json_records(shared))
    except BaseException:
        book.stop()
        raise
    return shared, book


# From this many summary rows summary.xlsx is written by a forked process while the run writes
# the rest (streamed cell by cell, 150,000 rows still take seconds); fewer are written in place.
XLSX_APART_FROM = 20_000


class SummaryWorkbook:
    """summary.xlsx being written: in a forked process (a large summary, on Linux) or
    already, in place. wait() returns once it is written and raises what writing it raised (an
    OSError as itself: a full disk is reported as one; anything else by writing it again here);
    stop() ends the process (the run failed or was interrupted)."""

    def __init__(self, df: pd.DataFrame, path: Path):
        import multiprocessing
        self.df, self.path, self.proc, self.conn = df, path, None, None
        if len(df) < XLSX_APART_FROM or not sys.platform.startswith("linux"):  # fork: Linux only
            write_summary_xlsx(df, path)
            self.df = None
            return
        ctx = multiprocessing.get_context("fork")  # the frame is inherited, not pickled
        self.conn, send = ctx.Pipe(duplex=False)
        self.proc = ctx.Process(target=_write_apart, args=(send, df, path), daemon=True)
        self.proc.start()
        send.close()

    def wait(self):
        if self.proc is None:
            return
        try:
            got = self.conn.recv()
        except (EOFError, OSError):  # the process died
            got = ("failed", None)
        self.stop()
        if got[0] == "oserror":
            raise OSError(*got[1])
        if got[0] != "ok":
            write_summary_xlsx(self.df, self.path)
        self.df = None

    def stop(self):
        if self.proc is not None:
            if self.proc.is_alive():
                self.proc.kill()
            self.proc.join()
            self.conn.close()
            self.proc = None


def _write_apart(conn, df, path):
    try:
        write_summary_xlsx(df, path)
        conn.send(("ok", None))
    except OSError as e:
        conn.send(("oserror", (e.errno, e.strerror, e.filename)))
    except BaseException:
        conn.send(("failed", None))
    finally:
        conn.close()
