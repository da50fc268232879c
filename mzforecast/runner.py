"""`mzforecast run`: execute the report notebooks with papermill and build reports/.

Every input (options, params files, plan ids, data files, the output folder) is checked before
any notebook runs: bad input exits 2 and changes nothing. Notebooks run in worker processes
that die with the run; one that fails or times out is marked in the index with its error, keeps
its previous page (marked stale) and the others go on (exit code 1). The output folder is built
beside the old one and swapped in at the end, only if at least one notebook succeeded, so an
interrupted or failed run leaves the previous reports as they were. Files in the folder that
the tool did not write (the marker lists what it wrote) are carried over, never deleted.
"""
from __future__ import annotations

import datetime as dt
import errno
import hashlib
import html as html_lib
import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pandas as pd
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import __version__, outlock, resources
from .attainment import FIELDS
from .data import YEAR_MAX, YEAR_MIN, data_dir
from .errors import DataError, DataErrors, MzError
from .plots import COLORS, verdict_label
from .reports import ORDER, SUMMARY_MIME, drop_dead_links

TEMPLATES = Path(__file__).with_name("templates")
from .params import NOTEBOOKS  # noqa: E402  one list, validated by the Params model
INDEX_TEXT = {
    "zh": dict(title="民政规划目标监测报告", run="生成时间", elapsed="用时", data_version="数据版本", as_of="数据截至",
               report="报告", plan="规划", status="状态", ok="完成", failed="失败", back="← 返回目录",
               current="当前评估", deep="专题页", backtests="回测：当时的判断与实际结果", other="其他", data_to="数据截至 {y} 年",
               files="数据文件", stale="失败，显示上次生成的页面（已过期）"),
    "en": dict(title="Civil-affairs plan targets: monitoring reports", run="run at", elapsed="took",
               data_version="data version", as_of="data up to", report="report", plan="plan", status="status",
               ok="ok", failed="FAILED", back="← index", current="current assessments", deep="in-depth pages",
               backtests="backtests: the verdicts then beside the outcome", other="other", data_to="data up to {y}",
               files="data files", stale="FAILED, showing the previous (stale) page"),
}


def notebooks_dir() -> Path:
    return resources.notebooks_dir()


def params_dir() -> Path:
    return resources.params_dir()


def data_version(extra=()) -> str:
    """Hash of every data file the run reads: reports say which data they were made from."""
    h = hashlib.sha256()
    files = sorted(p for p in data_dir().rglob("*") if p.is_file()) + [Path(x) for x in extra]
    for p in files:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def load_params(path: Path) -> dict:
    from .params import load  # validated by the Params model (issue 12): unknown keys, types, years
    return load(path)


def _css() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


def _env():
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))


def notebook_to_html(nb_path: Path, title: str, language: str) -> str:
    """Self-contained page: no code cells, images inlined, no scripts from the internet.

    The browser-tab title is the page's own <h1> (the plan's name), not the job id; an image
    without alt text gets the title as its alt.
    """
    import nbformat
    from markupsafe import Markup
    from nbconvert import HTMLExporter

    exp = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                       exclude_output_prompt=True)
    body, _ = exp.from_notebook_node(nbformat.read(str(nb_path), as_version=4))
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    if h1:
        title = html_lib.unescape(re.sub(r"<[^>]+>", "", h1.group(1))).strip() or title
    body = body.replace('alt="No description has been provided for this image"', f'alt="{html_lib.escape(title)}"')
    return _render("page.html.j2", lang=language, title=title, body=Markup(body), version=__version__,
                   generated=INDEX_TEXT[language]["title"], back=INDEX_TEXT[language]["back"])


def _render(template: str, **ctx) -> str:
    """Render a page, then embed the CJK font subset for exactly the characters it shows."""
    from markupsafe import Markup

    from .plots import embedded_font_css

    page = _env().get_template(template).render(css=Markup(_css()), fontface=Markup(""), **ctx)
    text = re.sub(r"data:[^\"')]+", "", page)  # glyphs of the text, not of base64 images
    return _env().get_template(template).render(css=Markup(_css()), fontface=Markup(embedded_font_css(text)), **ctx)


def _atomic_write(path: Path, text: str):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _normalise(nb, filename: str):
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


