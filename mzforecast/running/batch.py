"""`mzforecast run`: every input checked before any notebook runs (bad input exits 2 and changes
nothing), the notebooks executed in worker processes (one that fails or times out is marked in
the index and keeps its previous page, marked stale; the others go on, exit code 1), then the
summaries, the index and the swap of the finished output folder into place, only if at least
one notebook succeeded. The longest notebooks start first (by the seconds the last run recorded
in the output folder's marker, else by kind) so no worker idles at the end; each finished notebook
is reported as it ends (a bar on a terminal, one line each otherwise). Imports the running modules
below it.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from .. import clock
from ..errors import MzError
from ..kernel import check_kernel
from ..safe import terminal
from ..html import drop_dead_links
from .execute import die_with_parent, mp_context, records_of, run_one, start_worker, stop_pool
from .index import share_font, write_index
from .jobs import collect_jobs, validate_jobs, validate_options
from .lock import Lock, check_entries, keep_earlier_pages, write_pages
from .output import (MARKER, README, OutputFolder, atomic_write, clean_staging, marker_text, output_error,
                     recorded_seconds, run_stamp, swap, write_summary)

# Seconds a notebook of each kind takes when the output folder has no record of the last run:
# the order they are started in, longest first (measured on the bundled params, 2 workers).
KIND_SECONDS = {"regions_dashboard": 9.0, "plan_dashboard": 4.0, "backtest": 4.0, "target_setting": 3.0,
                "evaluation": 2.0, "indicator_report": 1.5}


def longest_first(todo: list[dict], seconds: dict) -> list[dict]:
    """The jobs in the order to start them: what took longest last time (or is of the slowest kind) first."""
    def expected(j):
        return seconds.get(j["name"], KIND_SECONDS.get(j["params"].get("notebook", "plan_dashboard"), 3.0))
    return sorted(todo, key=lambda j: -expected(j))  # stable: equal ones keep the index order


class Progress:
    """What a run says while it runs: a bar on a terminal, one line per notebook otherwise, or nothing."""

    def __init__(self, total: int, progress: bool | None, quiet: bool):
        from tqdm import tqdm
        self.tqdm = tqdm
        tty = sys.stderr.isatty() if progress is None else progress
        self.lines = not quiet and not tty
        self.bar = tqdm(total=total, desc="notebooks", unit="nb", disable=quiet or not tty, file=sys.stderr)

    def done(self, r: dict):
        self.bar.update(1)
        state = "ok" if r["ok"] else "failed"
        if self.lines:
            print(terminal(f"{r['name']}: {r.get('seconds', 0):.1f} s, {state}"), file=sys.stderr, flush=True)
        elif not self.bar.disable and not r["ok"]:
            self.tqdm.write(terminal(f"FAILED {r['name']}: {r['error']}"), file=sys.stderr)

    def close(self):
        self.bar.close()


class Workers:
    """A run's worker processes, started (each with its kernel) before its inputs are checked.

    As many as the run will use: `workers`, or fewer when it was given fewer params files.
    `stop` ends them at once if the run did not shut the pool down (bad input, an error)."""

    def __init__(self, workers: int, kernel, start_timeout: int, param_files):
        files = [Path(f) for f in param_files]
        if files and all(f.is_file() for f in files):
            workers = min(workers, len(files))
        self.waiting_room = tempfile.mkdtemp(prefix="mzforecast-kernel-")
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=mp_context(), initializer=start_worker,
                                        initargs=(os.getpid(), kernel, start_timeout, self.waiting_room))
        for _ in range(workers):  # workers are spawned as work arrives: this makes them start now
            self.pool.submit(os.getpid)
        self.done = False

    def stop(self):
        if not self.done:
            stop_pool(self.pool)
        shutil.rmtree(self.waiting_room, ignore_errors=True)


def run(param_files=(), out="reports", jobs: int = 0, as_of=None, data=(), timeout: int = 300,
        progress: bool | None = None, execute=None, kernel: str | None = None,
        start_timeout: int = 60, quiet: bool = False, fresh_kernels: bool = False) -> tuple[Path, list[dict]]:
    """Run every job and swap the finished output folder into place. Returns (index path, results).

    Nothing is executed until every input is valid. The folder is swapped only if at least one
    notebook succeeded; `execute` (a function like run_one) runs the jobs in this process, for tests.
    One run at a time per folder: a second one exits 2 (lock.Lock).
    `progress`: bar (True) or one line per notebook (False); default: a bar on a terminal.
    `fresh_kernels`: a new kernel and a font subset made anew for every page, as the previous
    release ran, in the index's order (kept to measure against: bench/batch.py). Otherwise the
    workers leave the font out of their pages and one subset for the characters of all the
    run's pages is embedded in each at the end (index.share_font).
    """
    lock = Lock(Path(out).resolve())
    try:
        return _run(param_files, out, jobs, as_of, data, timeout, progress, execute, kernel, start_timeout, lock,
                    quiet, fresh_kernels)
    finally:
        lock.release()


def _run(param_files, out, jobs, as_of, data, timeout, progress, execute, kernel, start_timeout, lock,
         quiet=False, fresh_kernels=False):

    t0 = time.time()
    validate_options(jobs, timeout, as_of, out)
    check_kernel(kernel)  # a misspelt --kernel is refused before any notebook runs
    workers = jobs or os.cpu_count() or 1
    # the workers and their kernels start while the inputs are checked; on bad input they are
    # killed before anything is written
    early = None
    if execute is None and not fresh_kernels:
        try:
            early = Workers(workers, kernel, start_timeout, param_files)
        except OSError:  # no temporary folder for the kernels to wait in: they start with the notebooks
            pass
    try:
        return _run_checked(param_files, out, as_of, data, timeout, progress, execute, kernel, start_timeout, lock,
                            quiet, fresh_kernels, t0, workers, early)
    finally:
        if early is not None:
            early.stop()


def _run_checked(param_files, out, as_of, data, timeout, progress, execute, kernel, start_timeout, lock,
                 quiet, fresh_kernels, t0, workers, early):
    todo = collect_jobs(param_files, as_of, data)
    validate_jobs(todo, early.waiting_room if early is not None else None)  # kept for the kernels
    out = Path(out).resolve()
    lock.acquire()  # after every input is checked (bad input creates nothing), before the folder is read
    old = OutputFolder(out)
    check_entries(out)
    old.check_names({n for j in todo for n in (f"{j['name']}.html", f"{j['name']}.ipynb")})
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_staging(out)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{os.getpid()}-", dir=out.parent))
    except OSError as e:
        raise output_error(e, out) from None
    umask = os.umask(0o022); os.umask(umask)  # noqa: E702  mkdtemp makes 0700: give the mode mkdir would
    os.chmod(stage, 0o777 & ~umask)
    results = []
    try:
        bar = Progress(len(todo), progress, quiet)

        def done(r):
            r["records"] = records_of(r.get("records") or [], stage)  # a file of many rows: read and removed
            results.append(r)
            bar.done(r)

        order = todo if fresh_kernels else longest_first(todo, recorded_seconds(out))
        if execute is not None:
            for j in order:
                done(execute(j, str(stage), timeout, kernel, start_timeout))
        else:
            pool = early.pool if early is not None else ProcessPoolExecutor(
                max_workers=min(workers, len(todo)), mp_context=mp_context(), initializer=die_with_parent,
                initargs=(os.getpid(),))
            try:
                futs = [pool.submit(run_one, j, str(stage), timeout, kernel, start_timeout, not fresh_kernels,
                                    not fresh_kernels, not fresh_kernels) for j in order]
                for f in as_completed(futs):
                    done(f.result())
            except BrokenProcessPool as e:
                stop_pool(pool)
                raise MzError(f"the notebook worker processes stopped ({e}); the previous reports are unchanged. "
                              "From a script, call mzforecast.running.run() under `if __name__ == '__main__':` "
                              "(workers are started fresh and import the main module)") from None
            except BaseException:
                # Ctrl-C or an error here: no notebook goes on running without us (only our pool's workers)
                stop_pool(pool)
                if early is not None:
                    early.done = True
                raise
            pool.shutdown()
            if early is not None:
                early.done = True
        bar.close()
        order = {j["name"]: i for i, j in enumerate(todo)}
        results.sort(key=lambda r: order[r["name"]])
        if not any(r["ok"] for r in results):
            shutil.rmtree(stage, ignore_errors=True)
            disk = [m for r in results for m in re.findall(r"\[Errno (\d+)\]", r["error"] or "")
                    if int(m) in (errno.ENOSPC, errno.EROFS, errno.EDQUOT)]
            if disk:  # the notebooks could not write their pages: the disk, not the notebooks, is at fault
                raise output_error(OSError(int(disk[0]), os.strerror(int(disk[0])), str(stage.parent)), out)
            return out / "index.html", results
        for r in results:
            if not r["ok"]:
                old.keep_previous_page(r, stage)
        kept, kept_jobs = keep_earlier_pages(out, old.written, stage, todo)  # pages not rebuilt stay
        shared, book = write_summary(stage, results + kept)
        try:  # while a large summary.xlsx is written apart
            write_index(stage, results + kept, todo + kept_jobs, time.time() - t0, as_of, data,
                        shared_font=not fresh_kernels)
            write_pages(stage, results + kept, todo + kept_jobs, shared)
            del shared
            # links to pages this run did not make (a partial run) go; the run's one font subset goes in
            pages = {p: drop_dead_links(p.read_text(encoding="utf-8"), lambda n: (stage / n).exists())
                     for p in sorted(stage.glob("*.html"))}
            for page, text in share_font(pages).items():
                atomic_write(page, text)
            atomic_write(stage / "README.md", README.format(stamp=run_stamp()))
            book.wait()
        finally:
            book.stop()
        for left in stage.glob(".mzforecast-records-*"):  # rows a failed notebook recorded but nobody read
            left.unlink()
        written = sorted(p.name for p in stage.iterdir())
        old.carry_over(stage)
        # timings vary run to run: a pinned build (SOURCE_DATE_EPOCH) records none, so it stays byte-identical
        seconds = {} if clock.pinned() else {
            r["name"]: r["seconds"] for r in results if r["ok"] and "seconds" in r}
        (stage / MARKER).write_text(marker_text(written, seconds), encoding="utf-8")
        swap(stage, out)
    except OSError as e:
        shutil.rmtree(stage, ignore_errors=True)
        raise output_error(e, out) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return out / "index.html", results


def main(args) -> int:
    index, results = run(args.params, args.out, args.jobs, args.as_of, args.data, args.timeout,
                         kernel=getattr(args, "kernel", None), start_timeout=getattr(args, "kernel_timeout", 60),
                         quiet=getattr(args, "quiet", False))
    failed = [r for r in results if not r["ok"]]
    if len(failed) == len(results):
        print(f"0/{len(results)} notebooks ok; the previous reports were left as they were: {index.parent}",
              file=sys.stderr)
    else:
        print(f"{len(results) - len(failed)}/{len(results)} notebooks ok; report: {index}")
    for r in failed:
        kept = " (the previous page is kept, marked stale)" if r.get("stale") else ""
        print(terminal(f"failed: {r['name']}: {r['error']}{kept}"), file=sys.stderr)
    return 1 if failed else 0
