"""One plan, every region: assess the same targets in hundreds or thousands of regions at once.

`attainment.assess` handles one (target, region) at a time and costs about a millisecond of
pandas work per series. Here the series of all regions are cut from one sorted array, grouped
by their observed-year pattern (so length, spacing, last year and hence the `auto` method are
shared), fitted with `models.point_forecasts_many`, given calibrated quantiles in arrays and
sampled with the same inverse-CDF scheme and seed as `Forecast.samples`. The rows are the
same as the one-at-a-time path's (tests/test_regional.py compares them on a sample).

Covered by the vectorised path: level, growth and change targets on yearly (stock) series,
ratio targets (as the ratio's own series when it has two or more common positive years, else
numerator and denominator forecast separately), relative targets (`relative: {pct: 20}`), any
comparator, method `auto` or a fixed closed-form method. Everything else (targets already
observed in their year, no data, five-year totals, log-linear or logistic asked for
explicitly) goes through `attainment.assess`, row by row, so every row exists and means the
same. A target year between observations (later years observed) gets no_data with a note
(attainment.assess raises a KeyError there).

Structural constraints on sample paths (issue 9: administered standards never cut, shares in
0-100 %) plug in as functions on a (n_series, n_samples, n_years) array: append them to
CONSTRAINTS. The verdict comes from `attainment.verdict_from_probability`.
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
QS = [0.5, 0.1, 0.9, 0.025, 0.975]
YEAR_QS = [0.5, 0.1, 0.9]
CHUNK = 1024  # series sampled at once: CHUNK x N_SAMPLES floats (33 MB)
# functions f(paths, info) -> paths on a (n_series, n_samples, n_years) array of sample paths
# for the years after the last observation (info: dict with kind, indicator, years, last = the
# last observed year, last_value = each series' last observed value). Each must keep every
# path's order in the draws (a draw that is higher in one region-year stays higher), as
# clipping and running maxima from the last value do. A ratio forecast from its two parts
# gets them on each part.
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
    """Q (..., n_probs) quantile grids -> (..., n_draws) samples, the formula of Forecast.samples."""
    return Q[..., j] * (1 - w) + Q[..., j + 1] * w


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
    """Forecasts of series observed in the same years: chosen method, notes, quantile grids by year."""

    def __init__(self, t, Y, kind, method, until):
        n = len(t)
        sp = M.spacing_bucket(t.astype(float))
        chosen = M.choose_method(n, kind, sp) if method == "auto" else method
        notes = []
        if n == 1 and chosen != "naive":
            notes.append("only one observation: no trend can be estimated, the level is held flat (naive)")
            chosen = "naive"
        elif n == 1:
            notes.append("only one observation: no trend can be estimated, the level is held flat")
        if n == 2 and chosen != "naive":
            notes.append("only two observations: the trend rests on two points, intervals are wide")
        self.share_note = kind == "share" and chosen not in ("logistic", "naive")
        self.method, self.notes, self.n, self.kind = chosen, notes, n, kind
        last = int(t[-1])
        self.years = np.arange(last + 1, until + 1)
        h = (self.years - last).astype(float)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            P = _points(chosen, t, Y, h)
        self.const = (np.ptp(Y, axis=1) == 0) if chosen != "naive" else np.zeros(len(Y), bool)
        self.neg = (P < 0).any(axis=1) if kind in ("level", "share") else np.zeros(len(Y), bool)
        if self.neg.any():
            P = np.where(self.neg[:, None], np.maximum(P, 0), P)
        _, errq = C.error_quantiles(chosen, n, sp, h)
        pos = (Y > 0).all(axis=1)
        Q = np.empty(P.shape + (errq.shape[1],))
        Q[pos] = P[pos][:, :, None] * np.exp(errq)[None]
        if (~pos).any():
            scale = np.maximum(np.abs(Y[~pos]).mean(axis=1), 1e-9)
            Q[~pos] = P[~pos][:, :, None] + scale[:, None, None] * (np.exp(errq) - 1)[None]
        if kind == "share":
            Q, P = np.clip(Q, 0, 100), np.clip(P, 0, 100)
        self.Q = np.maximum.accumulate(Q, axis=2)
        self.P, self.Y = P, Y

    def row_notes(self, i: int) -> list[str]:
        out = list(self.notes)
        if self.const[i]:
            out.append("the series is constant: forecast held at that value")
        if self.share_note:
            out.append("share indicator: forecasts and intervals clipped to 0-100%")
        if self.neg[i]:
            out.append("the trend crosses zero: negative forecasts set to 0")
        return out


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

    Every row's samples rise with the draw's uniform (one quantile grid, interpolated), so the
    k-th smallest sample is that of the k-th smallest uniform: no sort or partition of 4,000
    values per series. A row with a NaN gives NaN, as np.quantile does.
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


def _constrained(Q, k, j, w, info):
    """Samples at column k after the CONSTRAINTS, from paths over years 0..k."""
    paths = np.moveaxis(_sample(Q[:, :k + 1, :], j, w), 1, 2)  # (series, draws, years)
    for f in CONSTRAINTS:
        paths = f(paths, info)
    return paths


def _growth_fields(kind, hy, hv, T, goal, met, base_year, projected) -> dict:
    """attainment._add_growth for one row, on arrays and floats (no pandas: it runs once per region)."""
    out = {}
    if kind not in ("level", "ratio") or not len(hy):
        return out
    ly, lv = int(hy[-1]), float(hv[-1])
    if T > ly:
        out["required_cagr"] = A.cagr(lv, goal, T - ly)
        out["required_increment"] = (goal - lv) / (T - ly)
    if len(hy) >= 2:
        fy, fv = int(hy[0]), float(hv[0])
        out["historical_cagr"] = A.cagr(fv, lv, ly - fy)
        bv = _value_in(hy, hv, base_year)
        b_year, bv = (base_year, bv) if bv is not None else (fy, fv)
        req = A.cagr(bv, goal, T - b_year)
        met_last = bool(met(lv))
        if met_last and T > ly:
            out["eurostat_class"] = "target_met"
        else:
            obs = A.cagr(bv, lv, ly - b_year) if ly > b_year else out["historical_cagr"]
            out["eurostat_class"] = A.eurostat_class(obs, req)
        if projected is not None:
            out["unsd_class"] = "target_met" if met_last else A.unsd_class(bv, projected, goal)
    return out


def _progress(base_year, base_value, latest_year, latest_value, T, goal, met) -> dict:
    """完成进度 (share of the way from the base value to the target) vs 时序进度 (share of the plan elapsed).

    Within 5 points of each other is on schedule; a latest value that already meets the target is ahead.
    """
    out = {"base_year": base_year, "base_value": base_value}
    if base_value is None or latest_value is None or goal is None or T <= base_year or goal == base_value:
        return out
    cp = (latest_value - base_value) / (goal - base_value)
    tp = min(max((latest_year - base_year) / (T - base_year), 0.0), 1.0)
    status = "ahead" if cp > tp + 0.05 else ("behind" if cp < tp - 0.05 else "on_schedule")
    if bool(met(latest_value)):
        status = "ahead" if latest_year < T else "on_schedule"
    out.update(completion_progress=cp, time_progress=tp, progress_status=status)
    return out


def _value_in(y, v, year):
    k = int(y.searchsorted(year))
    return float(v[k]) if k < len(y) and y[k] == year else None


def assess_target(t: Target, regions: list[str], ds: Dataset, *, as_of=None, method="auto", seed=0,
                  store: _Store | None = None) -> pd.DataFrame:
    """One target in many regions: one row per region, columns `columns()`, in the order of `regions`."""
    store = store or _Store(ds, {t.indicator} | ({t.denominator} if t.denominator else set()), as_of)
    T, base_year = t.target_year, t.base_year
    meta = ds.indicators[t.indicator]
    until = max(T, A.HORIZON_CAP)
    rows: list[dict | None] = [None] * len(regions)
    fallback, jobs, split = [], {}, {}  # jobs: year pattern -> [(row index, values)]; split: ratio by parts
    hists, targets = [], []
    for i, r in enumerate(regions):
        sy, sv = store.get(r, t.indicator)
        if t.kind == "ratio":
            hy, hv = _ratio_hist(t, ds, sy, sv, *store.get(r, t.denominator))
        else:
            hy, hv = sy, sv
        hists.append((hy, hv, sy, sv))
        base = _value_in(hy if t.kind in ("level", "ratio") else sy, hv if t.kind in ("level", "ratio") else sv,
                         base_year)
        tr = t.for_region(r, base) if t.relative is not None else t
        targets.append(tr)
        if tr.value is None:  # relative target with no base-year value: nothing to compare with
            rows[i] = dict(verdict="no_data", n_obs=int(len(sy)),
                           note=f"no observed value of {t.indicator} in {r} in the base year {base_year}: "
                                "a relative target needs it")
            continue
        judged_y = hy if t.kind in ("level", "ratio") else sy
        if len(judged_y) and T < judged_y[-1] and T not in judged_y and meta.aggregation == "stock":
            rows[i] = dict(verdict="no_data", n_obs=int(len(sy)),
                           note=f"no observation in the target year {T}, though later years are observed: "
                                f"add the {T} value")
            continue
        ok = len(sy) > 0 and meta.aggregation == "stock" and (not len(hy) or T > hy[-1]) \
            and T > sy[-1] and method in ("auto",) + tuple(m for m in M.METHODS if m not in ("loglinear", "logistic"))
        if ok and t.kind == "ratio" and not (len(hy) >= 2 and bool((hv > 0).all())):
            dy, dv = store.get(r, t.denominator)
            if len(dy):  # numerator and denominator forecast separately, as attainment._ratio_sim does
                split.setdefault((sy.tobytes(), dy.tobytes()), []).append((i, sv, dv))
                continue
            ok = False
        if not ok:
            fallback.append(i)
            continue
        fy, fv = (hy, hv) if t.kind == "ratio" else (sy, sv)
        jobs.setdefault(fy.tobytes(), []).append((i, fv))
    if fallback:  # the one-at-a-time path on just these regions' series: rare cases, same meaning
        o = ds.observations
        keep = o.region.isin([regions[i] for i in fallback]) & o.indicator.isin([t.indicator, t.denominator])
        sub = Dataset(o[keep.to_numpy()], ds.indicators, ds.regions, ds.sources)
    for i in fallback:
        tr = targets[i] if t.relative is not None else t.for_region(regions[i])
        out = A.assess(tr, sub, as_of=as_of, method=method, seed=seed).to_dict()
        out.pop("region", None)
        rows[i] = out
    u, j, w = _draws(seed)
    order = np.argsort(u, kind="stable")
    fkind = "level" if t.kind == "ratio" else meta.kind
    for key, members in jobs.items():
        yrs = np.frombuffer(key, dtype=np.int64)
        Y = np.vstack([v for _, v in members])
        g = _Group(yrs, Y, fkind, method, until)
        k = int(np.searchsorted(g.years, T))  # column of the target year
        idx = [i for i, _ in members]
        for c0 in range(0, len(idx), CHUNK):
            sl = slice(c0, c0 + CHUNK)
            rows_c, Qc = idx[sl], g.Q[sl]
            info = dict(kind=fkind, indicator=t.indicator, years=g.years[:k + 1], last=int(yrs[-1]),
                        last_value=Y[sl, -1])
            if CONSTRAINTS:
                X = _constrained(Qc, k, j, w, info)[:, :, -1]
            else:
                X = _sample(Qc[:, k, :], j, w)  # (chunk, draws): the target year's samples
            if t.kind in ("growth", "change"):
                b = np.array([_value_in(hists[i][2], hists[i][3], base_year) for i in rows_c], float)[:, None]
                with np.errstate(all="ignore"):
                    if t.kind == "growth":
                        x = ((X / b) ** (1 / (T - base_year)) - 1) * 100 if T - base_year > 0 else np.nan * X
                        x = np.where((X > 0) & (b > 0), x, np.nan)
                    else:
                        x = X - b
            else:
                x = X
            if t.relative is None:
                met = t.met(x)
            else:
                met = np.vstack([targets[i].met(x[m]) for m, i in enumerate(rows_c)])
            p = met.mean(axis=1)
            q = _quantiles(x, order)
            direct = t.kind in ("level", "ratio")
            xmean = x.mean(axis=1)
            point = g.P[sl, k] if direct else xmean
            if direct:
                ey = _expected_years(t, targets, rows_c, Qc, g.years, j, w, order, info)
            for m, i in enumerate(rows_c):
                if t.kind in ("growth", "change") and np.isnan(b[m, 0]):  # as attainment.assess says it
                    rows[i] = dict(method=g.method, n_obs=g.n, verdict="no_data",
                                   note=f"no observed value in the base year {base_year}")
                    continue
                out = dict(method=g.method, n_obs=g.n, probability=float(p[m]),
                           verdict=A.verdict_from_probability(float(p[m])),
                           median=q[0, m], lo80=q[1, m], hi80=q[2, m], lo95=q[3, m], hi95=q[4, m])
                out["forecast_mean"] = float(point[m])
                out["point"] = float(g.P[sl][m, k]) if direct else float(point[m])
                out["mean"] = float(xmean[m])
                notes = g.row_notes(c0 + m)
                if t.kind == "ratio":
                    notes.append(f"the ratio forecast from its {g.n} observed years "
                                 "(numerator and denominator move together)")
                out["note"] = "; ".join(notes)
                if direct:
                    out.update(expected_year=ey[0][m], expected_year_lo80=ey[1][m], expected_year_hi80=ey[2][m])
                rows[i] = out
    for (nk, dk), members in split.items():
        _split_ratio(t, ds, members, np.frombuffer(nk, dtype=np.int64), np.frombuffer(dk, dtype=np.int64),
                     targets, rows, method, seed, until)
    return _frame(t, regions, rows, hists, targets, as_of)


SPLIT_NOTE = "numerator and denominator forecast separately (independent errors: a cautious spread)"


def _split_ratio(t, ds, members, ny, dy, targets, rows, method, seed, until):
    """Ratio targets whose ratio is known in fewer than two years: forecast numerator (seed) and
    denominator (seed + 1) separately and divide, path by path, as attainment._ratio_sim does."""
    T, lag = t.target_year, t.denominator_lag
    nmeta, dmeta = ds.indicators[t.indicator], ds.indicators[t.denominator]
    gN = _Group(ny, np.vstack([m[1] for m in members]), nmeta.kind, method, until)
    gD = _Group(dy, np.vstack([m[2] for m in members]), dmeta.kind, method, until) \
        if dmeta.aggregation == "stock" and until > dy[-1] else None
    cols, src = [], []  # forecast years of the numerator with a denominator value or forecast
    for c, y in enumerate(gN.years):
        k = np.flatnonzero(dy == y - lag)
        if len(k):
            cols.append(c); src.append(("obs", int(k[0])))
        elif gD is not None and y - lag in gD.years:
            cols.append(c); src.append(("fc", int(np.searchsorted(gD.years, y - lag))))
    years = gN.years[cols]
    if T not in years:
        for i, *_ in members:
            rows[i] = dict(verdict="no_data", note=f"cannot forecast the ratio of {t.indicator} to {t.denominator}")
        return
    kT = int(np.searchsorted(years, T))
    _, j, w = _draws(seed)
    _, j2, w2 = _draws(seed + 1)
    Dobs = np.vstack([m[2] for m in members])
    step = max(1, CHUNK // max(len(cols), 1))
    for c0 in range(0, len(members), step):
        sl = slice(c0, c0 + step)
        N = np.moveaxis(_sample(gN.Q[sl], j, w), 1, 2)  # (chunk, draws, years)
        for f in CONSTRAINTS:
            N = f(N, dict(kind=nmeta.kind, indicator=t.indicator, years=gN.years, last=int(ny[-1]),
                          last_value=gN.Y[sl, -1]))
        N = N[:, :, cols]
        if gD is not None:
            Df = np.moveaxis(_sample(gD.Q[sl], j2, w2), 1, 2)
            for f in CONSTRAINTS:
                Df = f(Df, dict(kind=dmeta.kind, indicator=t.denominator, years=gD.years, last=int(dy[-1]),
                                last_value=Dobs[sl, -1]))
        D = np.empty_like(N)
        for c, (kind, k) in enumerate(src):
            D[:, :, c] = Dobs[sl, k][:, None] if kind == "obs" else Df[:, :, k]
        R = A._to_target_terms(t, N, D, ds)
        x = R[:, :, kT]
        for m, (i, *_) in enumerate(members[sl]):
            tr = targets[i]
            xm = x[m]
            p = float(np.mean(tr.met(xm)))
            q = np.quantile(xm, QS)
            first = _first_year(tr.met(R[m]), years)
            qs = np.quantile(first, YEAR_QS)
            mean = float(np.mean(xm))
            rows[i] = dict(method=gN.method, n_obs=gN.n, probability=p, verdict=A.verdict_from_probability(p),
                           median=q[0], lo80=q[1], hi80=q[2], lo95=q[3], hi95=q[4], forecast_mean=mean, point=mean,
                           mean=mean, note="; ".join(gN.row_notes(c0 + m) + [SPLIT_NOTE]),
                           expected_year=float(qs[0]) if qs[0] < 10 ** 6 else float("nan"),
                           expected_year_lo80=float(qs[1]) if qs[1] < 10 ** 6 else float("nan"),
                           expected_year_hi80=float(qs[2]) if qs[2] < 10 ** 6 else float("nan"))


def _expected_years(t, targets, rows_c, Qc, years, j, w, order, info):
    """Quantiles over the draws of the first year each path meets the target (attainment.assess's
    expected_year), from the few draws that are those quantiles' order statistics.

    A draw's path is monotone in its uniform, so for >=/> targets the first-passage year falls as
    the uniform rises (for <=/< it rises): the k-th smallest first year is that of a known draw.
    Targets with two bounds (between, ==) are computed on every draw.
    """
    n = A.N_SAMPLES
    up = t.comparator in (">=", ">")

    def met_of(vals):  # vals (chunk, draws, years)
        if t.relative is None:
            return t.met(vals)
        return np.stack([targets[i].met(vals[m]) for m, i in enumerate(rows_c)])

    def paths(draws):
        V = np.moveaxis(_sample(Qc, j[draws], w[draws]), 1, 2)  # (chunk, draws, years)
        for f in CONSTRAINTS:
            V = f(V, dict(info, years=years))
        return V

    if t.comparator in ("between", "=="):
        first = _first_year(met_of(paths(np.arange(n))), years)
        res = [np.quantile(first, q, axis=1) for q in YEAR_QS]
    else:
        need = sorted({min(int(np.floor(q * (n - 1))) + d, n - 1) for q in YEAR_QS for d in (0, 1)})
        draws = np.array([order[n - 1 - k] if up else order[k] for k in need])
        first = _first_year(met_of(paths(draws)), years)
        col = {k: c for c, k in enumerate(need)}
        res = _lerp_quantiles(lambda k: first[:, col[k]].astype(float), YEAR_QS, n)
    return [np.where(r < 10 ** 6, r, np.nan).astype(float) for r in res]


def _frame(t: Target, regions, rows, hists, targets, as_of) -> pd.DataFrame:
    cols = columns()
    known = set(cols)
    recs = []
    for r, out, (hy, hv, sy, sv), tr in zip(regions, rows, hists, targets):
        rec = dict.fromkeys(cols)
        rec.update(plan=t.plan, target_id=t.id, region=r, indicator=t.indicator, kind=t.kind,
                   target_year=t.target_year, comparator=t.comparator, target_value=tr.value,
                   target_value_high=t.value_high, unit=t.unit, binding=t.binding, as_of=as_of, note="",
                   n_obs=int(len(sy)))
        if len(hy):
            rec["latest_year"], rec["latest_value"] = int(hy[-1]), float(hv[-1])
        fallback = "plan" in out
        rec.update({k: v for k, v in out.items() if k in known})
        if not fallback and tr.value is not None and out.get("verdict") != "no_data":
            rec.update(_growth_fields(t.kind, hy, hv, t.target_year, tr.value, tr.met, t.base_year,
                                      out.get("forecast_mean")))
        if t.kind in ("level", "ratio"):
            ev = _progress(t.base_year, _value_in(hy, hv, t.base_year), rec["latest_year"], rec["latest_value"],
                           t.target_year, tr.value, tr.met)
        else:
            ev = dict(base_year=t.base_year, base_value=_value_in(sy, sv, t.base_year))
        rec.update({k: v for k, v in ev.items() if rec.get(k) is None})  # the one-at-a-time path's own first
        recs.append(rec)
    return pd.DataFrame(recs, columns=cols)


def iter_assess(plan: str | Plan, ds: Dataset, *, as_of=None, method="auto", seed=0,
                progress: bool = False) -> Iterator[pd.DataFrame]:
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
            yield assess_target(t, regions, ds, as_of=as_of, method=method, seed=seed, store=store)
            bar.update(len(regions))
    finally:
        bar.close()


def assess_regions(plan: str | Plan, ds: Dataset, *, as_of=None, method="auto", seed=0) -> pd.DataFrame:
    """One row per target per region (the whole table; `iter_assess` streams it)."""
    frames = list(iter_assess(plan, ds, as_of=as_of, method=method, seed=seed))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns())


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