def _die_with_parent(parent: int):
    """Pool initializer: a worker (and the kernel it started) ends soon after the run is killed.

    A watchdog thread polls the parent pid; once the worker is orphaned (the run got kill -9)
    it kills its own children (the Jupyter kernel, started in its own session) and exits.
    """
    def watch():
        while True:
            time.sleep(0.5)
            if os.getppid() != parent:
                _kill_children()
                os._exit(1)
    threading.Thread(target=watch, name="mzforecast-parent-watch", daemon=True).start()


def _kill_children(pids=None):
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

    from .kernel import engine_options

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
        nb = _normalise(nbformat.read(str(out_nb), as_version=4), out_nb.name)
        _atomic_write(out_nb, nbformat.writes(nb) + "\n")  # as nbformat.write ends the file
        for cell in nb.cells:
            for o in cell.get("outputs", []):
                if SUMMARY_MIME in o.get("data", {}):
                    res["records"] = o["data"][SUMMARY_MIME]
        language = params.get("language", "zh")
        html = notebook_to_html(out_nb, name, language)
        _atomic_write(Path(outdir) / f"{name}.html", html)
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


def validate_options(jobs=0, timeout=300, as_of=None, out=None):
    """Options checked before anything runs (the CLI's parser refuses most of these already)."""
    errs = []
    if not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 0:
        errs.append(DataError(f"--jobs {jobs}: must be 0 (one per core) or a positive number of parallel notebooks"))
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not timeout > 0:
        errs.append(DataError(f"--timeout {timeout}: must be a positive number of seconds per cell"))
    if as_of is not None and (isinstance(as_of, bool) or not isinstance(as_of, int)
                              or not YEAR_MIN <= as_of <= YEAR_MAX):
        errs.append(DataError(f"--as-of {as_of}: must be a year in {YEAR_MIN}-{YEAR_MAX}"))
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        errs.append(DataError("is a file, not a folder", file=str(out), fix="give --out a folder path"))
    if errs:
        raise DataErrors(errs)


def _params_path(name: str, near: Path | None = None) -> str:
    """A path named in a params file: as given if absolute; else beside the params file, or from
    the current folder, if it is there; else from the bundled data's parent, where the bundled
    params' `data/examples/…` live (the checkout, or the installed package)."""
    p = Path(name)
    if p.is_absolute():
        return str(p)
    for base in ([near] if near else []) + [Path.cwd(), data_dir().parent]:
        if (base / p).exists():
            return str((base / p).resolve())
    return str((Path.cwd() / p).resolve())


def collect_jobs(param_files, as_of=None, data=()) -> list[dict]:
    """The jobs of a run, with every params file read and checked (all problems reported at once)."""
    files = [resources.find_params(str(p)) for p in param_files] or sorted(params_dir().glob("*.yaml"))
    if not files:
        raise DataError("no params files", file=str(params_dir()), fix="add params/*.yaml or name files")
    jobs, errs = [], []
    for f in files:
        try:
            p = load_params(f)
        except DataErrors as e:
            errs += e.errors
            continue
        except DataError as e:
            errs.append(e)
            continue
        if as_of is not None:
            p["as_of"] = as_of
        if data:
            paths = [str(Path(x).resolve()) for x in data]
            p["data_file"] = paths[0] if len(paths) == 1 else paths  # the notebooks load a path or a list
        elif p.get("data_file"):  # the notebooks run in the output folder: give them absolute paths
            p["data_file"] = ([_params_path(x, f.parent) for x in p["data_file"]] if isinstance(p["data_file"], list)
                              else _params_path(p["data_file"], f.parent))
        if isinstance(p.get("plan"), str) and Path(p["plan"]).suffix in (".yaml", ".yml"):  # a plan file, same rule
            p["plan"] = _params_path(p["plan"], f.parent)
        jobs.append({"name": f.stem, "file": str(f), "params": p, "own_data": bool(p.get("data_file")) and not data})
    errs += outlock.name_clashes(jobs)
    names = [j["name"] for j in jobs]
    for n in sorted({n for n in names if names.count(n) > 1}):
        errs.append(DataError(f"two params files are named '{n}': their reports would overwrite each other",
                              file=", ".join(j["file"] for j in jobs if j["name"] == n), fix="rename one"))
    if errs:
        raise DataErrors(errs)
    return jobs


