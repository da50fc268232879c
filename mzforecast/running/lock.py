"""What `mzforecast run` must not lose in its --out folder: the lock, the page list, the names.

- One run at a time per folder: a second run on the same --out stops with exit 2 (the lock is
  an flock on a hidden file beside the folder, released by the OS when the run ends or dies).
- Pages of earlier runs that this run does not rebuild are kept and listed in the index: each
  run records its pages (name, params, records) in PAGES so the next run can list them again;
  rows that summary.json holds are referred to there, not written twice.
- A report name cannot take the place of a file the run writes itself (index.html), nor of
  another report's page on a case-insensitive disk.
- An --out folder holding a FIFO or device is refused before any notebook runs (copying it
  into the new folder would block).
"""
from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

from ..errors import DataError

PAGES = ".mzforecast-pages.json"
RESERVED = {"index"}  # index.html is the run's own page
_PARAM_KEYS = ("plan", "notebook", "language", "as_of", "target_id")


class Lock:
    """The lock of one --out folder, held from acquire() to release(); another holder means exit 2.

    The lock file is removed on release (no litter beside the reports); a run that opened the
    file just before it was removed sees that the path no longer names its file and opens again.
    """

    def __init__(self, out: Path):
        self.out = Path(out)
        self.path = self.out.parent / f".{self.out.name}.lock"
        self.fd: int | None = None

    def acquire(self):
        try:
            import fcntl
        except ImportError:  # no flock on this platform: runs are not serialised
            return
        for _ in range(5):
            try:
                self.out.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            except OSError as e:
                raise DataError(f"cannot create the lock file ({e.strerror})", file=str(self.path),
                                fix="choose a writable folder for --out") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                raise DataError("another `mzforecast run` is writing this folder now", file=str(self.out),
                                fix="wait for it to finish and run again, or give a different --out") from None
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                self.fd = fd
                return
            os.close(fd)  # the previous holder removed the file as we opened it: take the new one
        raise DataError("the lock file keeps changing", file=str(self.path), fix="run again")

    def release(self):
        if self.fd is not None:
            try:
                self.path.unlink()
            except OSError:
                pass
            os.close(self.fd)  # closing the file releases the flock
            self.fd = None


def name_clashes(jobs: list[dict]) -> list[DataError]:
    """Report names that would overwrite the index or each other (Index.html vs index.html)."""
    errs, seen = [], {}
    for j in jobs:
        key = j["name"].casefold()
        if key in RESERVED:
            errs.append(DataError(f"a params file named '{j['name']}' would write {j['name']}.html, the run's own "
                                  "index page", file=j["file"], fix="rename the params file"))
        elif key in seen and seen[key]["name"] != j["name"]:
            errs.append(DataError(f"'{seen[key]['name']}' and '{j['name']}' differ only in upper/lower case: on "
                                  "Windows and macOS disks their pages would overwrite each other",
                                  file=f"{seen[key]['file']}, {j['file']}", fix="rename one"))
        seen.setdefault(key, j)
    return errs


def check_entries(out: Path):
    """Refuse a --out folder holding a FIFO, socket or device: copying it would block or fail late."""
    if not Path(out).is_dir():
        return
    bad = []
    for p in Path(out).iterdir():
        mode = p.lstat().st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode)):
            bad.append(p.name)
    if bad:
        raise DataError("the output folder holds something that is not a file or folder (a pipe or device): "
                        + ", ".join(sorted(bad)[:5]), file=str(out), fix="move it out of the folder, or give another --out")


