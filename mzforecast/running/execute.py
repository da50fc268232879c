"""Executing one report notebook: papermill in a worker process, on this interpreter's kernel
(`mzforecast.kernel`), in the output folder; the executed notebook normalised so the same inputs
give the same files, and its page written. Workers die with the run: a watchdog thread ends a
worker (and its kernel) once the run that started it is gone. Failures come back as data.

A worker keeps one kernel for all its notebooks (`WorkerKernel`): starting a kernel and
importing the package again for every notebook was most of a run's time. Between notebooks the
kernel is put back to the state a fresh one has (namespace, counter, figures, folder, warning
registries, environment); after any failure, timeout or kernel death it is killed and the next
notebook gets a new one. Imports leaves, presentation and the running modules below it.
"""
from __future__ import annotations

import atexit
import json
import multiprocessing
import multiprocessing.util
import os
import subprocess
import threading
import time
from pathlib import Path

from papermill.engines import NBClientEngine, papermill_engines

from .. import clock, resources
from ..data import checked
from ..html import SUMMARY_MIME
from ..kernel import OWN, OwnInterpreterKernelManager, engine_options
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
    pinned = clock.pinned()
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
    # a worker leaves through os._exit, which skips atexit: this runs when the pool shuts down
    multiprocessing.util.Finalize(None, close_worker_kernel, exitpriority=10)


def start_worker(parent: int, kernel: str | None, start_timeout: int, waiting_room: str):
    """Pool initializer of a run: die with the parent, and start the kernel at once, while the
    parent still checks the inputs. The kernel waits in `waiting_room` (an empty folder the
    parent made and removes) until the first notebook moves it to the output folder
    (WorkerKernel.adopt); if it cannot start, the first notebook tries again and reports why."""
    die_with_parent(parent)
    # where the parent keeps the data files it has checked: the kernel takes them (data.checked)
    os.environ[checked.FOLDER_VARIABLE] = waiting_room
    global _KEPT
    try:
        _KEPT = WorkerKernel(None, kernel, start_timeout, waiting_room).ready(first=False)
    except Exception:
        close_worker_kernel()


def stop_pool(pool):
    """Kill a process pool's workers and the kernels they started, now, and shut the pool down.

    The workers are killed and reaped through multiprocessing, not psutil: a worker reaped
    behind the pool's back looks alive to it forever and its shutdown never ends."""
    import psutil
    procs = list((getattr(pool, "_processes", None) or {}).values())
    kernels = []
    for p in procs:
        try:
            kernels += psutil.Process(p.pid).children(recursive=True)  # all found before any dies
        except psutil.Error:
            pass
    for k in kernels:
        try:
            k.kill()
        except psutil.Error:
            pass
    for p in procs:
        p.kill()
    for p in procs:
        p.join(5)
    psutil.wait_procs(kernels, timeout=5)
    pool.shutdown(wait=False, cancel_futures=True)


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