def validate_jobs(todo: list[dict]):
    """Data files load and every plan id names a plan, before any notebook starts."""
    from .data import load
    from .targets import get_plan, list_plans

    datasets, errs = {}, []
    for j in todo:
        df = j["params"].get("data_file") or None
        key = tuple(df) if isinstance(df, list) else df
        if key not in datasets:
            try:
                datasets[key] = load(df)
            except (DataErrors, DataError) as e:
                datasets[key] = None
                found = e.errors if isinstance(e, DataErrors) else [e]
                if j.get("own_data"):  # say which params file named the data file
                    found = [DataError(str(x), file=j["file"], column="data_file") for x in found]
                errs += found
            except OSError as e:  # a folder or an unreadable file named as data
                datasets[key] = None
                errs.append(DataError(f"cannot read the data file ({e.strerror})", file=e.filename or str(df)))
            except (ValueError, TypeError, RecursionError) as e:  # a reader gave up without naming the problem
                datasets[key] = None
                errs.append(DataError(f"cannot read the data ({type(e).__name__}: {str(e)[:200]})", file=str(df)))
        ds = datasets[key]
        plan = j["params"].get("plan")
        if ds is None or not plan:
            continue
        try:
            if j["params"].get("notebook") == "target_setting":  # issue 15: a draft, read as its notebook reads it
                from .propose import get_draft
                get_draft(plan, ds)
            else:
                get_plan(plan, ds)
        except DataErrors as e:  # say which params file named the plan, then what is wrong in it
            errs += [DataError(str(x), file=j["file"], column="plan") for x in e.errors]
        except DataError as e:
            known = list_plans()
            errs.append(DataError(f"unknown plan '{plan}'" if plan not in known else e.message, file=j["file"],
                                  column="plan", fix="known plans: " + ", ".join(known)))
        except (TypeError, ValueError, AttributeError, RecursionError, OSError) as e:  # a plan file of the wrong shape
            errs.append(DataError(f"the plan '{plan}' cannot be read ({type(e).__name__}: {str(e)[:200]})",
                                  file=j["file"], column="plan", fix="compare it with data/plans/jilin-2021.yaml"))
    if errs:
        raise DataErrors(errs)


def _mp_context():
    """Workers are started fresh (spawn): no copy of the parent's threads or locks, safe in a kernel too."""
    return multiprocessing.get_context("spawn")


def run(param_files=(), out="reports", jobs: int = 0, as_of=None, data=(), timeout: int = 300,
        progress: bool | None = None, execute=None, kernel: str | None = None,
        start_timeout: int = 60) -> tuple[Path, list[dict]]:
    """Run every job and swap the finished output folder into place. Returns (index path, results).

    Nothing is executed until every input is valid. The folder is swapped only if at least one
    notebook succeeded; `execute` (a function like run_one) runs the jobs in this process, for tests.
    One run at a time per folder: a second one exits 2 (outlock.locked).
    """
    lock = outlock.Lock(Path(out).resolve())
    try:
        return _run(param_files, out, jobs, as_of, data, timeout, progress, execute, kernel, start_timeout, lock)
    finally:
        lock.release()


def _run(param_files, out, jobs, as_of, data, timeout, progress, execute, kernel, start_timeout, lock):
    from tqdm import tqdm

    from .safe import terminal

    t0 = time.time()
    validate_options(jobs, timeout, as_of, out)
    todo = collect_jobs(param_files, as_of, data)
    validate_jobs(todo)
    out = Path(out).resolve()
    lock.acquire()  # after every input is checked (bad input creates nothing), before the folder is read
    old = OutputFolder(out)
    outlock.check_entries(out)
    old.check_names({n for j in todo for n in (f"{j['name']}.html", f"{j['name']}.ipynb")})
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        clean_staging(out)
        stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-{os.getpid()}-", dir=out.parent))
    except OSError as e:
        raise _output_error(e, out) from None
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
            pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=_mp_context(),
                                       initializer=_die_with_parent, initargs=(os.getpid(),))
            try:
                futs = [pool.submit(run_one, j, str(stage), timeout, kernel, start_timeout) for j in todo]
                for f in as_completed(futs):
                    done(f.result())
            except BrokenProcessPool as e:
                _kill_children(list(getattr(pool, "_processes", None) or {}))
                pool.shutdown(wait=False, cancel_futures=True)
                raise MzError(f"the notebook worker processes stopped ({e}); the previous reports are unchanged. "
                              "From a script, call runner.run() under `if __name__ == '__main__':` "
                              "(workers are started fresh and import the main module)") from None
            except BaseException:
                # Ctrl-C or an error here: no notebook goes on running without us (only our pool's workers)
                _kill_children(list(getattr(pool, "_processes", None) or {}))
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
                raise _output_error(OSError(int(disk[0]), os.strerror(int(disk[0])), str(stage.parent)), out)
            return out / "index.html", results
        for r in results:
            if not r["ok"]:
                old.keep_previous_page(r, stage)
        kept, kept_jobs = outlock.keep_earlier_pages(out, old.written, stage, todo)  # pages not rebuilt stay
        _write_summary(stage, results + kept)
        _write_index(stage, results + kept, todo + kept_jobs, time.time() - t0, as_of, data)
        outlock.write_pages(stage, results + kept, todo + kept_jobs)
        for page in stage.glob("*.html"):  # links to pages this run did not make (a partial run)
            _atomic_write(page, drop_dead_links(page.read_text(encoding="utf-8"), lambda n: (stage / n).exists()))
        _atomic_write(stage / "README.md", README.format(stamp=run_stamp()))
        written = sorted(p.name for p in stage.iterdir())
        old.carry_over(stage)
        (stage / MARKER).write_text(marker_text(written), encoding="utf-8")
        _swap(stage, out)
    except OSError as e:
        shutil.rmtree(stage, ignore_errors=True)
        raise _output_error(e, out) from None
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return out / "index.html", results


