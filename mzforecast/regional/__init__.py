"""One plan, every region: assess the same targets in hundreds or thousands of regions at once.

`attainment.assess` handles one (target, region) at a time and costs a few milliseconds of
pandas work per series. Here the series of all regions are cut from one sorted array, grouped
by their observed-year pattern (so length, spacing, last year and hence the `auto` method are
shared), fitted with `models.point_forecasts_many`, given calibrated quantiles in arrays with
`models.forecast`'s steps and notes (including `models.structure_many`'s rules: administered
standards never cut, bounds, a series at its upper bound held there) and sampled with the same
inverse-CDF formula and seed as `Forecast.samples`. Each row is then built by the scalar path's
own pure functions: `attainment.forecast_fields` (verdict, clipped probability or nowcast,
quantiles, mean, point, exceeded), `attainment.expected_fields`, `attainment.growth_fields` and
`evaluation.evaluate_series`, so the rows equal `attainment.assess` + `evaluation.add_evaluation`
(tests/test_regional.py compares every field, row by row, on a sample with every case).

Covered by the arrays: level, growth and change targets on yearly (stock) series, ratio targets
(as the ratio's own series with two or more common positive years, or one for two administered
standards; else numerator and denominator forecast separately), relative targets (`relative: {pct: 20}`), any comparator or tolerance,
method `auto` or a fixed closed-form method, target years ahead of or (outcome_pending) behind
the reference year, and target years between observations (no_data, as attainment.assess says).
Row by row through `attainment.assess` (same meaning, slower; none of the rows in
bench/scale.py): targets already observed in their year, transferred or proxy targets, regions
without data, five-year totals, ratios read through a same-year lower bound (a lagged
denominator that is never cut), and `loglinear`/`logistic` asked for explicitly.

With many regions (PROCESSES_FROM) `assess_regions` divides them between processes, one per core,
each computing whole rows; the records are joined in region order before the frames are made.

CONSTRAINTS is an extension hook: functions on a (n_series, n_samples, n_years) array of sample
paths applied after the indicator's own structure (empty by default).
"""
from __future__ import annotations

import multiprocessing
import sys
import warnings
from typing import Callable, Iterator

import numpy as np
import pandas as pd
from tqdm import tqdm

from .. import attainment as A
from .. import growth
from .. import models as M
from .. import terms
from ..data import Dataset, load
from ..errors import DataError
from ..evaluation import FIELDS as EVALUATION_FIELDS, add_evaluation, evaluate_series, level_unit
from ..messages.notes import Note, Notes
from ..models.ratio import converging
from ..rules import rule_values
from ..io.write import csv_stream
from ..simulate import HORIZON_CAP, ratio_how
from ..targets import Plan, Target, get_plan
from .arrays import CHUNK, QS, YEAR_QS, Group, Store, draws, expected_years, quantiles, split_ratio

# functions f(paths, info) -> paths on a (n_series, n_samples, n_years) array of sample paths
# for the years after the last observation (info: dict with kind, indicator, years, last = the
# last observed year, last_value = each series' last observed value). Each must keep every
# path's order in the draws (a draw that is higher in one region-year stays higher), as
# clipping and running maxima from the last value do. attainment.assess knows nothing of them:
# with a constraint set, rows differ from the one-at-a-time path by design.
CONSTRAINTS: list[Callable[[np.ndarray, dict], np.ndarray]] = []
def columns() -> list[str]:
    return list(A.FIELDS) + [c for c in EVALUATION_FIELDS if c not in A.FIELDS]


def regions_of(plan: Plan, ds: Dataset) -> list[str]:
    """The plan's regions: its one region, its list, or (regions: all) every region with data on its indicators."""
    if plan.regions is None:
        return [plan.region]
    if plan.regions != "all":
        return list(plan.regions)
    inds = {t.indicator for t in plan.targets}
    have = set(ds.observations.loc[ds.observations.indicator.isin(inds), "region"].unique())
    return [r for r in ds.regions if r in have]


def is_regional(plan: Plan) -> bool:
    """Plans that need this module: several regions, or targets set from each region's base value."""
    return plan.regions is not None or any(t.relative is not None for t in plan.targets)


def _ratio_hist(t: Target, ds: Dataset, ny, nv, dy, dv):
    """The ratio's observed series (numerator / lagged denominator in common years), as terms.history."""
    dy = dy + t.denominator_lag
    common, ia, ib = np.intersect1d(ny, dy, return_indices=True)
    return common, np.asarray(terms.to_target_terms(t, nv[ia], dv[ib], ds), float)