def run_one(job: dict, outdir: str, timeout: int, kernel: str | None = None, start_timeout: int = 60,
            reuse: bool = True, font_cache: bool = True, shared_font: bool = False) -> dict:
    """Execute one notebook; never raises: failures come back as data.

    The kernel is this interpreter unless `kernel` names a kernelspec (mzforecast.kernel); it
    works in the output folder, never in site-packages or wherever the command was started.
    `reuse`: run on this process's kept kernel (reset first) instead of a new one per notebook;
    `font_cache`: take the page's font subset from the cache when the same characters were seen;
    `shared_font`: leave the font out, for the run to embed one subset in all its pages
    (index.share_font).
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
    kept = None
    try:
        # the kernel's own log (plain-TCP notice, interrupt at shutdown) is noise here: a failing
        # cell raises PapermillExecutionError with its error, which the index reports
        if reuse:
            kept = worker_kernel(outdir, kernel, start_timeout)
            engine = {"engine_name": ENGINE, "kernel_name": kernel or OWN, "kept": kept}
        else:
            engine = dict(engine_options(kernel), extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        pm.execute_notebook(str(src), str(out_nb), parameters=params, language="python",
                            execution_timeout=timeout, start_timeout=start_timeout, progress_bar=False,
                            log_output=False, cwd=str(outdir), **engine)
        nb = normalise(nbformat.read(str(out_nb), as_version=4), out_nb.name)
        atomic_write(out_nb, nbformat.writes(nb) + "\n")  # as nbformat.write ends the file
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                if SUMMARY_MIME in o.get("data", {}):
                    # inline rows, or the file holding many: the run reads it (records_of), so
                    # hundreds of MB of rows are not parsed here and sent over as Python objects
                    res["records"] = o["data"][SUMMARY_MIME]
        language = params.get("language", "zh")
        html = notebook_to_html(out_nb, name, language, font_cache, shared_font)
        atomic_write(Path(outdir) / f"{name}.html", html)
        res.update(ok=True, html=f"{name}.html")
    except CellTimeoutError as e:
        res["error"] = f"cell timed out after {timeout} s: {str(e).splitlines()[0][:200]}"
    except PapermillExecutionError as e:
        res["error"] = f"{e.ename}: {e.evalue}"[:500]
    except Exception as e:  # a broken notebook file, a kernel that died…: report, go on
        msg = str(e).strip().splitlines()
        res["error"] = f"{type(e).__name__}: {msg[-1] if msg else ''}"[:500]
    if kept is not None and not res["ok"]:
        kept.discard()  # a timed-out cell may still run, a failed one may have left anything behind
    res["seconds"] = round(time.time() - t0, 2)
    return res


ENGINE = "mzforecast-kept-kernel"

# Run in the kept kernel before each notebook but its first: what a fresh kernel would have.
# The state to go back to is recorded once, when the kernel starts, in a module of its own.
_REMEMBER = """
import os as _o, sys as _s, types as _t, warnings as _w
_m = _s.modules.setdefault("_mzforecast_fresh", _t.ModuleType("_mzforecast_fresh"))
_m.env, _m.path, _m.cwd, _m.filters = dict(_o.environ), list(_s.path), _o.getcwd(), list(_w.filters)
del _o, _s, _t, _w, _m
"""
# Run in a kernel started before the output folder existed: as if it had been started there.
_ADOPT = """
import os as _o, sys as _s
_d = _o.getcwd()
_o.chdir(OUTDIR)
_s.path[:] = [_o.getcwd() if p == _d else p for p in _s.path]
del _o, _s, _d
"""
_RESET = """
def _mzforecast_reset():
    import gc, os, sys, warnings
    m = sys.modules["_mzforecast_fresh"]
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    os.chdir(m.cwd)
    os.environ.clear(); os.environ.update(m.env)
    sys.path[:] = m.path
    warnings.resetwarnings()  # also forgets which warnings were shown once
    warnings.filters[:] = m.filters
    get_ipython().reset(new_session=True)  # namespace, In/Out, execution counter back to 1
    gc.collect()