def _output_error(e: OSError, out: Path) -> DataError:
    """Read-only or full disk, or a path in the way: one message; the previous reports are untouched."""
    why = {errno.EROFS: "the disk is read-only", errno.ENOSPC: "the disk is full",
           errno.EDQUOT: "the disk quota is exceeded", errno.EACCES: "permission denied",
           errno.ENOTDIR: "a file is in the way of the folder path"}.get(e.errno, e.strerror or str(e))
    return DataError(f"cannot write the reports: {why}", file=str(e.filename or out),
                     fix="free space or choose a writable folder for --out; the previous reports are unchanged")


MARKER = ".mzforecast-output"
KEEP = {".gitkeep", MARKER, outlock.PAGES}
README = """# Reports (generated)

Written by `mzforecast run` at {stamp}: executed notebooks, one HTML page per notebook,
`index.html`, `summary.csv` and `summary.json`. The files mzforecast wrote are replaced on
each run (their names are listed in `.mzforecast-output`); any other file is kept.
"""
# what a marker without a list of files (written before the list existed) stands for
_LEGACY_WRITTEN = re.compile(r"(index\.html|summary\.csv|summary\.json|README\.md|.+\.html|.+\.ipynb)")


def marker_text(written) -> str:
    """The marker names every file the run wrote, so the next run knows what is not its own."""
    return json.dumps({"written_by": "mzforecast run", "files": sorted(written)}, ensure_ascii=False, indent=1) + "\n"


def run_stamp() -> str:
    """Run time shown in the reports; SOURCE_DATE_EPOCH pins it for byte-identical rebuilds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now()
    return when.strftime("%Y-%m-%d %H:%M")


class OutputFolder:
    """The existing --out folder: which files the tool wrote, and what must survive the swap."""

    def __init__(self, out: Path):
        self.out = out
        check_output_folder(out)
        self.written: set[str] = set()
        self.foreign: list[str] = []
        if out.is_dir():
            self.written = _written(out)
            self.foreign = sorted(p.name for p in out.iterdir() if p.name not in self.written | KEEP)

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


def _written(out: Path) -> set[str]:
    """Names the last run wrote in out, from its marker (empty if out has no marker)."""
    m = out / MARKER
    if not m.is_file():
        return set()
    try:
        files = json.loads(m.read_text(encoding="utf-8"))["files"]
        return {str(f) for f in files}
    except (ValueError, KeyError, TypeError, OSError):  # a marker from before it listed its files
        return {p.name for p in out.iterdir() if p.is_file() and _LEGACY_WRITTEN.fullmatch(p.name)}


def check_output_folder(out: Path):
    """Refuse to write into a folder mzforecast did not write: a mistyped --out must change nothing."""
    if out.exists() and not out.is_dir():
        raise DataError("is a file, not a folder", file=str(out), fix="give --out a folder path")
    if out.is_dir() and not (out / MARKER).exists():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in KEEP)
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


def _swap(stage: Path, out: Path):
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


def _write_summary(stage: Path, results):
    from .safe import neutralise_frame
    rows = [dict(rec, report=r["name"]) for r in results if r["ok"] and r.get("params_file")
            and "backtest" not in r["name"] for rec in r["records"]]
    df = pd.DataFrame(rows, columns=["report"] + FIELDS)
    df = df.drop_duplicates(["plan", "target_id", "region", "as_of"]).sort_values(["plan", "target_id", "region"])
    _atomic_write(stage / "summary.csv", neutralise_frame(df).to_csv(index=False))  # no formulas for Excel
    from .evaluation_report import write_summary_xlsx  # issue 11: the evaluation form as a workbook
    write_summary_xlsx(neutralise_frame(df), stage / "summary.xlsx")  # openpyxl would write '=…' as a formula
    _atomic_write(stage / "summary.json", json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)),
                                                     ensure_ascii=False, indent=1))


def _job_title(params: dict, ds, lang: str, fallback: str) -> str:
    """What a page is, in words: the plan's name, 'indicator · plan', or 'plan: backtest of 2015'."""
    from .targets import get_plan, get_target
    try:
        p = get_plan(params.get("plan"), ds)
    except Exception:
        return fallback
    plan = p.name_zh if lang == "zh" else (p.name_en or p.name_zh)
    nb = params.get("notebook", "plan_dashboard")
    try:
        if nb == "indicator_report":
            t = get_target(p.id, params.get("target_id"), ds)
            return f"{ds.indicators[t.indicator].name(lang)} · {plan}"
    except Exception:
        return plan  # the error column names the job
    if nb == "backtest":
        return f"{plan}：{params.get('as_of')}年回测" if lang == "zh" else f"{plan}: backtest as of {params.get('as_of')}"
    return plan


