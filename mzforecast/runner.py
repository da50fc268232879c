"""`mzforecast run`: execute the report notebooks with papermill and build reports/.

Notebooks run in parallel processes; one that fails or times out is marked failed in the
index with its error and the others go on (exit code 1). The whole output folder is built
beside the old one and swapped in at the end, so an interrupted run leaves the previous
reports as they were.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd
import yaml
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import __version__
from .attainment import FIELDS
from .data import data_dir
from .errors import DataError
from .plots import COLORS, verdict_label
from .reports import ORDER, SUMMARY_MIME

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = Path(__file__).with_name("templates")
NOTEBOOKS = {"plan_dashboard", "indicator_report", "backtest", "quickstart"}
NOTEBOOKS |= {"target_setting"}  # issue 15: 目标测算 for draft plans
INDEX_TEXT = {
    "zh": dict(title="民政规划目标监测报告", run="生成时间", elapsed="用时", data_version="数据版本", as_of="数据截至",
               report="报告", plan="规划", status="状态", ok="完成", failed="失败", back="← 返回目录"),
    "en": dict(title="Civil-affairs plan targets: monitoring reports", run="run at", elapsed="took",
               data_version="data version", as_of="data up to", report="report", plan="plan", status="status",
               ok="ok", failed="FAILED", back="← index"),
}


def notebooks_dir() -> Path:
    return Path(os.environ.get("MZFORECAST_NOTEBOOKS", ROOT / "notebooks"))


def params_dir() -> Path:
    return Path(os.environ.get("MZFORECAST_PARAMS", ROOT / "params"))


def data_version(extra=()) -> str:
    """Hash of every data file the run reads: reports say which data they were made from."""
    h = hashlib.sha256()
    files = sorted(p for p in data_dir().rglob("*") if p.is_file()) + [Path(x) for x in extra]
    for p in files:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def load_params(path: Path) -> dict:
    try:
        d = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise DataError("params file not found", file=str(path)) from None
    except yaml.YAMLError as e:
        raise DataError(f"YAML syntax error: {e}", file=str(path)) from None
    nb = d.get("notebook", "plan_dashboard")
    if nb not in NOTEBOOKS:
        raise DataError(f"unknown notebook '{nb}'", file=str(path), column="notebook",
                        fix="one of: " + ", ".join(sorted(NOTEBOOKS)))
    return d


def _css() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


def _env():
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))


def notebook_to_html(nb_path: Path, title: str, language: str) -> str:
    """Self-contained page: no code cells, images inlined, no scripts from the internet."""
    import nbformat
    from markupsafe import Markup
    from nbconvert import HTMLExporter

    exp = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                       exclude_output_prompt=True)
    body, _ = exp.from_notebook_node(nbformat.read(str(nb_path), as_version=4))
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


def run_one(job: dict, outdir: str, timeout: int) -> dict:
    """Execute one notebook; never raises: failures come back as data."""
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
        pm.execute_notebook(str(src), str(out_nb), parameters=params, kernel_name="python3",
                            execution_timeout=timeout, progress_bar=False, log_output=False,
                            cwd=str(ROOT), extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
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


def collect_jobs(param_files, as_of=None, data=()) -> list[dict]:
    files = [Path(p) for p in param_files] or sorted(params_dir().glob("*.yaml"))
    if not files:
        raise DataError("no params files", file=str(params_dir()), fix="add params/*.yaml or name files")
    jobs = []
    for f in files:
        p = load_params(f)
        if as_of is not None:
            p["as_of"] = as_of
        if data:
            p["data_file"] = str(Path(data[-1]).resolve())
        jobs.append({"name": f.stem, "file": str(f), "params": p})
    return jobs


def run(param_files=(), out="reports", jobs: int = 0, as_of=None, data=(), timeout: int = 300,
        progress: bool | None = None) -> tuple[Path, list[dict]]:
    """Run every job and swap the finished output folder into place. Returns (index path, results)."""
    from tqdm import tqdm

    t0 = time.time()
    todo = collect_jobs(param_files, as_of, data)
    out = Path(out).resolve()
    check_output_folder(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    workers = jobs or os.cpu_count() or 1
    results = []
    try:
        bar = tqdm(total=len(todo), desc="notebooks", unit="nb",
                   disable=not (sys.stderr.isatty() if progress is None else progress))
        with ProcessPoolExecutor(max_workers=min(workers, len(todo))) as pool:
            futs = [pool.submit(run_one, j, str(stage), timeout) for j in todo]
            for f in as_completed(futs):
                r = f.result()
                results.append(r)
                bar.update(1)
                if not r["ok"]:
                    tqdm.write(f"FAILED {r['name']}: {r['error']}", file=sys.stderr)
        bar.close()
        order = {j["name"]: i for i, j in enumerate(todo)}
        results.sort(key=lambda r: order[r["name"]])
        _write_summary(stage, results)
        _write_index(stage, results, todo, time.time() - t0, as_of, data)
        _atomic_write(stage / "README.md", README.format(stamp=run_stamp()))
        if (out / ".gitkeep").exists():  # the repository keeps the empty folder
            shutil.copy2(out / ".gitkeep", stage / ".gitkeep")
        (stage / MARKER).write_text("written by mzforecast run; the folder is replaced on each run\n")
        _swap(stage, out)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return out / "index.html", results


MARKER = ".mzforecast-output"
KEEP = {".gitkeep", MARKER}
README = """# Reports (generated)

