"""One plan, every region: assess the same targets in hundreds or thousands of regions at once.

`attainment.assess` handles one (target, region) at a time and costs a few milliseconds of
pandas work per series. Here the series of all regions are cut from one sorted array, grouped
by their observed-year pattern (so length, spacing, last year and hence the `auto` method are
shared), fitted with `models.point_forecasts_many`, given calibrated quantiles in arrays with
`models.forecast`'s steps and notes (including `models._structure`'s rules: administered
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

CONSTRAINTS is an extension hook: functions on a (n_series, n_samples, n_years) array of sample
paths applied after the indicator's own structure (empty by default).
"""
from __future__ import annotations

import warnings
from typing import Callable, Iterator

import numpy as np
import pandas as pd

from . import attainment as A
from . import calibration as C
from . import models as M
from .data import Dataset
from .errors import DataError
from .targets import Plan, Target, get_plan

# evaluation fields (基期值, 完成进度 vs 时序进度); the issue-11 names, so columns match after merging
EXTRA = ["base_year", "base_value", "completion_progress", "time_progress", "progress_status"]
QS = A.QUANTILES  # the scalar path's: median, lo80, hi80, lo95, hi95
YEAR_QS = A.YEAR_QUANTILES
CHUNK = 1024  # series sampled at once: CHUNK x N_SAMPLES floats (33 MB)
# functions f(paths, info) -> paths on a (n_series, n_samples, n_years) array of sample paths
# for the years after the last observation (info: dict with kind, indicator, years, last = the
# last observed year, last_value = each series' last observed value). Each must keep every
# path's order in the draws (a draw that is higher in one region-year stays higher), as
# clipping and running maxima from the last value do. attainment.assess knows nothing of them:
# with a constraint set, rows differ from the one-at-a-time path by design.
CONSTRAINTS: list[Callable[[np.ndarray, dict], np.ndarray]] = []


def columns() -> list[str]:
    return list(A.FIELDS) + [c for c in EXTRA if c not in A.FIELDS]


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


class _Store:
    """Every observation of the needed indicators as sorted arrays; one slice per (region, indicator)."""

    def __init__(self, ds: Dataset, indicators, as_of=None):
        o = ds.observations
        m = o.indicator.isin(list(indicators)).to_numpy().copy()
        if as_of is not None:
            m &= (o.year <= as_of).to_numpy()
        o = o.loc[m]
        rc, self.rids = pd.factorize(o.region)
        ic, self.iids = pd.factorize(o.indicator)
        year = o.year.to_numpy(np.int64)
        order = np.lexsort((year, ic, rc))
        self.year, self.value = year[order], o.value.to_numpy(float)[order]
        code = (rc * len(self.iids) + ic)[order]
        cut = np.flatnonzero(np.diff(code)) + 1
        starts, stops = np.r_[0, cut], np.r_[cut, len(code)]
        self.slices = {int(c): (a, b) for c, a, b in zip(code[starts], starts, stops)} if len(code) else {}
        self.r = {r: i for i, r in enumerate(self.rids)}
        self.i = {x: i for i, x in enumerate(self.iids)}

    def get(self, region: str, indicator: str) -> tuple[np.ndarray, np.ndarray]:
        r, i = self.r.get(region), self.i.get(indicator)
        if r is None or i is None:
            return self.year[:0], self.value[:0]
        a, b = self.slices.get(r * len(self.iids) + i, (0, 0))
        return self.year[a:b], self.value[a:b]


def _ratio_hist(t: Target, ds: Dataset, ny, nv, dy, dv):
    """The ratio's observed series (numerator / lagged denominator in common years), as attainment._history."""
    dy = dy + t.denominator_lag
    common, ia, ib = np.intersect1d(ny, dy, return_indices=True)
    return common, np.asarray(A._to_target_terms(t, nv[ia], dv[ib], ds), float)


