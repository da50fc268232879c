"""The many-regions path's arrays: every observation cut into per-(region, indicator) slices
(`Store`), `models.forecast` for many series observed in the same years (`Group`: the same
point forecasts, calibrated quantiles scaled to each series' smoothness or the growth model
(alone or joined with the calibrated trend model, models.growth_combined), structure and notes, sampled with models.draws and
models.sample_grid), quantiles and first-passage years from order statistics, and the split-ratio
rule of `simulate.sample` in arrays.

Imports the leaves, the data and models layers, and terms/simulate/attainment of the engine.
"""
from __future__ import annotations

import warnings
import numpy as np
import pandas as pd

from .. import attainment as A
from .. import calibration as C
from .. import growth
from .. import models as M
from ..data import Dataset
from ..messages.notes import Note
from ..simulate import NEVER, N_SAMPLES, RATIO_SPLIT, first_year
from ..targets import Target
from ..terms import to_target_terms

QS = A.QUANTILES  # the scalar path's: median, lo80, hi80, lo95, hi95
YEAR_QS = A.YEAR_QUANTILES
LINEAR_ALPHA = LINEAR_BETA = 1  # np.quantile's plotting positions for method "linear"
CHUNK = 1024  # series sampled at once: CHUNK x N_SAMPLES floats (33 MB)


def draws(seed: int):
    """Uniforms and interpolation weights of Forecast.samples for this seed (the same for every series)."""
    return M.draws(C.PROBS, N_SAMPLES, seed)


class Store:
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


class Group:
    """models.forecast for series observed in the same years, in arrays: chosen method, notes,
    point forecasts P and quantile grids Q (series, years, probs) after models.structure_many.

    Every step (and every note) is the one `forecast` takes, so samples drawn from Q with
    `paths` are those of Forecast.samples (tests/test_regional.py compares them row by row).

    `growth_years`: the growth model's rows are computed for the first `growth_years` year columns
    only (`ready` columns hold for every row); `complete(rows)` computes the later years for the rows
    that need them, each column bit for bit what the full computation gives."""

    def __init__(self, t, Y, kind, method, until, monotone=None, bounds=None, constraints=(), indicator="",
                 growth_years: int | None = None):
        n = len(t)
        self.constraints = list(constraints)  # regional.CONSTRAINTS, applied after the structure
        sp = M.spacing_bucket(t.astype(float))
        chosen = M.choose_method(n, kind, sp) if method == "auto" else method
        if n == 1:
            chosen = "naive"
        if bounds is None and kind == "share":
            bounds = (0.0, 100.0)
        self.const = (np.ptp(Y, axis=1) == 0) if chosen != "naive" else np.zeros(len(Y), bool)
        self.method, self.n, self.kind = chosen, n, kind
        self.monotone, self.bounds = monotone, bounds
        last = int(t[-1])
        self.years = np.arange(last + 1, until + 1)
        h = (self.years - last).astype(float)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            P = M.points_in_years(chosen, t, Y, h)
        self.neg = (P < 0).any(axis=1) if kind in ("level", "share") else np.zeros(len(Y), bool)
        if self.neg.any():
            P = np.where(self.neg[:, None], np.maximum(P, 0), P)
        self.probs, errq = C.error_quantiles(chosen, n, sp, h)
        # each series' errors scaled to its own smoothness, as models.forecast does
        k = C.smoothness_factors(t, Y)
        Q = M.quantile_grid(P, Y, C.scale_errors(errq[None], k[:, None, None]), kind)  # (series, years, probs)
        self.ready = len(h)
        self.pending = np.zeros(len(Y), bool)  # growth rows whose years from `ready` on are not computed
        self.growth_notes = self._growth(t, Y, h, method, kind, indicator, P, Q, growth_years)
        self.P, self.Q, self.at_bound = M.structure_many(P, Q, Y[:, -1].astype(float), monotone, bounds)

    def _growth(self, t, Y, h, method, kind, indicator, P, Q, years=None) -> dict[int, str]:
        """The rows where models.forecast uses the growth model (models.growth_combined, the same
        function): their point forecasts and quantile grids replaced in place (the first `years`
        columns only, when given); returns row -> the model's note."""
        family = growth.family_of({"indicator": indicator}, self.monotone) if method == "auto" else None
        rows = M.growth_rows(t, Y, kind, family)
        if not len(rows):
            return {}
        if years is not None and years < len(h):
            self.ready, self.pending[rows] = years, True
            # what complete() needs to compute these rows' later years: the trend model's points
            self._later = dict(t=t, Y=Y, h=h, kind=kind, family=family, P=P.copy())
        P[rows], _, Q[rows], notes = M.growth_combined(t, Y[rows], h, kind, family, self.method,
                                                       M.spacing_bucket(t.astype(float)), P[rows],
                                                       self.monotone, self.bounds, years)
        return dict(zip(rows.tolist(), notes))

    def complete(self, rows) -> None:
        """Every year of these rows (indices into the group): growth rows computed for the first
        years only are computed again in full, with the structure every row gets."""
        rows = np.asarray(rows, int)
        rows = rows[self.pending[rows]]
        if not len(rows):
            return
        x = self._later
        P, _, Q, _ = M.growth_combined(x["t"], x["Y"][rows], x["h"], x["kind"], x["family"], self.method,
                                       M.spacing_bucket(x["t"].astype(float)), x["P"][rows], self.monotone,
                                       self.bounds)
        self.P[rows], self.Q[rows], _ = M.structure_many(P, Q, x["Y"][rows, -1].astype(float), self.monotone,
                                                         self.bounds)
        self.pending[rows] = False

    def row_method(self, i: int) -> str:
        """The method series i was forecast with (models.forecast's Forecast.method)."""
        return "growth" if i in self.growth_notes else self.method

    def row_notes(self, i: int, last: float) -> list[str]:
        """models.forecast's notes for series i, in its order."""
        k = min(5, len(self.years))
        med = float(np.interp(0.5, self.probs, self.Q[i, k - 1]))
        g = self.growth_notes.get(i)
        return M.model_notes(self.n, self.row_method(i), self.kind, self.bounds, self.monotone,
                             constant=bool(self.const[i]) and g is None, negative=bool(self.neg[i]) and g is None,
                             at_bound=bool(self.at_bound[i]), one_point=(med, last, k), growth_line=g)

    def paths(self, rows, k, j, w, info=None) -> np.ndarray:
        """Forecast.samples for the given rows over years 0..k: (rows, draws, years)."""
        V = M.structure_paths(np.moveaxis(M.sample_grid(self.Q[rows, :k + 1, :], j, w), 1, 2), self.monotone, self.bounds,
                              axis=2)
        for f in self.constraints:
            V = f(V, info)
        return V

    def at(self, rows, k, j, w, info=None) -> np.ndarray:
        """The samples in year column k (rows, draws); the whole path only where a running rule needs it."""
        if self.constraints:
            return self.paths(rows, k, j, w, info)[:, :, -1]
        if self.monotone == "nondecreasing":  # the running maximum's last value: the maximum over the years
            Q = self.Q[rows, :k + 1, :]
            X = M.sample_grid(Q[:, k, :], j, w)
            slow = ~last_year_highest(Q)  # where an earlier year's sample could be higher by rounding
            if slow.any():
                X[slow] = M.sample_grid(Q[slow], j, w).max(axis=1)
        elif self.monotone:
            X = M.sample_grid(self.Q[rows, :k + 1, :], j, w).min(axis=1)
        else:
            X = M.sample_grid(self.Q[rows, k, :], j, w)
        return np.clip(X, *self.bounds) if self.bounds is not None else X


