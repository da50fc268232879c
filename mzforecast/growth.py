"""Log-growth model for administered standards and other smooth yearly series.

A policy-set standard (低保, 特困, orphan allowances) is raised a little every year; its future is
its growth, not its level. Each future year's log growth is drawn around a location that comes
from the series' own growth history:

  location   the recency-weighted mean of the observed yearly log growth (shrunk toward the
             family's long-run growth by PRIOR_YEARS pseudo-years only, so a few years of history
             already speak for themselves), fading over FADE (else REVERT) years toward the long run:
             for standards a stated prior, nominal income growth LONG_RUN["standard"] a year;
             for the other families the pooled mean growth of data/reference;
  spread     year-to-year: the spread of the series' own yearly log growth, shrunk toward the
             family's fitted spread s0 by one pseudo-interval; drift of the growth rate itself (an
             AR(1) fading on REVERT years): the series' own squared growth changes, shrunk toward
             the family's fitted drift q0 by one pseudo-pair; persistent: how well the location is
             known (s / sqrt(years)) plus how far recent growth has moved from the whole history's
             (slowing growth widens the fan rather than being extrapolated as certain), and the
             uncertainty of the long-run growth.

For a never-cut standard (`monotone: nondecreasing`) yearly growth is drawn positive (lognormal
with the same mean and spread), with a point mass at "held" only in the share of years the
history itself shows holds, the other years rising faster to keep the history's mean. A standard's
forecast is this model alone; the other families average it with the calibrated trend model
(COMBINATION, models/combine.py). Paths use a fixed seed; the forecast keeps their quantiles on
calibration.PROBS, so every path that reads a Forecast (one target, plans, regions, propose,
draft, notebooks) uses the same numbers. Imports calibration (PROBS) and messages (its note words).
"""
from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .calibration import PROBS
from .growth_paths import cumulative_growth, draws, level
from .messages.notes import Note, Notes

# family -> (mean yearly log growth, year-to-year spread s0, yearly drift q0 of the growth rate itself, spread tb of
# mean growth between the family's series): the fit of `bench/domain_calibration.py --fit` on data/reference (tests/
# test_growth.py checks they match; "ratio": rural ÷ urban 低保, models/ratio.py). s0 and q0: one least-squares fit per
# family of E[(g2 - g1)**2] = s0**2 (1/a + 1/b) + q0**2 (a + b) / 3 over adjacent intervals (a, b years long).
FAMILY_PRIORS = {
    "standard": (0.114, 0.022, 0.023, 0.059),
    "organisations": (0.078, 0.007, 0.029, 0.038),
    "beds": (0.123, 0.045, 0.045, 0.026),
    "recipients": (-0.052, 0.081, 0.0, 0.042),
    "lottery": (0.098, 0.071, 0.136, 0.018),
    "ratio": (0.054, 0.0, 0.023, 0.033),
}
# long-run yearly log growth the location fades toward. For standards a stated prior, not a fit:
# standards follow nominal per-capita income and consumption, which grew about 5-7 % a year over
# 2015-2024; 6 %. Other families fade toward their fitted mean growth.
LONG_RUN = {"standard": 0.06}
# How each family's forecast joins the growth model with the calibrated trend model (models/combine.py):
# "average" takes the mean of the two models' quantiles (the models agree closely on smooth counts),
# "pool" the 50/50 mixture of their distributions (for counts that policy moves, such as 低保 recipients,
# the two models' disagreement is itself uncertainty, which an average of quantiles would hide).
# Standards are not joined: their future is policy and income, and the trend model's M1/M3/Tourism
# errors (business series that can double in five years) put an upper tail on a standard's fan that no
# standard in data/reference shows; there the growth model alone covers at the nominal rates where
# the average over-covers (bench/domain_calibration.py).
COMBINATION = {"organisations": "average", "beds": "average", "recipients": "pool"}
# Families production forecasts with the growth model. The lottery family's prior is fitted for the bench only: its
# drift (q0 above) makes the growth model's fan explode beyond a few years, so lottery sales keep the trend model.
DEFAULT_FAMILY = "standard"
FORECAST_FAMILIES = {DEFAULT_FAMILY, *COMBINATION}
HALF_LIFE = 6.0     # years: weight of a year's growth halves every HALF_LIFE years back
REVERT = 10.0       # years: the growth rate's drift fades, and today's growth meets the long run (standards'
# FADE instead, a stated prior: 低保 rises are set yearly from last year's income (the seeds tie 提标幅度 to
# 上年度人均可支配收入) and plans reset targets every 5 years; bench/domain_calibration.py --diagnose: the response)
FADE = {"standard": 5.0}
N_DRAWS = 4000
SEED = 20190