def _draws(seed: int):
    """Uniforms and interpolation weights of Forecast.samples for this seed (the same for every series)."""
    p = C.PROBS
    u = np.random.default_rng(seed).uniform(p[0], p[-1], size=A.N_SAMPLES)
    j = np.clip(np.searchsorted(p, u, side="right") - 1, 0, len(p) - 2)
    w = (u - p[j]) / (p[j + 1] - p[j])
    return u, j, w


def _sample(Q: np.ndarray, j, w) -> np.ndarray:
    """Q (..., n_probs) quantile grids -> (..., n_draws) samples, the formula of Forecast.samples
    (exact where neighbouring quantiles are equal, e.g. a series held at its bound)."""
    a = np.take(Q, j, axis=-1)
    return a + (np.take(Q, j + 1, axis=-1) - a) * w


def _logistic_many(Y, t, H):
    """models._point's logistic trend for many series observed in the same years t."""
    p = np.clip(Y / 100.0, 0.005, 0.995)
    z = np.log(p / (1 - p))
    if Y.shape[1] == 2:
        zf = z[:, -1:] + (z[:, -1:] - z[:, :1]) / (t[-1] - t[0]) * H
    else:
        tc = t - t.mean()
        b = ((tc * (z - z.mean(1, keepdims=True))).sum(1) / (tc ** 2).sum())[:, None]
        zf = z[:, -1:] + b * H
    return 100.0 / (1 + np.exp(-zf))