def _value_in(y, v, year):
    k = int(y.searchsorted(year))
    return float(v[k]) if k < len(y) and y[k] == year else None


def _bound_years(t: Target, ds: Dataset, sy, dy, hy) -> bool:
    """Does attainment._history add same-year ratios (a lower bound) for this series? Those rows go
    through attainment.assess."""
    if t.kind != "ratio" or t.denominator_lag <= 0 or ds.indicators[t.denominator].monotone != "nondecreasing":
        return False
    return bool(len(np.intersect1d(np.setdiff1d(sy, hy), dy)))


def assess_target(t: Target, regions: list[str], ds: Dataset, *, as_of=None, method="auto", seed=0,
                  store: Store | None = None, reference: int | None = None) -> pd.DataFrame:
    """One target in many regions: one row per region, columns `columns()`, in the order of `regions`
    (target_records as a frame)."""
    return pd.DataFrame(target_records(t, regions, ds, as_of=as_of, method=method, seed=seed, store=store,
                                       reference=reference), columns=columns())


def target_records(t: Target, regions: list[str], ds: Dataset, *, as_of=None, method="auto", seed=0,
                   store: Store | None = None, reference: int | None = None) -> list[dict]:
    """One target in many regions: one record per region (the fields of `columns()`), in the order of `regions`.

    Each row is attainment.assess's row for that region (plus evaluation.add_evaluation's fields).
    Rows the arrays below do not cover go through attainment.assess itself: targets that are
    transferred, have a proxy, or a year already observed; regions without data; ratios that use a
    same-year bound or a policy rule sets (held, simulate) or of two standards converging to parity
    (models.ratio, simulate); log-linear or logistic asked for explicitly."""
    store = store or Store(ds, {t.indicator} | ({t.denominator} if t.denominator else set()), as_of)
    ref = reference if reference is not None else A.reference_year(as_of)
    T, base_year = t.target_year, t.base_year
    meta = ds.indicators[t.indicator]
    until = max(T, HORIZON_CAP)
    standards, parity_bound = (t.kind == "ratio" and f(t, ds) for f in (terms.standards, terms.converging))
    vector_ok = not (t.transferred or t.proxy or rule_values(t)) and meta.aggregation == "stock" and \
        method in ("auto",) + tuple(m for m in M.METHODS if m not in ("loglinear", "logistic"))
    rows: list[dict | None] = [None] * len(regions)
    fallback, jobs, split = [], {}, {}  # jobs: year pattern -> [(row index, values)]; split: ratio by parts
    hists, targets = [], []
    for i, r in enumerate(regions):
        sy, sv = store.get(r, t.indicator)
        dy = None
        if t.kind == "ratio":
            dy, dv = store.get(r, t.denominator)
            terms.check_denominator(t, r, dy, dv, ds)
            hy, hv = _ratio_hist(t, ds, sy, sv, dy, dv)
        else:
            hy, hv = sy, sv
        hists.append((hy, hv, sy, sv))
        base = _value_in(hy, hv, base_year) if t.kind in ("level", "ratio") else None
        tr = t.for_region(r, base)
        targets.append(tr)
        if tr.value is None:  # relative target with no base-year value: nothing to compare with
            rows[i] = dict(verdict="no_data",
                           note=Note("region_no_base_value", indicator=t.indicator, region=r, year=base_year))
            continue
        if not vector_ok or not len(sy) or (t.kind == "ratio" and (not len(dy) or _bound_years(t, ds, sy, dy, hy))):
            fallback.append(i)
            continue
        judged = hy if t.kind == "ratio" else sy
        if T in judged or (t.kind == "ratio" and T in sy):  # observed (or a ratio decided by its parts)
            fallback.append(i)
            continue
        if len(judged) and T < judged[-1]:
            rows[i] = dict(verdict="no_data", note=A.gap_note(T))
            continue
        if parity_bound and method == "auto" and converging(pd.Series(hv), 100.0 if t.unit == "percent" else 1.0):
            fallback.append(i)  # two standards converging to parity: models.ratio, through simulate
            continue
        if t.kind == "ratio" and not terms.direct_ratio(hv, standards):
            # numerator and denominator forecast separately, as attainment._ratio_sim does
            split.setdefault((sy.tobytes(), dy.tobytes()), []).append((i, sv, dv))
            continue
        fy, fv = (hy, hv) if t.kind == "ratio" else (sy, sv)
        if T <= fy[-1]:
            fallback.append(i)
            continue
        jobs.setdefault(fy.tobytes(), []).append((i, fv))
    if fallback:  # the one-at-a-time path on just these regions' series: rare cases, same meaning
        o = ds.observations
        inds = [x for x in (t.indicator, t.denominator, t.proxy) if x]
        keep = o.region.isin([regions[i] for i in fallback]) & o.indicator.isin(inds)
        sub = Dataset(o[keep.to_numpy()], ds.indicators, ds.regions, ds.sources)
        for i in fallback:
            row = A.assess(targets[i], sub, as_of=as_of, method=method, seed=seed, reference=ref)
            rows[i] = add_evaluation(row, targets[i], sub, as_of, ref).to_dict()
    u, j, w = draws(seed)
    order = np.argsort(u, kind="stable")
    direct = t.kind in ("level", "ratio")
    fkind = "level" if t.kind == "ratio" else meta.kind
    monotone = None if t.kind == "ratio" else meta.monotone
    bounds = t.bounds if t.kind == "ratio" else meta.bounds
    how = None
    for key, members in jobs.items():
        yrs = np.frombuffer(key, dtype=np.int64)
        Y = np.vstack([v for _, v in members])
        k = T - int(yrs[-1]) - 1  # column of the target year (the years run from the last observed one + 1)
        # the growth model's rows to the target year and the 5 years row_notes reads; later years only
        # for the rows whose first-passage years need them (expected_years). A constraint may read
        # every year of a path: then every year.
        ready = None if CONSTRAINTS else max(k + 1, min(5, until - int(yrs[-1])))
        g = Group(yrs, Y, fkind, method, until, monotone, bounds, CONSTRAINTS, "" if t.kind == "ratio" else t.indicator,
                  ready)
        if t.kind == "ratio":
            how = ratio_how(g.n)
        idx = [i for i, _ in members]
        for c0 in range(0, len(idx), CHUNK):
            sl = slice(c0, c0 + CHUNK)
            rows_c = idx[sl]
            info = dict(kind=fkind, indicator=t.indicator, years=g.years[:k + 1], last=int(yrs[-1]),
                        last_value=Y[sl, -1])
            X = g.at(sl, k, j, w, info)  # (chunk, draws): the target year's samples
            P = g.P[sl, k]
            if t.kind in ("growth", "change"):
                b = np.array([_value_in(hists[i][2], hists[i][3], base_year) for i in rows_c], float)[:, None]
                with np.errstate(all="ignore"):
                    if t.kind == "growth":
                        n_y = T - base_year
                        x = ((X / b) ** (1 / n_y) - 1) * 100 if n_y > 0 else np.nan * X
                        x = np.where((X > 0) & (b > 0), x, np.nan)
                        point = np.array([A.cagr(bb, pp, n_y) for bb, pp in zip(b[:, 0], P)])
                    else:
                        x, point = X - b, P - b[:, 0]
            else:
                x, point = X, P
            if t.relative is None:
                met = t.met(x)
            else:
                met = np.vstack([targets[i].met(x[m]) for m, i in enumerate(rows_c)])
            share = met.mean(axis=1)
            q = quantiles(x, order)
            xmean = x.mean(axis=1)
            if direct:
                ey = expected_years(t, targets, rows_c, g, sl, j, w, order, info)
            for m, i in enumerate(rows_c):
                notes = g.row_notes(c0 + m, float(Y[c0 + m, -1]))
                out = dict(method=g.row_method(c0 + m))
                if t.kind in ("growth", "change") and np.isnan(b[m, 0]):  # as attainment.assess says it
                    rows[i] = dict(out, verdict="no_data",
                                   note=A.notes_text(notes + [Note("no_base_value", year=base_year)]))
                    continue
                if how:
                    notes.append(how)
                fields, more = A.forecast_fields(targets[i], share[m], q[:, m], xmean[m], point[m], g.n, ref)
                out.update(fields)
                if direct:
                    out.update(A.expected_fields([ey[0][m], ey[1][m], ey[2][m]]))
                hy, hv = hists[i][0], hists[i][1]
                out.update(A.growth_fields(targets[i], hy, hv, base_year, out["point"], meta.monotone == "nondecreasing"))
                out["note"] = A.notes_text(notes + more)
                rows[i] = out
    for (nk, dk), members in split.items():
        split_ratio(t, ds, members, np.frombuffer(nk, dtype=np.int64), np.frombuffer(dk, dtype=np.int64),
                     targets, hists, rows, method, seed, until, ref, CONSTRAINTS)
    return _records(t, regions, rows, hists, targets, as_of, ref, level_unit(t, ds))