# indicator ids (data/indicators.yaml) whose series belong to a family other than the standards
INDICATOR_FAMILY = {
    "social_organisations": "organisations",
    "elderly_care_beds": "beds",
    "elderly_care_beds_per_1000_elderly": "beds",
    "mental_health_welfare_beds": "beds",
    "child_welfare_beds": "beds",
    "dibao_recipients": "recipients",
    "tekun_recipients": "recipients",
}

def family_of(attrs: dict, monotone) -> str | None:
    """The growth family of a series from its attrs, or None when the growth model does not apply."""
    fam = attrs.get("family") or INDICATOR_FAMILY.get(attrs.get("indicator", ""))
    if fam is None and monotone == "nondecreasing":
        fam = DEFAULT_FAMILY
    return fam if fam in FORECAST_FAMILIES else None


def applies(t: np.ndarray, y: np.ndarray, kind: str, family: str | None) -> bool:
    """The growth model needs a positive level series with at least two observations; a standard
    (a family not averaged with the trend model) one: its growth is then the family's prior."""
    least = 2 if with_trend(family) else 1
    return family is not None and kind == "level" and len(y) >= least and bool(np.all(y > 0))


def prior_stats(family: str) -> dict:
    """The stats of a series with no growth history of its own (one observation): the family's
    long-run growth, spreads and the spread of mean growth between its series."""
    _, s0, q0, tb = FAMILY_PRIORS[family]
    return dict(mu=long_run(family), mu_lr=long_run(family), q=float(q0), s=float(s0), tau=float(tb),
                smoothness=float(s0), hold_share=0.0, n_intervals=0, fade=FADE.get(family, REVERT))


def with_trend(family: str) -> bool:
    """Whether the family's forecast joins the growth model with the calibrated trend model."""
    return family in COMBINATION


def combination(family: str) -> str | None:
    """"average", "pool" or None (the growth model alone): COMBINATION."""
    return COMBINATION.get(family)


def long_run(family: str) -> float:
    """The long-run yearly log growth of a family: the stated prior or the fitted mean."""
    return LONG_RUN.get(family, FAMILY_PRIORS[family][0])


# A fall of a never-cut standard larger than this share of its level is a break in the series; a smaller
# one is rounding or a regional average's weights moving, and the history is kept.
BREAK_FALL = 0.01


def break_starts(Y: np.ndarray) -> np.ndarray:
    """Per row of Y (series, obs), the index of the first observation after the last fall of more than
    BREAK_FALL (0 when there is none). A never-cut standard that falls has a break in its series
    (another 口径 or source joined to it): its growth is read from the years after the break, and from
    the family prior when the fall is in the last year."""
    Y = np.atleast_2d(np.asarray(Y, float))
    falls = Y[:, 1:] < Y[:, :-1] * (1 - BREAK_FALL)
    if not falls.any():
        return np.zeros(len(Y), int)
    n = Y.shape[1]
    last = n - 2 - np.argmax(falls[:, ::-1], axis=1)       # index of the interval of the last fall
    return np.where(falls.any(axis=1), last + 1, 0)


def stats_after_breaks(t: np.ndarray, Y: np.ndarray, family: str, monotone=None) -> list[dict]:
    """growth_stats_many, for a never-cut standard (`monotone` nondecreasing) from each row's break on
    (break_starts); such a row's stats name the break (break_year, before, after)."""
    t, Y = np.asarray(t, float), np.asarray(Y, float)
    if monotone != "nondecreasing":
        return growth_stats_many(t, Y, family)
    ks = break_starts(Y)
    stats: list = [None] * len(Y)
    for k in np.unique(ks):
        rows = np.flatnonzero(ks == k)
        for i, st in zip(rows, growth_stats_many(t[k:], Y[rows, k:], family)):
            stats[i] = st if not k else dict(st, break_year=int(t[k]), before=float(Y[i, k - 1]),
                                             after=float(Y[i, k]))
    return stats