def _points(method: str, t: np.ndarray, Y: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Point forecasts of every row of Y (all observed in years t) at horizons h."""
    d = np.diff(t)
    if method == "logistic" and len(t) >= 2:
        return _logistic_many(Y, t.astype(float), h[None, :])
    if len(t) == 1 or (len(d) and np.all(d == d[0]) and method != "loglinear"):
        return M.point_forecasts_many(Y, method, h, int(d[0]) if len(d) else 1)
    tf = t.astype(float)  # uneven spacing: the one-series formula, row by row
    return np.vstack([M._point(method, tf, y, h) for y in Y])


class _Group:
    """models.forecast for series observed in the same years, in arrays: chosen method, notes,
    point forecasts P and quantile grids Q (series, years, probs) after models._structure's rules.

    Every step (and every note) is the one `forecast` takes, so samples drawn from Q with
    `_paths` are those of Forecast.samples (tests/test_regional.py compares them row by row)."""

    def __init__(self, t, Y, kind, method, until, monotone=None, bounds=None, indicator=""):
        n = len(t)
        self.indicator = indicator
        sp = M.spacing_bucket(t.astype(float))
        chosen = M.choose_method(n, kind, sp) if method == "auto" else method
        if n == 1:
            chosen = "naive"
        if bounds is None and kind == "share":
            bounds = (0.0, 100.0)
        notes = []
        if n == 2 and chosen != "naive":
            notes.append("only two observations: the trend rests on two points, intervals are wide")
        self.const = (np.ptp(Y, axis=1) == 0) if chosen != "naive" else np.zeros(len(Y), bool)
        if kind == "share" and chosen not in ("logistic", "naive"):
            self.bounds_note = "share indicator: forecasts and intervals clipped to 0-100%"
        elif bounds is not None and kind != "share" and any(b is not None for b in bounds):
            self.bounds_note = "forecasts and intervals kept within " + M._bounds_text(bounds)
        else:
            self.bounds_note = None
        self.method, self.notes, self.n, self.kind = chosen, notes, n, kind
        self.monotone, self.bounds = monotone, bounds
        last = int(t[-1])
        self.years = np.arange(last + 1, until + 1)
        h = (self.years - last).astype(float)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            P = _points(chosen, t, Y, h)
        self.neg = (P < 0).any(axis=1) if kind in ("level", "share") else np.zeros(len(Y), bool)
        if self.neg.any():
            P = np.where(self.neg[:, None], np.maximum(P, 0), P)
        self.probs, errq = C.error_quantiles(chosen, n, sp, h)
        # each region's errors scaled to its own smoothness, as models.forecast does
        E = C.scale_errors(errq[None], np.array([C.smoothness_factor(t, y) for y in Y.astype(float)])[:, None, None])
        pos = (Y > 0).all(axis=1)
        Q = np.empty(P.shape + (errq.shape[1],))
        Q[pos] = P[pos][:, :, None] * np.exp(E[pos])
        if (~pos).any():
            scale = np.maximum(np.abs(Y[~pos]).mean(axis=1), 1e-9)
            Q[~pos] = P[~pos][:, :, None] + scale[:, None, None] * (np.exp(E[~pos]) - 1)
        Q = np.maximum.accumulate(Q, axis=2)  # quantiles never cross
        self._growth(t, Y, h, method, kind, P, Q)
        self.P, self.Q, self.Y = self._structure(P, Q, Y[:, -1].astype(float))

    def _growth(self, t, Y, h, method, kind, P, Q):
        """The growth model (growth.py) where models.forecast would use it: rows replaced in place."""
        from . import growth
        family = growth.family_of({"indicator": getattr(self, "indicator", "")}, self.monotone)
        if method != "auto" or family is None:
            return
        for i, y in enumerate(Y.astype(float)):
            if growth.applies(t, y, kind, family):
                P[i], _, Q[i], st = growth.quantile_grid(t, y, h, family, self.monotone)
                self.growth_notes = getattr(self, "growth_notes", {}) | {i: growth.note(st)}
        if getattr(self, "growth_notes", None):
            self.method = "growth"

    def _structure(self, P, Q, last):
        P, Q, self.at_bound = M.structure_many(P, Q, last, self.monotone, self.bounds)
        return P, Q, None

    def row_notes(self, i: int, last: float) -> list[str]:
        """models.forecast's notes for series i, in its order."""
        out = list(self.notes)
        if self.const[i]:
            out.append("the series is constant: the point forecast is held at that value")
        if self.bounds_note:
            out.append(self.bounds_note)
        if self.neg[i]:
            out.append("the trend crosses zero: negative forecasts set to 0")
        if i in getattr(self, "growth_notes", {}):
            out.append(self.growth_notes[i])
        out += M.structure_notes(self.monotone, self.bounds, bool(self.at_bound[i]))
        if self.n == 1:
            k = min(5, len(self.years)) - 1
            med = float(np.interp(0.5, self.probs, self.Q[i, k]))
            move = (med / last - 1) * 100 if last else 0.0
            if abs(move) < 0.5:
                out.append("only one observation: no trend can be estimated, the level is held flat")
            else:
                out.append(f"only one observation, so no trend can be estimated: the point forecast stays at the "
                           f"last value, and the median moves {move:+.0f}% in {k + 1} years because the spread is "
                           "how one-point series in the reference corpus moved")
        return out

    def paths(self, rows, k, j, w, info=None) -> np.ndarray:
        """Forecast.samples for the given rows over years 0..k: (rows, draws, years)."""
        V = M.structure_paths(np.moveaxis(_sample(self.Q[rows, :k + 1, :], j, w), 1, 2), self.monotone, self.bounds,
                              axis=2)
        for f in CONSTRAINTS:
            V = f(V, info)
        return V

    def at(self, rows, k, j, w, info=None) -> np.ndarray:
        """The samples in year column k (rows, draws); the whole path only where a running rule needs it."""
        if CONSTRAINTS:
            return self.paths(rows, k, j, w, info)[:, :, -1]
        if self.monotone:  # the running maximum's last value is the maximum over the years (exact, and fast)
            V = _sample(self.Q[rows, :k + 1, :], j, w)  # (rows, years, draws)
            X = V.max(axis=1) if self.monotone == "nondecreasing" else V.min(axis=1)
        else:
            X = _sample(self.Q[rows, k, :], j, w)
        return np.clip(X, *self.bounds) if self.bounds is not None else X


def _lerp_quantiles(sorted_at, qs, n):
    """np.quantile's linear rule from the order statistics it needs: sorted_at(k) -> values of the k-th smallest."""
    out = []
    for q in qs:
        vi = n * q + (1 + q * (1 - 1 - 1)) - 1  # numpy's virtual index for method "linear"
        lo = int(np.floor(vi))
        g = vi - lo
        a = sorted_at(lo)
        b = sorted_at(min(lo + 1, n - 1))
        out.append(np.where(g >= 0.5, b - (b - a) * (1 - g), a + (b - a) * g))
    return out


def _quantiles(x, order):
    """np.quantile(x, QS, axis=1) from the order statistics alone.

    Every row's samples rise with the draw's uniform (one quantile grid, interpolated, then running
    maxima and clipping, which keep the order), so the k-th smallest sample is that of the k-th
    smallest uniform: no sort or partition of 4,000 values per series. A row with a NaN gives NaN,
    as np.quantile does.
    """
    n = x.shape[1]
    need = sorted({min(int(np.floor(n * q + (1 - q) - 1)) + d, n - 1) for q in QS for d in (0, 1)})
    xs = x[:, order[need]]
    col = {k: c for c, k in enumerate(need)}
    q = np.array(_lerp_quantiles(lambda k: xs[:, col[k]], QS, n))
    q[:, np.isnan(x).any(axis=1)] = np.nan
    return q


def _first_year(met, years):
    """First year each path meets the target; 10**6 where it never does by HORIZON_CAP."""
    return np.where(met.any(axis=-1), years[np.argmax(met, axis=-1)], 10 ** 6)


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
                  store: _Store | None = None, reference: int | None = None) -> pd.DataFrame:
    """One target in many regions: one row per region, columns `columns()`, in the order of `regions`.

    Each row is attainment.assess's row for that region (plus evaluation.add_evaluation's fields).
    Rows the arrays below do not cover go through attainment.assess itself: targets that are
    transferred, have a proxy, or a year already observed; regions without data; ratios that use a
    same-year bound; log-linear or logistic asked for explicitly."""
    store = store or _Store(ds, {t.indicator} | ({t.denominator} if t.denominator else set()), as_of)
    ref = reference if reference is not None else A.reference_year(as_of)
    T, base_year = t.target_year, t.base_year
    meta = ds.indicators[t.indicator]
    until = max(T, A.HORIZON_CAP)
    standards = t.kind == "ratio" and A._standards(t, ds)
    vector_ok = not (t.transferred or t.proxy) and meta.aggregation == "stock" and \
        method in ("auto",) + tuple(m for m in M.METHODS if m not in ("loglinear", "logistic"))
    rows: list[dict | None] = [None] * len(regions)
    fallback, jobs, split = [], {}, {}  # jobs: year pattern -> [(row index, values)]; split: ratio by parts
    hists, targets = [], []
    for i, r in enumerate(regions):
        sy, sv = store.get(r, t.indicator)
        dy = None
        if t.kind == "ratio":
            dy, dv = store.get(r, t.denominator)
            hy, hv = _ratio_hist(t, ds, sy, sv, dy, dv)
        else:
            hy, hv = sy, sv
        hists.append((hy, hv, sy, sv))
        base = _value_in(hy, hv, base_year) if t.kind in ("level", "ratio") else None
        tr = t.for_region(r, base)
        targets.append(tr)
        if tr.value is None:  # relative target with no base-year value: nothing to compare with
            rows[i] = dict(verdict="no_data",
                           note=f"no observed value of {t.indicator} in {r} in the base year {base_year}: "
                                "a relative target needs it")
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
        if t.kind == "ratio" and not A._direct_ratio(hv, standards):
            # numerator and denominator forecast separately, as attainment._ratio_sim does
            split.setdefault((sy.tobytes(), dy.tobytes()), []).append((i, sv, dv))
            continue
        fy, fv = (hy, hv) if t.kind == "ratio" else (sy, sv)
        if T <= fy[-1]:
            fallback.append(i)
            continue
        jobs.setdefault(fy.tobytes(), []).append((i, fv))
    if fallback:  # the one-at-a-time path on just these regions' series: rare cases, same meaning
        from .evaluation import add_evaluation
        o = ds.observations
        inds = [x for x in (t.indicator, t.denominator, t.proxy) if x]
        keep = o.region.isin([regions[i] for i in fallback]) & o.indicator.isin(inds)
        sub = Dataset(o[keep.to_numpy()], ds.indicators, ds.regions, ds.sources)
        for i in fallback:
            row = A.assess(targets[i], sub, as_of=as_of, method=method, seed=seed, reference=ref)
            rows[i] = add_evaluation(row, targets[i], sub, as_of).to_dict()
    _, j, w = _draws(seed)
    u = np.random.default_rng(seed).uniform(C.PROBS[0], C.PROBS[-1], size=A.N_SAMPLES)
    order = np.argsort(u, kind="stable")
    direct = t.kind in ("level", "ratio")
    fkind = "level" if t.kind == "ratio" else meta.kind
    monotone = None if t.kind == "ratio" else meta.monotone
    bounds = t.bounds if t.kind == "ratio" else meta.bounds
    how = None
    for key, members in jobs.items():
        yrs = np.frombuffer(key, dtype=np.int64)
        Y = np.vstack([v for _, v in members])
        g = _Group(yrs, Y, fkind, method, until, monotone, bounds, "" if t.kind == "ratio" else t.indicator)
        k = int(np.searchsorted(g.years, T))  # column of the target year
        if t.kind == "ratio":
            how = (f"the ratio forecast from its {g.n} observed years (numerator and denominator move together)"
                   if g.n >= 2 else "the ratio forecast from its one observed year (two administered standards "
                                    "move together)")
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
            q = _quantiles(x, order)
            xmean = x.mean(axis=1)
            if direct:
                ey = _expected_years(t, targets, rows_c, g, sl, j, w, order, info)
            for m, i in enumerate(rows_c):
                notes = g.row_notes(c0 + m, float(Y[c0 + m, -1]))
                out = dict(method=g.method)
                if t.kind in ("growth", "change") and np.isnan(b[m, 0]):  # as attainment.assess says it
                    rows[i] = dict(out, verdict="no_data",
                                   note=A._notes_text(notes + [f"no observed value in the base year {base_year}"]))
                    continue
                if how:
                    notes.append(how)
                fields, more = A.forecast_fields(targets[i], share[m], q[:, m], xmean[m], point[m], g.n, ref)
                out.update(fields)
                if direct:
                    out.update(A.expected_fields([ey[0][m], ey[1][m], ey[2][m]]))
                hy, hv = hists[i][0], hists[i][1]
                out.update(A.growth_fields(targets[i], hy, hv, base_year, out["point"]))
                out["note"] = A._notes_text(notes + more)
                rows[i] = out
    for (nk, dk), members in split.items():
        _split_ratio(t, ds, members, np.frombuffer(nk, dtype=np.int64), np.frombuffer(dk, dtype=np.int64),
                     targets, hists, rows, method, seed, until, ref)
    return _frame(t, regions, rows, hists, targets, as_of)