def _write_index(stage: Path, results, todo, elapsed, as_of, data):
    """The index: current assessments, deep-dive pages and backtests listed separately, the
    year the data run to, the run date, every page linked."""
    from .data import load
    from .safe import visible  # a bidi override in a plan name must not reorder the index
    lang = todo[0]["params"].get("language", "zh") if todo else "zh"
    params = {j["name"]: j["params"] for j in todo}
    try:
        ds = load(list(data) or None)
    except Exception:
        ds = None
    groups = {"plan_dashboard": [], "evaluation": [], "indicator_report": [], "backtest": [],
              "regions_dashboard": [], "target_setting": [], "other": []}
    # every kind of page under its own heading, and an evaluation page not named like its dashboard
    extra = {"zh": dict(evaluation="实施情况评估（中期/总结评估）", regions_dashboard="分地区监测",
                        target_setting="目标测算（下一五年规划草案）", evaluation_suffix="：实施情况评估",
                        failed_help="页面未能生成，请将以下技术信息转给技术人员"),
             "en": dict(evaluation="evaluations (mid-term / final)", regions_dashboard="regions",
                        target_setting="target setting (draft plans)", evaluation_suffix=": evaluation",
                        failed_help="the page was not made; technical details")}[lang]
    years = []
    for r in results:
        p = params.get(r["name"], {})
        nb = p.get("notebook", "plan_dashboard")
        counts = {}
        for rec in r["records"]:
            counts[rec["verdict"]] = counts.get(rec["verdict"], 0) + 1
        if nb == "plan_dashboard":
            years += [int(rec["latest_year"]) for rec in r["records"] if rec.get("latest_year") is not None
                      and (as_of is None or rec["latest_year"] <= as_of)]
        title = _job_title(p, ds, lang, r["name"]) if ds is not None else r["name"]
        if nb == "evaluation" and title != r["name"]:
            title += extra["evaluation_suffix"]
        groups[nb if nb in groups else "other"].append(
            dict(name=r["name"], title=visible(title), html=r["html"], ok=r["ok"], error=r["error"], counts=counts,
                 stale=r.get("stale", False)))
    data_year = as_of if as_of and not years else (max(years) if years else None)
    shown = [v for v in ORDER if any(j["counts"].get(v) for g in groups.values() for j in g)]
    html = _render(
        "index.html.j2", lang=lang, t={**INDEX_TEXT[lang], **extra}, groups=groups, verdicts=shown, colors=COLORS,
        labels={v: verdict_label(v, lang) for v in ORDER}, data_version=data_version(data), data_year=data_year,
        run_time=run_stamp(), elapsed=None if os.environ.get("SOURCE_DATE_EPOCH") else elapsed, as_of=as_of)
    _atomic_write(stage / "index.html", html)


def main(args) -> int:
    from .safe import terminal
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