def growth_stats(t: np.ndarray, y: np.ndarray, family: str) -> dict:
    """Location, yearly spread and location spread of the log growth of (t, y)."""
    if len(y) < 2:
        return prior_stats(family)
    _, s0, q0, tb = FAMILY_PRIORS[family]
    mu_lr = long_run(family)
    dt = np.diff(t).astype(float)
    g = np.diff(np.log(y)) / dt                      # annualised log growth of each interval
    age = t[-1] - t[1:]                               # years from the interval's end to the last year
    rw = 0.5 ** (age / HALF_LIFE)
    w = rw * dt
    years = float(w.sum())                            # effective years of growth history
    mu_hat = float((w * g).sum() / w.sum())
    # empirical Bayes: the series' own mean growth weighs by its precision 1 / (s**2 / years + q**2 years / 3)
    # (year-to-year noise averaged out, plus the drift of the growth rate across the window: smooth series
    # speak for themselves after a few years), the family's by 1 / tb**2 (the spread of mean growth
    # between the family's series)
    m = len(g)
    # the variance of a growth averaged over dt years is s**2 / dt: (g - mu) * sqrt(dt) has variance s**2
    s2_hat = float((rw * dt * (g - mu_hat) ** 2).sum() / rw.sum()) if m >= 2 else 0.0
    s2 = ((m - 1) * s2_hat + s0 ** 2) / m
    # the drift of the series' own growth rate: squared changes between adjacent intervals less what
    # the year-to-year spread explains (the family fit's equation, one series), shrunk toward the
    # family's q0 by one pseudo-pair like the spread
    if m >= 2:
        a, b = dt[:-1], dt[1:]
        q2_hat = max(0.0, float(np.mean(np.diff(g) ** 2 - s2 * (1 / a + 1 / b)) / np.mean((a + b) / 3)))
        q2 = ((m - 1) * q2_hat + q0 ** 2) / m
    else:
        q2 = q0 ** 2
    q = float(np.sqrt(q2))
    own = 1.0 / (s2 / years + q2 * years / 3)  # today's growth differs from the window's mean by drift too
    prec = own + 1.0 / tb ** 2
    mu = (own * mu_hat + mu_lr / tb ** 2) / prec
    # slowing (or speeding) growth: how far the recent growth sits from the whole history's
    shift = mu_hat - float((dt * g).sum() / dt.sum())
    tau2 = 1.0 / prec + shift ** 2
    holds = int(np.sum(np.abs(g) < 1e-12))
    return dict(mu=mu, mu_lr=mu_lr, q=q, s=float(np.sqrt(s2)), tau=float(np.sqrt(tau2)), smoothness=float(np.sqrt(s2)),
                hold_share=holds / (m + 1) if holds else 0.0, n_intervals=m, fade=FADE.get(family, REVERT))


def growth_stats_many(t: np.ndarray, Y: np.ndarray, family: str) -> list[dict]:
    """growth_stats of each row of Y (series observed in the same years t), the same steps on whole
    columns: bit for bit what growth_stats gives row by row (tests/test_growth.py compares)."""
    if Y.shape[1] < 2:
        return [prior_stats(family) for _ in range(len(Y))]
    _, s0, q0, tb = FAMILY_PRIORS[family]
    mu_lr = long_run(family)
    dt = np.diff(t).astype(float)
    g = np.diff(np.log(Y), axis=1) / dt
    age = t[-1] - t[1:]
    rw = 0.5 ** (age / HALF_LIFE)
    w = rw * dt
    years = float(w.sum())
    mu_hat = (w * g).sum(axis=1) / w.sum()
    m = g.shape[1]
    s2_hat = (rw * dt * (g - mu_hat[:, None]) ** 2).sum(axis=1) / rw.sum() if m >= 2 else np.zeros(len(Y))
    s2 = ((m - 1) * s2_hat + s0 ** 2) / m
    if m >= 2:
        a, b = dt[:-1], dt[1:]
        x = np.mean(np.diff(g, axis=1) ** 2 - s2[:, None] * (1 / a + 1 / b), axis=1) / np.mean((a + b) / 3)
        q2 = ((m - 1) * np.where(x > 0.0, x, 0.0) + q0 ** 2) / m
    else:
        q2 = np.full(len(Y), q0 ** 2)
    own = 1.0 / (s2 / years + q2 * years / 3)
    prec = own + 1.0 / tb ** 2
    mu = (own * mu_hat + mu_lr / tb ** 2) / prec
    shift = mu_hat - (dt * g).sum(axis=1) / dt.sum()
    tau2 = 1.0 / prec + shift ** 2
    holds = np.sum(np.abs(g) < 1e-12, axis=1)
    return [dict(mu=float(mu[i]), mu_lr=mu_lr, q=float(np.sqrt(q2[i])), s=float(np.sqrt(s2[i])),
                 tau=float(np.sqrt(tau2[i])), smoothness=float(np.sqrt(s2[i])), n_intervals=m,
                 hold_share=float(holds[i] / (m + 1)) if holds[i] else 0.0, fade=FADE.get(family, REVERT))
            for i in range(len(Y))]


