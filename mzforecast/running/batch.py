"""`mzforecast run`: every input checked before any notebook runs (bad input exits 2 and changes
nothing), the notebooks executed in worker processes (one that fails or times out is marked in
the index and keeps its previous page, marked stale; the others go on, exit code 1), then the
summaries, the index and the swap of the finished output folder into place, only if at least
one notebook succeeded. Imports the running modules below it.
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

from ..errors import MzError
from ..safe import terminal
from ..html import drop_dead_links
from .execute import die_with_parent, kill_children, mp_context, run_one
from .index import write_index
from .jobs import collect_jobs, validate_jobs, validate_options
from .lock import Lock, check_entries, keep_earlier_pages, write_pages
from .output import (MARKER, README, OutputFolder, atomic_write, clean_staging, marker_text, output_error,
                     run_stamp, swap, write_summary)


def run(param_files=(), out="reports", jobs: int = 0, as_of=None, data=(), timeout: int = 300,
        progress: bool | None = None, execute=None, kernel: str | None = None,
        start_timeout: int = 60) -> tuple[Path, list[dict]]:
    """Run every job and swap the finished output folder into place. Returns (index path, results).

    Nothing is executed until every input is valid. The folder is swapped only if at least one
    notebook succeeded; `execute` (a function like run_one) runs the jobs in this process, for tests.
    One run at a time per folder: a second one exits 2 (lock.Lock).
    """
    lock = Lock(Path(out).resolve())
    try:
        return _run(param_files, out, jobs, as_of, data, timeout, progress, execute, kernel, start_timeout, lock)
    finally:
        lock.release()


def _run(param_files, out, jobs, as_of, data, timeout, progress, execute, kernel, start_timeout, lock):
    from tqdm import tqdm

    t0 = time.time()
    validate_options(jobs, timeout, as_of, out)
    todo = collect_jobs(param_files, as_of, data)
    validate_jobs(todo)
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
    workers = jobs or os.cpu_count() or 1
    results = []
    try:
        bar = tqdm(total=len(todo), desc="notebooks", unit="nb",
                   disable=not (sys.stderr.isatty() if progress is None else progress))

        def done(r):
            results.append(r)
            bar.update(1)
            if not r["ok"]:
                tqdm.write(terminal(f"FAILED {r['name']}: {r['error']}"), file=sys.stderr)

        if execute is not None:
            for j in todo:
                done(execute(j, str(stage), timeout, kernel, start_timeout))
        else:
            pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=mp_context(),
                                       initializer=die_with_parent, initargs=(os.getpid(),))
            try:
                futs = [pool.submit(run_one, j, str(stage), timeout, kernel, start_timeout) for j in todo]
                for f in as_completed(futs):
                    done(f.result())
            except BrokenProcessPool as e:
                kill_children(list(getattr(pool, "_processes", None) or {}))
                pool.shutdown(wait=False, cancel_futures=True)
                raise MzError(f"the notebook worker processes stopped ({e}); the previous reports are unchanged. "
                              "From a script, call mzforecast.running.run() under `if __name__ == '__main__':` "
                              "(workers are started fresh and import the main module)") from None
            except BaseException:
                # Ctrl-C or an error here: no notebook goes on running without us (only our pool's workers)
                kill_children(list(getattr(pool, "_processes", None) or {}))
                pool.shutdown(wait=False, cancel_futures=True)
                raise
            pool.shutdown()
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
        write_summary(stage, results + kept)
        write_index(stage, results + kept, todo + kept_jobs, time.time() - t0, as_of, data)
        write_pages(stage, results + kept, todo + kept_jobs)
        for page in stage.glob("*.html"):  # links to pages this run did not make (a partial run)
            atomic_write(page, drop_dead_links(page.read_text(encoding="utf-8"), lambda n: (stage / n).exists()))
        atomic_write(stage / "README.md", README.format(stamp=run_stamp()))
        written = sorted(p.name for p in stage.iterdir())
        old.carry_over(stage)
        (stage / MARKER).write_text(marker_text(written), encoding="utf-8")
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
                         kernel=getattr(args, "kernel", None), start_timeout=getattr(args, "kernel_timeout", 60))
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