def _records(t: Target, regions, rows, hists, targets, as_of, ref=None, lunit="") -> list[dict]:
    """Rows in attainment.assess's shape: its header fields, the row's own, then the evaluation
    fields (evaluation.evaluate_series on the same observations; fallback rows carry their own)."""
    cols = columns()
    known = set(cols)
    flags = Notes(t.readings())
    recs = []
    for r, out, (hy, hv, sy, sv), tr in zip(regions, rows, hists, targets):
        if "plan" in out:  # attainment.assess's own row
            rec = dict.fromkeys(cols)
            rec.update({k: v for k, v in out.items() if k in known})
            rec["region"] = r
            recs.append(rec)
            continue
        rec = dict.fromkeys(cols)
        rec.update(plan=t.plan, target_id=t.id, region=r, indicator=t.indicator, kind=t.kind,
                   target_year=t.target_year, comparator=t.comparator, target_value=tr.value,
                   target_value_high=t.value_high, unit=t.unit, binding=t.binding, as_of=as_of,
                   flags=Notes(tr.readings()) if tr.value is not None else flags, note="", exceeded=False,
                   n_obs=int(len(hy) if t.kind == "ratio" else len(sy)))
        if len(hy):
            rec["latest_year"], rec["latest_value"] = int(hy[-1]), float(hv[-1])
        rec.update({k: v for k, v in out.items() if k in known})
        if tr.value is not None:
            rec.update(evaluate_series(tr, hy, hv, reference=ref, level_unit=lunit) if t.kind == "ratio"
                       else evaluate_series(tr, sy, sv, reference=ref, level_unit=lunit))
        else:
            rec.update(base_year=int(t.base_year), base_value=float("nan"), responsible_unit=t.responsible_unit)
        recs.append(rec)
    return recs