def simulate(t: np.ndarray, y: np.ndarray, horizons: np.ndarray, family: str, monotone=None,
             n: int = N_DRAWS, seed: int = SEED) -> tuple[np.ndarray, dict]:
    """Sample paths (draws, horizons) of the level at `horizons` years after the last observation.

    Yearly growth g_t = mu_lr + (mu + a - mu_lr) r_t + d_t + e_t, r_t = exp(-(t - 1) / the family's FADE,
    else REVERT): today's growth mu (uncertain by a ~ N(0, tau)) fades into the long-run growth mu_lr; the
    growth rate itself drifts, d_t = phi d_(t-1) + N(0, q), phi = exp(-1 / REVERT); e_t ~ N(0, s) is the
    year-to-year spread. For a never-cut standard the yearly growth is lognormal with that mean and spread
    (always positive), held in the share h of years the history shows holds and else raised by mean / (1 - h):
    the history's mean already counts its holds."""
    st = stats_after_breaks(np.asarray(t, float), np.asarray(y, float)[None], family, monotone)[0]
    idx = _horizon_index(horizons)
    V, cols_of = np.empty((len(idx), n)), _columns_of(idx)
    for k, c in cumulative_growth([st], len(cols_of), monotone, n, seed, REVERT):
        for col in cols_of[k]:
            V[col] = level(np.array([float(np.log(y[-1]))]), c)[0]
    return V.T, st


def _horizon_index(horizons) -> np.ndarray:
    return np.rint(np.asarray(horizons)).astype(int) - 1