# How far below the last year's quantile an earlier year's must lie, relative to the last year's
# highest quantile, for every sample interpolated from it to lie below too (last_year_highest).
MARGIN = 1e-12


def last_year_highest(Q: np.ndarray) -> np.ndarray:
    """Rows of Q (rows, years, probs) where no draw's sample (models.sample_grid: a + (b - a) w,
    0 <= w <= 1, three roundings) in an earlier year can exceed its sample in the last year, so the
    maximum over the years is the last year's sample to the last bit without computing the others.

    Per earlier year and grid interval (a, b): both quantiles equal to the last year's (the same
    sample), or a equal and b below (every step of the formula rounds monotonically), or both
    below by MARGIN times the last year's top quantile (each sample is within 3.001 * 2**-53 of
    that top quantile of its exact value, so a gap of 1e-12 of it cannot be closed by rounding).
    All quantiles must be >= 0 (no negative zero); anything else, NaN included, is left out."""
    last = Q[:, -1:, :]
    eq = Q[:, :-1, :] == last
    below = (last - Q[:, :-1, :]) >= MARGIN * Q[:, -1:, -1:]
    return ((~np.signbit(Q)).all(axis=(1, 2)) & (eq | below).all(axis=(1, 2))
            & ~(eq[..., 1:] & ~eq[..., :-1]).any(axis=(1, 2)))


def lerp_quantiles(sorted_at, qs, n):
    """np.quantile's linear rule from the order statistics it needs: sorted_at(k) -> values of the k-th smallest."""
    out = []
    for q in qs:
        # numpy's virtual index for method "linear" (alpha = beta = 1), written term for term as
        # numpy writes it so the result equals np.quantile's to the last bit (q * (n - 1) may not)
        vi = n * q + (LINEAR_ALPHA + q * (1 - LINEAR_ALPHA - LINEAR_BETA)) - 1
        lo = int(np.floor(vi))
        g = vi - lo
        a = sorted_at(lo)
        b = sorted_at(min(lo + 1, n - 1))
        out.append(np.where(g >= 0.5, b - (b - a) * (1 - g), a + (b - a) * g))
    return out