def iter_assess(plan: str | Plan, ds: Dataset, *, as_of=None, method="auto", seed=0,
                progress: bool = False, reference: int | None = None) -> Iterator[pd.DataFrame]:
    """Every target of a plan in every one of its regions, one DataFrame per target (stream these)."""
    p = get_plan(plan, ds)
    regions = _regions(p, ds)
    store = Store(ds, _indicators(p), as_of)
    bar = tqdm(total=len(p.targets) * len(regions), unit="region-target", disable=not progress)
    try:
        for t in p.targets:
            yield assess_target(t, regions, ds, as_of=as_of, method=method, seed=seed, store=store,
                                reference=reference)
            bar.update(len(regions))
    finally:
        bar.close()


def _regions(p: Plan, ds: Dataset) -> list[str]:
    regions = regions_of(p, ds)
    if not regions:
        raise DataError(f"plan '{p.id}' names no region with data on its indicators",
                        fix="check the data file's region and indicator columns")
    return regions


def _indicators(p: Plan) -> set[str]:
    return {t.indicator for t in p.targets} | {t.denominator for t in p.targets if t.denominator}


def assess_regions(plan: str | Plan, ds: Dataset, *, as_of=None, method="auto", seed=0,
                   reference: int | None = None) -> pd.DataFrame:
    """One row per target per region (the whole table; `iter_assess` streams it).

    From PROCESSES_FROM regions on, the regions are divided between processes, one per core
    (`parts`): the same rows, in the same order, sooner.

    Parameters
    ----------
    plan : str, Path or Plan
        A plan with ``regions`` (or relative targets).
    ds : Dataset, str, Path, DataFrame or list
        Data as ``mzf.load`` takes it (None: the bundled data).
    as_of, method, seed, reference
        As for ``mzf.assess_plan``.

    Returns
    -------
    pandas.DataFrame
        One row per target and region with the assess_plan fields.
    """
    ds = load(ds)
    p = get_plan(plan, ds)
    options = dict(as_of=as_of, method=method, seed=seed, reference=reference)
    regions = _regions(p, ds)
    parts = [regions] if len(regions) < PROCESSES_FROM else _divided(regions)
    per_part = _in_processes(p, ds, parts, options) if len(parts) > 1 else None
    if per_part is None:  # one process, or a part failed: here, in order (the first problem is the one raised)
        per_part = [_part_records(p, ds, regions, options)]
    frames = [pd.DataFrame([r for part in per_part for r in part[i]], columns=columns()) for i in range(len(p.targets))]
    if not frames:
        return pd.DataFrame(columns=columns())
    with warnings.catch_warnings():
        # pandas 2.1-2.x warn that all-NA columns (e.g. no nowcast in one target's rows) will stop
        # being ignored when concat picks dtypes; infer_objects gives the same dtypes either way
        warnings.filterwarnings("ignore", message=".*concatenation with empty or all-NA entries.*",
                                category=FutureWarning)
        return pd.concat(frames, ignore_index=True).infer_objects()