def keep_earlier_pages(out: Path, written: set[str], stage: Path, todo: list[dict]) -> tuple[list[dict], list[dict]]:
    """Copy into stage the pages earlier runs made that this run does not rebuild.

    Returns (results, jobs) in the shape run() uses, so the index and summary list them again.
    Only pages an earlier run recorded in PAGES are kept: a page is never guessed from a name.
    A page whose rows the list refers to in summary.json gets them from there (none if that file
    no longer holds them all).
    """
    if PAGES not in written:  # a folder from before the page list: nothing is guessed
        return [], []
    rebuilt = {j["name"] for j in todo}
    try:
        pages = json.loads((Path(out) / PAGES).read_text(encoding="utf-8"))
        pages = [p for p in pages if isinstance(p, dict) and isinstance(p.get("name"), str)]
    except (OSError, ValueError, TypeError):
        return [], []
    results, jobs = [], []
    shared = _SummaryRows(Path(out), SUMMARY in written)
    for p in pages:
        name = p["name"]
        html = f"{name}.html"
        if name in rebuilt or html not in written or not (Path(out) / html).is_file():
            continue
        for f in (html, f"{name}.ipynb"):
            if f in written and (Path(out) / f).is_file():
                shutil.copy2(Path(out) / f, stage / f)
        params = p.get("params") if isinstance(p.get("params"), dict) else {}
        records = p.get("records")
        records = shared.of(name, records.get("rows")) if isinstance(records, dict) else list(records or [])
        results.append({"name": name, "params_file": p.get("params_file"), "plan": params.get("plan"),
                        "ok": bool(p.get("ok")), "error": str(p.get("error") or ""), "html": html,
                        "stale": bool(p.get("stale")), "records": records, "kept": True})
        jobs.append({"name": name, "file": p.get("params_file"), "params": params})
    return results, jobs


SUMMARY = "summary.json"


class _SummaryRows:
    """The rows of an earlier run's summary.json by page (report), read once if a page needs them."""

    def __init__(self, out: Path, ours: bool):
        self.path = out / SUMMARY if ours else None
        self.by_page: dict[str, list[dict]] | None = None

    def of(self, name: str, count) -> list[dict]:
        if self.by_page is None:
            self.by_page = _by_page(self._read())
        rows = self.by_page.get(name, [])
        return [_without_report(r) for r in rows] if len(rows) == count else []

    def _read(self) -> list:
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8")) if self.path else []
            return rows if isinstance(rows, list) else []
        except (OSError, ValueError):
            return []


def _by_page(rows) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for r in rows:
        if isinstance(r, dict) and isinstance(r.get("report"), str):
            out.setdefault(r["report"], []).append(r)
    return out


def _without_report(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "report"}


def _key(row: dict) -> tuple:
    return tuple(str(row.get(k)) for k in ("plan", "target_id", "region", "as_of"))


def _held_whole(records: list[dict], held: list[dict] | None) -> bool:
    """Does summary.json hold every one of a page's rows, with the same fields and values?
    (A year column with empty cells holds 2020.0 for 2020: equal values, and the page's rows
    come back as summary.json holds them.)"""
    if not records or held is None or len(held) != len(records):
        return False
    return sorted(records, key=_key) == sorted((_without_report(r) for r in held), key=_key)


def write_pages(stage: Path, results: list[dict], jobs: list[dict], summary: list[dict] | None = None):
    """Record every page in the new folder for the next run (names, the params that title them,
    rows). Rows that `summary` (summary.json, as written) holds whole are referred to there, not
    copied: {"in": "summary.json", "rows": n}; the others (backtests, a page whose rows another
    page's replaced in the summary) are kept here."""
    params = {j["name"]: j["params"] for j in jobs}
    held = _by_page(summary or [])
    rows = []
    for r in results:
        if not r.get("html"):
            continue
        recs = r.get("records", [])
        rows.append({"name": r["name"], "params_file": r.get("params_file"), "ok": r["ok"],
                     "error": r.get("error", ""), "stale": r.get("stale", False),
                     "records": {"in": SUMMARY, "rows": len(recs)} if _held_whole(recs, held.get(r["name"])) else recs,
                     "params": {k: params.get(r["name"], {}).get(k) for k in _PARAM_KEYS
                                if params.get(r["name"], {}).get(k) is not None}})
    (stage / PAGES).write_text(json.dumps(rows, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