def quantiles(x, order):
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
    q = np.array(lerp_quantiles(lambda k: xs[:, col[k]], QS, n))
    q[:, np.isnan(x).any(axis=1)] = np.nan
    return q


def split_ratio(t, ds, members, ny, dy, targets, hists, rows, method, seed, until, ref, constraints=()):
    """Ratio targets whose ratio is its own series in too few years: numerator (seed) and denominator
    (seed + 1) forecast separately and divided path by path, as simulate.sample does, for all regions with the same observed years of both."""
    T, lag = t.target_year, t.denominator_lag
    nmeta, dmeta = ds.indicators[t.indicator], ds.indicators[t.denominator]
    N_obs = np.vstack([m[1] for m in members])
    D_obs = np.vstack([m[2] for m in members])
    gN = Group(ny, N_obs, nmeta.kind, method, until, nmeta.monotone, nmeta.bounds, constraints, t.indicator)
    gD = Group(dy, D_obs, dmeta.kind, method, until, dmeta.monotone, dmeta.bounds, constraints, t.denominator) \
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
            rows[i] = dict(verdict="no_data", note=Note("ratio_unforecastable", indicator=t.indicator,
                                                                    denominator=t.denominator))
        return
    kT = int(np.searchsorted(years, T))
    _, j, w = draws(seed)
    _, j2, w2 = draws(seed + 1)
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
        R = to_target_terms(t, N, D, ds)
        if t.bounds is not None:
            R = np.clip(R, *t.bounds)
        pts = to_target_terms(t, gN.P[sl][:, cols], Dp, ds)
        for m, (i, *_) in enumerate(members[sl]):
            tr, xm = targets[i], R[m, :, kT]
            hy, hv = hists[i][0], hists[i][1]
            fields, more = A.forecast_fields(tr, np.mean(tr.met(xm)), np.quantile(xm, QS), np.mean(xm), pts[m, kT],
                                             len(hy), ref)
            out = dict(method=gN.row_method(c0 + m), **fields)
            out.update(A.expected_fields(np.quantile(first_year(tr.met(R[m]), years), YEAR_QS)))
            out.update(A.growth_fields(tr, hy, hv, t.base_year, out["point"]))
            out["note"] = A.notes_text(gN.row_notes(c0 + m, float(N_obs[c0 + m, -1])) + [RATIO_SPLIT] + more)
            rows[i] = out


def expected_years(t, targets, rows_c, g, sl, j, w, order, info):
    """Quantiles over the draws of the first year each path meets the target (attainment.assess's
    expected_year), from the few draws that are those quantiles' order statistics.

    A draw's path is monotone in its uniform, so for >=/> targets the first-passage year falls as
    the uniform rises (for <=/< it rises): the k-th smallest first year is that of a known draw.
    Targets with two bounds (between, ==) are computed on every draw. The paths are read over the
    years every row has (g.ready) first; rows where a draw has not met the target by then are
    completed (g.complete) and read over every year. Returns unformatted values (simulate.NEVER:
    not reached), as np.quantile gives them to attainment.expected_fields.
    """
    n = N_SAMPLES
    up = t.comparator in (">=", ">")
    rows = np.arange(len(g.P))[sl]
    if t.comparator in ("between", "=="):
        draws = np.arange(n)
    else:
        need = sorted({min(int(np.floor(q * (n - 1))) + d, n - 1) for q in YEAR_QS for d in (0, 1)})
        draws = np.array([order[n - 1 - k] if up else order[k] for k in need])

    def first(m, K):  # first years of the draws over years 0..K, for rows[m]
        years = g.years[:K + 1]
        vals = g.paths(rows[m], K, j[draws], w[draws], dict(info, years=years))
        if t.relative is None:
            met = t.met(vals)
        else:
            met = np.stack([targets[rows_c[i]].met(vals[c]) for c, i in enumerate(m)])
        return first_year(met, years)

    f = first(np.arange(len(rows)), g.ready - 1)
    if g.ready < len(g.years):  # a first year past the years read: those rows in full
        late = np.flatnonzero((f == NEVER).any(axis=1))
        if len(late):
            g.complete(rows[late])
            f[late] = first(late, len(g.years) - 1)
    if t.comparator in ("between", "=="):
        return [np.quantile(f, q, axis=1) for q in YEAR_QS]
    col = {k: c for c, k in enumerate(need)}
    return lerp_quantiles(lambda k: f[:, col[k]].astype(float), YEAR_QS, n)