# From this many regions, assess_regions divides them between processes (Linux, where they are
# forked: the data are shared, not copied or pickled). A row is its region's own whichever
# process computes it (tests/test_regional.py), and the records are joined before the frames are
# made, so the table is the one a single process gives.
PROCESSES_FROM = 4000


def _divided(regions: list[str]) -> list[list[str]]:
    n = growth.available_cores() if sys.platform.startswith("linux") and \
        "fork" in multiprocessing.get_all_start_methods() else 1
    size = -(-len(regions) // n)
    return [regions[i:i + size] for i in range(0, len(regions), size)]


def _part_records(p: Plan, ds: Dataset, regions: list[str], options: dict) -> list[list[dict]]:
    """Records of every target of the plan in these regions: [target][region]."""
    store = Store(ds, _indicators(p), options["as_of"])
    return [target_records(t, regions, ds, store=store, **options) for t in p.targets]


_FORKED: tuple | None = None  # (plan, dataset, options) a forked process reads: inherited, never pickled


def _child(conn, regions):
    """In a forked process: this part's records (one growth thread: every core has a part), with what
    it printed, sent back; None if anything failed."""
    import contextlib
    import io
    out, err = io.StringIO(), io.StringIO()
    try:
        growth.THREADS = 1
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            result = _part_records(*_FORKED[:2], regions, _FORKED[2])
        conn.send((result, out.getvalue(), err.getvalue()))
    except BaseException:
        conn.send(None)
    finally:
        conn.close()


def _in_processes(p: Plan, ds: Dataset, parts: list[list[str]], options: dict) -> list[list[list[dict]]] | None:
    """Every part but the first in a forked process of its own, the first in this one, meanwhile;
    None if any part failed (a data problem, a process that died): the caller then computes all
    in one process, so the problem it reports is the one the one-process order meets first."""
    global _FORKED
    ctx = multiprocessing.get_context("fork")
    _FORKED = (p, ds, options)
    procs = []
    threads = growth.THREADS
    try:
        for part in parts[1:]:
            recv, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_child, args=(send, part), daemon=True)
            proc.start()
            send.close()
            procs.append((proc, recv))
        growth.THREADS = 1
        try:
            results = [_part_records(p, ds, parts[0], options)]
        except Exception:
            return None
        growth.THREADS = threads
        printed = []
        for proc, recv in procs:
            try:
                got = recv.recv()
            except (EOFError, OSError):  # the process died (killed, out of memory)
                got = None
            proc.join()
            if got is None:
                return None
            results.append(got[0])
            printed.append(got[1:])
        for out, err in printed:
            sys.stdout.write(out)
            sys.stderr.write(err)
        return results
    finally:
        growth.THREADS = threads
        _FORKED = None
        for proc, recv in procs:
            if proc.is_alive():  # a part failed, or interrupted: no process goes on computing
                proc.kill()
                proc.join()
            recv.close()


def write_rows(plan: str | Plan, ds: Dataset, out, *, as_of=None, method="auto", seed=0,
               progress: bool | None = None) -> int:
    """Stream every region-target row as CSV to `out`, one target at a time (no per-region notebooks).

    The plan and data are fully validated before the header is written; returns the row count.
    The progress bar shows only on a terminal (stderr).
    """
    p = get_plan(plan, ds)
    show = sys.stderr.isatty() if progress is None else progress
    n = 0
    for k, chunk in enumerate(iter_assess(p, ds, as_of=as_of, method=method, seed=seed, progress=show)):
        csv_stream(chunk, out, header=k == 0)  # region and target names are data: no live formula
        n += len(chunk)
    return n