def _split_ratio(t, ds, members, ny, dy, targets, hists, rows, method, seed, until, ref):
    """Ratio targets whose ratio is its own series in too few years: numerator (seed) and denominator
    (seed + 1) forecast separately and divided path by path, as attainment._ratio_sim and
    _ratio_paths do, for all regions with the same observed years of both."""
    T, lag = t.target_year, t.denominator_lag
    nmeta, dmeta = ds.indicators[t.indicator], ds.indicators[t.denominator]
    N_obs = np.vstack([m[1] for m in members])
    D_obs = np.vstack([m[2] for m in members])
    gN = _Group(ny, N_obs, nmeta.kind, method, until, nmeta.monotone, nmeta.bounds, t.indicator)
    gD = _Group(dy, D_obs, dmeta.kind, method, until, dmeta.monotone, dmeta.bounds, t.denominator) \
        if dmeta.aggregation == "stock" and until > dy[-1] else None
    cols, src = [], []  # the numerator's forecast years with a denominator value (observed or forecast)
    for c, y in enumerate(gN.years):
        k = np.flatnonzero(dy == y - lag)
        if len(k):
            cols.append(c)
            src.append(("obs", int(k[0])))
        elif gD is not None and y - lag in gD.years:
            cols.append(c)
            src.append(("fc", int(np.searchsorted(gD.years, y - lag))))
    years = gN.years[cols]
    if T not in years:
        for i, *_ in members:
            rows[i] = dict(verdict="no_data", note=f"cannot forecast the ratio of {t.indicator} to {t.denominator}")
        return
    kT = int(np.searchsorted(years, T))
    _, j, w = _draws(seed)
    _, j2, w2 = _draws(seed + 1)
    step = max(1, CHUNK // max(len(gN.years), 1))
    for c0 in range(0, len(members), step):
        sl = slice(c0, c0 + step)
        N = gN.paths(sl, len(gN.years) - 1, j, w)[:, :, cols]  # (chunk, draws, years)
        Df = gD.paths(sl, len(gD.years) - 1, j2, w2) if gD is not None else None
        D = np.empty_like(N)
        Dp = np.empty(N.shape[::2])
        for c, (kind, k) in enumerate(src):
            D[:, :, c] = D_obs[sl, k][:, None] if kind == "obs" else Df[:, :, k]
            Dp[:, c] = D_obs[sl, k] if kind == "obs" else gD.P[sl, k]
        R = A._to_target_terms(t, N, D, ds)
        if t.bounds is not None:
            R = np.clip(R, *t.bounds)
        pts = A._to_target_terms(t, gN.P[sl][:, cols], Dp, ds)
        for m, (i, *_) in enumerate(members[sl]):
            tr, xm = targets[i], R[m, :, kT]
            hy, hv = hists[i][0], hists[i][1]
            fields, more = A.forecast_fields(tr, np.mean(tr.met(xm)), np.quantile(xm, QS), np.mean(xm), pts[m, kT],
                                             len(hy), ref)
            out = dict(method=gN.method, **fields)
            out.update(A.expected_fields(np.quantile(_first_year(tr.met(R[m]), years), YEAR_QS)))
            out.update(A.growth_fields(tr, hy, hv, t.base_year, out["point"]))
            out["note"] = A._notes_text(gN.row_notes(c0 + m, float(N_obs[c0 + m, -1])) + [SPLIT_NOTE] + more)
            rows[i] = out


SPLIT_NOTE = "numerator and denominator forecast separately (independent errors: a cautious spread)"


def _expected_years(t, targets, rows_c, g, sl, j, w, order, info):
    """Quantiles over the draws of the first year each path meets the target (attainment.assess's
    expected_year), from the few draws that are those quantiles' order statistics.

    A draw's path is monotone in its uniform, so for >=/> targets the first-passage year falls as
    the uniform rises (for <=/< it rises): the k-th smallest first year is that of a known draw.
    Targets with two bounds (between, ==) are computed on every draw. Returns unformatted values
    (10**6: not reached), as np.quantile gives them to attainment.expected_fields.
    """
    n = A.N_SAMPLES
    up = t.comparator in (">=", ">")
    years = g.years
    K = len(years) - 1

    def met_of(vals):  # vals (chunk, draws, years)
        if t.relative is None:
            return t.met(vals)
        return np.stack([targets[i].met(vals[m]) for m, i in enumerate(rows_c)])

    def paths(draws):
        return g.paths(sl, K, j[draws], w[draws], dict(info, years=years))

    if t.comparator in ("between", "=="):
        first = _first_year(met_of(paths(np.arange(n))), years)
        return [np.quantile(first, q, axis=1) for q in YEAR_QS]
    need = sorted({min(int(np.floor(q * (n - 1))) + d, n - 1) for q in YEAR_QS for d in (0, 1)})
    draws = np.array([order[n - 1 - k] if up else order[k] for k in need])
    first = _first_year(met_of(paths(draws)), years)
    col = {k: c for c, k in enumerate(need)}
    return _lerp_quantiles(lambda k: first[:, col[k]].astype(float), YEAR_QS, n)


def _frame(t: Target, regions, rows, hists, targets, as_of) -> pd.DataFrame:
    """Rows in attainment.assess's shape: its header fields, the row's own, then the evaluation
    fields (evaluation.evaluate_series on the same observations; fallback rows carry their own)."""
    from .evaluation import evaluate_series
    cols = columns()
    known = set(cols)
    flags = "; ".join(t.readings())
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
                   flags="; ".join(tr.readings()) if tr.value is not None else flags, note="", exceeded=False,
                   n_obs=int(len(hy) if t.kind == "ratio" else len(sy)))
        if len(hy):
            rec["latest_year"], rec["latest_value"] = int(hy[-1]), float(hv[-1])
        rec.update({k: v for k, v in out.items() if k in known})
        if tr.value is not None:
            rec.update(evaluate_series(tr, hy, hv) if t.kind == "ratio" else evaluate_series(tr, sy, sv))
        else:
            rec.update(base_year=int(t.base_year), base_value=float("nan"), responsible_unit=t.responsible_unit)
        recs.append(rec)
    return pd.DataFrame(recs, columns=cols)