_mzforecast_reset()
"""


class WorkerKernel:
    """The kernel one worker runs its notebooks on, with the client that talks to it (both kept).

    `outdir` None: started before the run's output folder exists, in `waiting_room`, an empty
    folder (so nothing in the folder the command was started in can shadow a module it imports).
    """

    def __init__(self, outdir: str | None, kernel: str | None, start_timeout: int, waiting_room: str | None = None):
        from jupyter_client import AsyncKernelManager
        self.key = (outdir, kernel, start_timeout)
        self.km = (AsyncKernelManager(kernel_name=kernel) if kernel
                   else OwnInterpreterKernelManager(kernel_name=OWN))
        self.kc = None
        self.used = False
        self.waiting_room = waiting_room

    def start(self):
        from jupyter_core.utils import run_sync
        outdir, _, start_timeout = self.key
        # the kernel talks over its sockets; its own stdout/stderr would be the run's, and a kernel left
        # behind by a worker that died while launching it (its parent poller then never starts) would
        # hold the caller's pipes open forever
        run_sync(self.km.start_kernel)(cwd=outdir or self.waiting_room, extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.kc = self.km.client()
        self.kc.start_channels()
        run_sync(self.kc.wait_for_ready)(timeout=start_timeout)
        if self.key[0] is not None:
            self._run(_REMEMBER)

    def adopt(self, outdir: str):
        """Move a kernel started before the run's output folder existed into it: the folder and
        its place on sys.path as if started there, then the reset a kept kernel gets."""
        self._run(_ADOPT.replace("OUTDIR", repr(str(outdir))))
        self._run(_REMEMBER)
        self.key = (outdir,) + self.key[1:]
        self.used = True  # a reset before its first notebook, as before every later one

    def _run(self, code: str):
        from jupyter_core.utils import run_sync
        reply = run_sync(self.kc.execute_interactive)(code, silent=True, store_history=False,
                                                      timeout=self.key[2], output_hook=lambda msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the kernel could not be reset: {reply['content'].get('evalue', '')}")

    def ready(self, first: bool = True):
        """Started, or reset to a fresh kernel's state if it ran a notebook before.
        `first` False: only start it (no notebook is about to run)."""
        from jupyter_core.utils import run_sync
        if self.kc is None:
            self.start()
        if not first:
            return self
        if self.used:
            if not run_sync(self.km.is_alive)():
                raise RuntimeError("the kernel died")
            self._run(_RESET)
        self.used = True
        return self

    def discard(self):
        """Kill the kernel now (no graceful shutdown: nothing in it is worth waiting for)."""
        global _KEPT
        from jupyter_core.utils import run_sync
        if _KEPT is self:
            _KEPT = None
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception:  # already dead or half started: what is left is killed with the worker
            pass
        self.kc = None


_KEPT: WorkerKernel | None = None


def worker_kernel(outdir: str, kernel: str | None, start_timeout: int) -> WorkerKernel:
    """This process's kernel for notebooks writing in outdir, ready for the next notebook."""
    global _KEPT
    try:
        if _KEPT is not None and _KEPT.key == (None, kernel, start_timeout) and _KEPT.kc is not None:
            _KEPT.adopt(outdir)
    except Exception:  # died while waiting: a new one below
        _KEPT.discard()
    if _KEPT is not None and _KEPT.key != (outdir, kernel, start_timeout):
        _KEPT.discard()
    if _KEPT is None:
        _KEPT = WorkerKernel(outdir, kernel, start_timeout)
    try:
        return _KEPT.ready()
    except Exception:  # died, or the reset failed: a new kernel, as a fresh run would have
        _KEPT.discard()
        _KEPT = WorkerKernel(outdir, kernel, start_timeout)
        return _KEPT.ready()


def close_worker_kernel():
    """End this process's kept kernel (a worker's exit, the end of an in-process run)."""
    if _KEPT is not None:
        _KEPT.discard()


class KeptKernelEngine(NBClientEngine):
    """papermill's nbclient engine on a kernel and client already started (and left running)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, kept=None, **kwargs):
        from papermill.clientwrap import PapermillNotebookClient
        from papermill.engines import logger
        kwargs = {k: v for k, v in kwargs.items() if k not in ("input_path", "timeout", "startup_timeout")}
        client = PapermillNotebookClient(nb_man, km=kept.km, timeout=execution_timeout,
                                         startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                                         log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
                                         **kwargs)
        client.kc = kept.kc  # nbclient then neither starts a kernel nor a client, and stops neither
        return client.execute()


papermill_engines.register(ENGINE, KeptKernelEngine)
atexit.register(close_worker_kernel)  # the parent, when notebooks ran in it


def mp_context():
    """Workers are started fresh (spawn): no copy of the parent's threads or locks, safe in a kernel too."""
    return multiprocessing.get_context("spawn")


def records_of(recorded, outdir: Path) -> list[dict]:
    """The rows a notebook recorded: inline, or in the hidden file it names (many regions), read and removed."""
    if not isinstance(recorded, dict):
        return recorded
    name = Path(str(recorded.get("file", ""))).name  # only a file in the output folder
    path = outdir / name
    if not name.startswith(".mzforecast-records-") or not path.is_file():
        return []
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    finally:
        path.unlink(missing_ok=True)