Written by `mzforecast run` at {stamp}: executed notebooks, one HTML page per notebook,
`index.html`, `summary.csv` and `summary.json`. The whole folder is replaced on each run:
do not keep hand-written files here.
"""


def run_stamp() -> str:
    """Run time shown in the reports; SOURCE_DATE_EPOCH pins it for byte-identical rebuilds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc) if epoch else dt.datetime.now()
    return when.strftime("%Y-%m-%d %H:%M")


def check_output_folder(out: Path):
    """Refuse to replace a folder mzforecast did not write: a run swaps the whole folder."""
    if out.exists() and not out.is_dir():
        raise DataError("is a file, not a folder", file=str(out), fix="give --out a folder path")
    if out.is_dir() and not (out / MARKER).exists():
        foreign = sorted(p.name for p in out.iterdir() if p.name not in KEEP)
        if foreign:
            shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise DataError(f"the output folder holds files mzforecast did not write ({shown}); a run replaces "
                            "the whole folder, so it stops here and changes nothing", file=str(out),
                            fix="choose a new or empty folder for --out, or move those files elsewhere")


def _swap(stage: Path, out: Path):
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(stage, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _write_summary(stage: Path, results):
    rows = [dict(rec, report=r["name"]) for r in results if r["ok"] and r.get("params_file")
            and "backtest" not in r["name"] for rec in r["records"]]
    df = pd.DataFrame(rows, columns=["report"] + FIELDS)
    df = df.drop_duplicates(["plan", "target_id", "as_of"]).sort_values(["plan", "target_id"])
    _atomic_write(stage / "summary.csv", df.to_csv(index=False))
    _atomic_write(stage / "summary.json", json.dumps(json.loads(df.to_json(orient="records", force_ascii=False)),
                                                     ensure_ascii=False, indent=1))


def _write_index(stage: Path, results, todo, elapsed, as_of, data):
    from .data import load
    from .targets import get_plan
    lang = todo[0]["params"].get("language", "zh") if todo else "zh"
    names = {}
    try:
        ds = load()
        for r in results:
            if r["plan"]:
                try:
                    names[r["name"]] = get_plan(r["plan"], ds).name_zh
                except Exception:
                    names[r["name"]] = r["plan"]
    except Exception:
        pass
    jobs = []
    for r in results:
        counts = {}
        for rec in r["records"]:
            counts[rec["verdict"]] = counts.get(rec["verdict"], 0) + 1
        jobs.append(dict(name=r["name"], html=r["html"], ok=r["ok"], error=r["error"], counts=counts,
                         plan_name=names.get(r["name"], r["plan"] or "")))
    html = _render(
        "index.html.j2", lang=lang, t=INDEX_TEXT[lang], jobs=jobs, verdicts=ORDER, colors=COLORS,
        labels={v: verdict_label(v, lang) for v in ORDER}, data_version=data_version(data),
        run_time=run_stamp(), elapsed=None if os.environ.get("SOURCE_DATE_EPOCH") else elapsed, as_of=as_of)
    _atomic_write(stage / "index.html", html)


def main(args) -> int:
    index, results = run(args.params, args.out, args.jobs, args.as_of, args.data, args.timeout)
    failed = [r for r in results if not r["ok"]]
    print(f"{len(results) - len(failed)}/{len(results)} notebooks ok; report: {index}")
    for r in failed:
        print(f"failed: {r['name']}: {r['error']}", file=sys.stderr)
    return 1 if failed else 0
