"""Executing one report notebook: papermill in a worker process, on this interpreter's kernel
(`mzforecast.kernel`), in the output folder; the executed notebook normalised so the same inputs
give the same files, and its page written. Workers die with the run: a watchdog thread ends a
worker (and its kernel) once the run that started it is gone. Failures come back as data.
Imports leaves, presentation and the running modules below it.
"""
from __future__ import annotations

import multiprocessing
import os
import threading
import time
from pathlib import Path

from .. import resources
from ..html import SUMMARY_MIME
from ..kernel import engine_options
from .index import notebook_to_html
from .output import atomic_write


def notebooks_dir() -> Path:
    return resources.notebooks_dir()


def normalise(nb, filename: str):
    """Same inputs, same files: drop what papermill makes up on each run.

    The injected-parameters cell gets a fixed id instead of a random one, and the output path
    names the file, not the temporary folder it was built in. Cell timings are kept for
    analysts unless SOURCE_DATE_EPOCH asks for byte-identical rebuilds.
    """
    pmeta = nb.metadata.get("papermill", {})
    if "output_path" in pmeta:
        pmeta["output_path"] = filename
    pinned = bool(os.environ.get("SOURCE_DATE_EPOCH"))
    if pinned:
        for key in ("start_time", "end_time", "duration"):
            pmeta.pop(key, None)
    for i, cell in enumerate(nb.cells):
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
        if pinned:
            cell.get("metadata", {}).pop("papermill", None)
            cell.get("metadata", {}).pop("execution", None)
    return nb


def die_with_parent(parent: int):
    """Pool initializer: a worker (and the kernel it started) ends soon after the run is killed.

    A watchdog thread polls the parent pid; once the worker is orphaned (the run got kill -9)
    it kills its own children (the Jupyter kernel, started in its own session) and exits.
    """
    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                kill_children()
                os._exit(1)
    threading.Thread(target=watch, name="mzforecast-parent-watch", daemon=True).start()


def kill_children(pids=None):
    """Kill the given processes (default: every child of this one) and all they started (kernels)."""
    import psutil
    kids = []
    for pid in (pids if pids is not None else [None]):
        try:
            r = psutil.Process(pid)
            kids += ([r] if pid is not None else []) + r.children(recursive=True)  # all found before any dies
        except psutil.Error:
            pass
    for k in kids:
        try:
            k.kill()
        except psutil.Error:
            pass
    psutil.wait_procs(kids, timeout=5)


def run_one(job: dict, outdir: str, timeout: int, kernel: str | None = None, start_timeout: int = 60) -> dict:
    """Execute one notebook; never raises: failures come back as data.

    The kernel is this interpreter unless `kernel` names a kernelspec (mzforecast.kernel); it
    works in the output folder, never in site-packages or wherever the command was started.
    """
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    name, params = job["name"], dict(job["params"])
    out_nb = Path(outdir) / f"{name}.ipynb"
    src = notebooks_dir() / f"{params.get('notebook', 'plan_dashboard')}.ipynb"
    res = {"name": name, "params_file": job.get("file"), "plan": params.get("plan"), "ok": False, "error": "",
           "html": None, "records": []}
    t0 = time.time()
    try:
        # the kernel's own log (plain-TCP notice, interrupt at shutdown) is noise here: a failing
        # cell raises PapermillExecutionError with its error, which the index reports
        pm.execute_notebook(str(src), str(out_nb), parameters=params, language="python",
                            execution_timeout=timeout, start_timeout=start_timeout, progress_bar=False,
                            log_output=False, cwd=str(outdir), extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                            **engine_options(kernel))
        nb = normalise(nbformat.read(str(out_nb), as_version=4), out_nb.name)
        atomic_write(out_nb, nbformat.writes(nb) + "\n")  # as nbformat.write ends the file
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                if SUMMARY_MIME in o.get("data", {}):
                    res["records"] = o["data"][SUMMARY_MIME]
        language = params.get("language", "zh")
        html = notebook_to_html(out_nb, name, language)
        atomic_write(Path(outdir) / f"{name}.html", html)
        res.update(ok=True, html=f"{name}.html")
    except CellTimeoutError as e:
        res["error"] = f"cell timed out after {timeout} s: {str(e).splitlines()[0][:200]}"
    except PapermillExecutionError as e:
        res["error"] = f"{e.ename}: {e.evalue}"[:500]
    except Exception as e:  # a broken notebook file, a kernel that died…: report, go on
        msg = str(e).strip().splitlines()
        res["error"] = f"{type(e).__name__}: {msg[-1] if msg else ''}"[:500]
    res["seconds"] = round(time.time() - t0, 2)
    return res


def mp_context():
    """Workers are started fresh (spawn): no copy of the parent's threads or locks, safe in a kernel too."""
    return multiprocessing.get_context("spawn")


