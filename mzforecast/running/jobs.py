"""The jobs of a run: params files read and checked (every problem reported at once), paths in
them resolved, data files loaded and plan ids checked before any notebook starts; and the pages
the bundled params make for a plan (the dashboard links to them). Imports leaves, data, engine
and `params`.
"""
from __future__ import annotations

from pathlib import Path

from .. import resources
from ..data import YEAR_MAX, YEAR_MIN, checked, data_dir, load
from ..errors import DataError, DataErrors
from ..params import load as load_params
from ..propose import get_draft
from ..targets import get_plan, list_plans
from .lock import name_clashes
from .output import not_a_folder


def params_dir() -> Path:
    return resources.params_dir()


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
        errs.append(not_a_folder(Path(out)))
    if errs:
        raise DataErrors(errs)


def params_path(name: str, near: Path | None = None) -> str:
    """A path named in a params file: as given if absolute; else beside the params file (near), or
    from the current folder, if it is there; else from the bundled data's parent, where the bundled
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
            p["data_file"] = ([params_path(x, f.parent) for x in p["data_file"]] if isinstance(p["data_file"], list)
                              else params_path(p["data_file"], f.parent))
        if isinstance(p.get("plan"), str) and Path(p["plan"]).suffix in (".yaml", ".yml"):  # a plan file, same rule
            p["plan"] = params_path(p["plan"], f.parent)
        jobs.append({"name": f.stem, "file": str(f), "params": p, "own_data": bool(p.get("data_file")) and not data})
    errs += name_clashes(jobs)
    names = [j["name"] for j in jobs]
    for n in sorted({n for n in names if names.count(n) > 1}):
        errs.append(DataError(f"two params files are named '{n}': their reports would overwrite each other",
                              file=", ".join(j["file"] for j in jobs if j["name"] == n), fix="rename one"))
    if errs:
        raise DataErrors(errs)
    return jobs


def validate_jobs(todo: list[dict], keep_in: str | None = None):
    """Data files load and every plan id names a plan, before any notebook starts. `keep_in`: a
    private folder where each data file's validated Dataset is kept for the run's kernels
    (data.checked), so they do not read and check it again."""
    datasets, errs = {}, []
    for j in todo:
        df = j["params"].get("data_file") or None
        key = tuple(df) if isinstance(df, list) else df
        if key not in datasets:
            try:
                before = checked.key(df) if keep_in is not None and df else None  # the bytes load will read
                datasets[key] = load(df)
                if before is not None:
                    checked.keep(datasets[key], df, None, keep_in, before)
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
            if j["params"].get("notebook") == "target_setting":  # a draft, read as its notebook reads it
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




def related_pages(plan_id: str) -> dict:
    """Pages the bundled params make for this plan: {'deep': {target_id: html}, 'backtest': [(as_of, html)]}.

    Links to pages a run did not make are removed by `html.drop_dead_links` when the run finishes.
    """
    out = {"deep": {}, "backtest": [], "evaluation": []}
    for f in sorted(params_dir().glob("*.yaml")):
        try:
            p = load_params(f)
        except Exception:
            continue
        if p.get("plan") != plan_id:
            continue
        if p.get("notebook") == "indicator_report" and p.get("target_id"):
            out["deep"][p["target_id"]] = f"{f.stem}.html"
        elif p.get("notebook") == "backtest":
            out["backtest"].append((p.get("as_of"), f"{f.stem}.html"))
        elif p.get("notebook") == "evaluation":
            out["evaluation"].append(f"{f.stem}.html")
    return out