def iter_assess(plan: str | Plan, ds: Dataset, *, as_of=None, method="auto", seed=0,
                progress: bool = False, reference: int | None = None) -> Iterator[pd.DataFrame]:
    """Every target of a plan in every one of its regions, one DataFrame per target (stream these)."""
    p = get_plan(plan, ds)
    regions = regions_of(p, ds)
    if not regions:
        raise DataError(f"plan '{p.id}' names no region with data on its indicators",
                        fix="check the data file's region and indicator columns")
    inds = {t.indicator for t in p.targets} | {t.denominator for t in p.targets if t.denominator}
    store = _Store(ds, inds, as_of)
    from tqdm import tqdm
    bar = tqdm(total=len(p.targets) * len(regions), unit="region-target", disable=not progress)
    try:
        for t in p.targets:
            yield assess_target(t, regions, ds, as_of=as_of, method=method, seed=seed, store=store,
                                reference=reference)
            bar.update(len(regions))
    finally:
        bar.close()


def assess_regions(plan: str | Plan, ds: Dataset, *, as_of=None, method="auto", seed=0,
                   reference: int | None = None) -> pd.DataFrame:
    """One row per target per region (the whole table; `iter_assess` streams it)."""
    frames = list(iter_assess(plan, ds, as_of=as_of, method=method, seed=seed, reference=reference))
    if not frames:
        return pd.DataFrame(columns=columns())
    import warnings
    with warnings.catch_warnings():
        # pandas 2.1-2.x warn that all-NA columns (e.g. no nowcast in one target's rows) will stop
        # being ignored when concat picks dtypes; infer_objects gives the same dtypes either way
        warnings.filterwarnings("ignore", message=".*concatenation with empty or all-NA entries.*",
                                category=FutureWarning)
        return pd.concat(frames, ignore_index=True).infer_objects()


def write_rows(plan: str | Plan, ds: Dataset, out, *, as_of=None, method="auto", seed=0,
               progress: bool | None = None) -> int:
    """Stream every region-target row as CSV to `out`, one target at a time (no per-region notebooks).

    The plan and data are fully validated before the header is written; returns the row count.
    The progress bar shows only on a terminal (stderr).
    """
    import sys
    p = get_plan(plan, ds)
    show = sys.stderr.isatty() if progress is None else progress
    n = 0
    for k, chunk in enumerate(iter_assess(p, ds, as_of=as_of, method=method, seed=seed, progress=show)):
        chunk.to_csv(out, index=False, header=k == 0)
        n += len(chunk)
    return n