@functools.lru_cache(maxsize=4)
def _quantile_positions(n: int, qs: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """np.quantile's virtual indexes for n values (method "linear"): the quantiles of 0, 1, ..., n-1
    are exactly them, whichever formula the installed numpy uses; (lower index, upper index, weight)."""
    vi = np.quantile(np.arange(n, dtype=float), np.array(qs))
    lo = np.floor(vi).astype(int)
    return lo, np.minimum(lo + 1, n - 1), vi - lo


def _linear_quantiles(S: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """np.quantile(x, qs, axis=-1) (method "linear") from S = np.sort(x, axis=-1), to the last bit:
    numpy's interpolation, term for term."""
    lo, hi, g = _quantile_positions(S.shape[-1], tuple(np.asarray(qs, float).tolist()))
    a, b = S[..., lo], S[..., hi]
    return np.where(g >= 0.5, b - (b - a) * (1 - g), a + (b - a) * g)


def _grid_chunk(stats: list[dict], monotone, log_last: np.ndarray, cols_of: list, P: np.ndarray, Q: np.ndarray,
                H: int):
    """Median P (series, horizons) and quantiles on PROBS Q (series, horizons, probs) of a few
    series' paths, filled in place: each wanted year's draws (columns cols_of[k]) sorted once, in cache;
    the paths drawn for H years, run for the len(cols_of) years wanted."""
    S = None
    for k, C in cumulative_growth(stats, H, monotone, N_DRAWS, SEED, REVERT, len(cols_of)):
        cols = cols_of[k]
        if not len(cols):
            continue
        S = level(log_last, C, S)
        S.sort(axis=-1)
        m = S.shape[-1] // 2
        P[:, cols] = ((S[:, m - 1] + S[:, m]) / 2 if S.shape[-1] % 2 == 0 else S[:, m])[:, None]  # np.median
        Q[:, cols] = np.maximum.accumulate(_linear_quantiles(S, PROBS), axis=-1)[:, None]


def _columns_of(idx: np.ndarray) -> list[np.ndarray]:
    """For each year k = 0 .. max(idx) after the last observation, the horizons' columns that are year k."""
    return [np.flatnonzero(idx == k) for k in range(int(idx.max()) + 1)]


def quantile_grid_many(t, Y, horizons, family: str, monotone=None, chunk: int | None = None,
                       threads: int | None = None, years: int | None = None):
    """quantile_grid for the rows of Y (series observed in the years t), in chunks of series:
    (points (rows, horizons), probs, grids (rows, horizons, probs), stats per row). Sorting each
    series' draws once replaces np.quantile's partition per quantile; the numbers are the same.

    Chunks run on `threads` threads (default: one per available core, for many series): numpy
    releases the interpreter lock while it computes, and each chunk fills its own rows, so the
    numbers do not depend on the number of threads nor on `chunk`. A chunk (default) is a few
    series on one thread, so a year's arrays stay in the core's cache, and more on several, so
    each computation outlasts the wait for the interpreter lock.

    `years`: only the horizons within the first `years` years are computed (the others are NaN), from
    the paths the full horizons draw, so they are the full call's to the last bit: a caller that
    needs later years for a few series only computes those series again in full."""
    t, Y, h = np.asarray(t, float), np.asarray(Y, float), np.asarray(horizons, float)
    stats = stats_after_breaks(t, Y, family, monotone)
    P = np.full((len(Y), len(h)), np.nan)
    Q = np.full((len(Y), len(h), len(PROBS)), np.nan)
    if not len(Y) or not len(h):
        return P, PROBS, Q, stats
    cols_of = _columns_of(_horizon_index(h))
    H = len(cols_of)  # the years the paths are drawn for
    cols_of = cols_of[:years]
    n_threads = threads if threads is not None else (THREADS or available_cores()) if len(Y) >= THREADED_FROM else 1
    chunk = chunk or (CHUNK_THREADED if n_threads > 1 else CHUNK)
    starts = range(0, len(Y), chunk)

    def one(i):
        _grid_chunk(stats[i:i + chunk], monotone, np.log(Y[i:i + chunk, -1]), cols_of, P[i:i + chunk], Q[i:i + chunk],
                    H)

    if n_threads > 1 and len(starts) > 1:
        draws(N_DRAWS, H, SEED)  # made once, before the threads share them
        with ThreadPoolExecutor(max_workers=min(n_threads, len(starts))) as pool:
            list(pool.map(one, starts))
    else:
        for i in starts:
            one(i)
    return P, PROBS, Q, stats


THREADED_FROM = 256  # series: below this one thread (a single forecast, a small plan)
THREADS: int | None = None  # threads quantile_grid_many uses by default (None: one per core)
# series a chunk on one thread, on several: on 8,000 never-cut series (2 cores), 4 a chunk took 12.7 s
# on one thread and 13.3 s on two (waiting on the lock), 32 a chunk 7.3 s on two
CHUNK, CHUNK_THREADED = 4, 32


def available_cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def center_spread(t, y, horizons, family: str, monotone=None) -> tuple[np.ndarray, np.ndarray]:
    """Median and spread (half the 16-84 % range) of the log level of the sample paths at `horizons`."""
    V, _ = simulate(np.asarray(t, float), np.asarray(y, float), np.asarray(horizons, float), family, monotone)
    lo, med, hi = np.quantile(np.log(V), [0.16, 0.5, 0.84], axis=0)
    return med, np.maximum((hi - lo) / 2, 1e-4)


def quantile_grid(t, y, horizons, family: str, monotone=None):
    """(point, probs, quantile grid (len(horizons), len(PROBS)), stats) for models.forecast."""
    P, probs, Q, stats = quantile_grid_many(t, np.asarray(y, float)[None], horizons, family, monotone)
    # column-major, the layout np.quantile(...).T gave: sums over a row downstream (Forecast.mean) round as they did
    return P[0], probs, np.asfortranarray(Q[0]), stats[0]


def note(st: dict, language: str = "en", family: str = DEFAULT_FAMILY) -> str:
    """What the spread rests on, in one line for Forecast.notes (words in messages/notes.py): the
    Note itself in English (pages render it in theirs), else its text in `language`."""
    if not st["n_intervals"]:
        n = Note("growth_one_point", mu_lr=st["mu_lr"] * 100, tau=st["tau"] * 100)
    else:
        code = {"average": "growth_model", "pool": "growth_model_pooled"}.get(combination(family), "growth_model_alone")
        n = Note(code, mu=st["mu"] * 100, mu_lr=st["mu_lr"] * 100, s=st["s"] * 100)
    if st.get("break_year"):
        n = Notes([n, Note("standard_break", year=st["break_year"], before=st["before"], after=st["after"])])
    return n if language == "en" else n.text(language)


def spread_note(language: str = "en") -> str:
    """What the growth model's spread rests on, for propose notes and the 目标测算 page."""
    n = Note("growth_spread", mu_lr=long_run(DEFAULT_FAMILY) * 100)
    return n if language == "en" else n.text(language)
