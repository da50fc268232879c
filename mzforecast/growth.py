"""Log-growth model for administered standards and other smooth yearly series.

A policy-set standard (低保, 特困, orphan allowances) is raised a little every year; its future is
its growth, not its level. Each future year's log growth is drawn from a distribution fitted to
the series' own growth history:

  location   the recency-weighted mean of the observed yearly log growth, shrunk toward the
             family prior when the history is short, and drifting toward the family's long-run
             growth (income growth) over the horizon;
  spread     the weighted spread of the observed yearly log growth (the series' smoothness),
             shrunk toward the family prior; plus a persistent per-path offset whose variance
             counts how well the location is known (few years: wide) and how far recent growth
             has moved from the older growth (slowing growth widens the fan, it is not
             extrapolated as certain).

For a never-cut standard (`monotone: nondecreasing`) yearly growth is drawn positive (lognormal
with the same mean and spread), with a point mass at "held" only in the share of years the
history itself shows holds. Paths are simulated with a fixed seed; the forecast keeps their
quantiles on calibration.PROBS, so every path that reads a Forecast (one target, plans, regions,
propose, draft, notebooks) uses the same numbers.

The family priors below are fitted on data/reference by bench/domain_calibration.py (`--fit`
prints them; tests/test_growth.py checks they match). They are never tuned to one series.
"""
from __future__ import annotations

import numpy as np

from .calibration import PROBS

# family -> (mu0 long-run yearly log growth, s0 yearly spread: both fitted by `bench/domain_calibration.py --fit`;
#            tau0 spread of the long-run growth, set to s0 / 2 for every family)
FAMILY_PRIORS = {
    "standard": (0.097, 0.084, 0.042),
    "organisations": (0.078, 0.049, 0.025),
    "beds": (0.132, 0.068, 0.034),
    "recipients": (-0.069, 0.127, 0.064),
}
DEFAULT_FAMILY = "standard"
PRIOR_YEARS = 3.0   # pseudo-years of history the prior location is worth
PRIOR_SPREAD_YEARS = 1.0  # ... and the prior spread: a smooth history soon speaks for itself
HALF_LIFE = 6.0     # years: weight of a year's growth halves every HALF_LIFE years back
REVERT = 12.0       # years: the location drifts toward the family's long-run growth on this scale
N_DRAWS = 4000
SEED = 20190

# indicator ids (data/indicators.yaml) whose series belong to a family other than the standards
INDICATOR_FAMILY = {
    "social_organisations": "organisations",
    "elderly_care_beds": "beds",
    "elderly_care_beds_per_1000_elderly": "beds",
    "mental_health_welfare_beds": "beds",
    "child_welfare_beds": "beds",
}

# what the spread rests on, for the 目标测算 page and propose notes (to move into messages/)
SPREAD_NOTE = {
    "zh": "区间依据本指标历年增长率的均值与波动（近年权重更高），历史较短时向同类指标的先验收缩；"
          "增速放缓或波动大时区间相应放宽。先验与区间校准基于 data/reference 中的民政公报序列。",
    "en": "the spread rests on this indicator's own yearly growth (mean and volatility, recent years "
          "weighted more), shrunk toward its family's prior when the history is short; slowing or "
          "volatile growth widens it. Priors are calibrated on the bulletin series in data/reference.",
}


def family_of(attrs: dict, monotone) -> str | None:
    """The growth family of a series from its attrs, or None when the growth model does not apply."""
    fam = attrs.get("family") or INDICATOR_FAMILY.get(attrs.get("indicator", ""))
    if fam is None and monotone == "nondecreasing":
        fam = DEFAULT_FAMILY
    return fam if fam in FAMILY_PRIORS else None


def applies(t: np.ndarray, y: np.ndarray, kind: str, family: str | None) -> bool:
    """The growth model needs a positive level series with at least two observations."""
    return family is not None and kind == "level" and len(y) >= 2 and bool(np.all(y > 0))


def growth_stats(t: np.ndarray, y: np.ndarray, family: str) -> dict:
    """Location, yearly spread and drift spread of the log growth of (t, y), with the prior."""
    mu0, s0, _ = FAMILY_PRIORS[family]
    dt = np.diff(t).astype(float)
    g = np.diff(np.log(y)) / dt                      # annualised log growth of each interval
    age = t[-1] - t[1:]                               # years from the interval's end to the last year
    rw = 0.5 ** (age / HALF_LIFE)
    w = rw * dt
    years = float(w.sum())                            # effective years of growth history
    mu_hat = float((w * g).sum() / w.sum())
    mu = (years * mu_hat + PRIOR_YEARS * mu0) / (years + PRIOR_YEARS)
    m = len(g)
    if m >= 2:  # the variance of a growth averaged over dt years is s**2 / dt
        s2_hat = float((rw * dt * (g - mu_hat) ** 2).sum() / rw.sum()) * m / (m - 1)
        s2 = ((m - 1) * s2_hat + PRIOR_SPREAD_YEARS * s0 ** 2) / (m - 1 + PRIOR_SPREAD_YEARS)
    else:
        s2 = s0 ** 2
    # slowing (or speeding) growth: how far the recent growth sits from the whole history's
    shift = mu_hat - float((dt * g).sum() / dt.sum())
    tau2 = s2 / (years + PRIOR_YEARS) + shift ** 2
    holds = int(np.sum(np.abs(g) < 1e-12))
    return dict(mu=mu, mu0=mu0, s=float(np.sqrt(s2)), tau=float(np.sqrt(tau2)), smoothness=float(np.sqrt(s2)),
                hold_share=holds / (m + 1) if holds else 0.0, n_intervals=m)


def simulate(t: np.ndarray, y: np.ndarray, horizons: np.ndarray, family: str, monotone=None,
             n: int = N_DRAWS, seed: int = SEED) -> tuple[np.ndarray, dict]:
    """Sample paths (draws, horizons) of the level at `horizons` years after the last observation.

    Yearly growth g_t = mu_lr + m_lr + (mu - mu_lr + m) r_t + e_t, r_t = exp(-(t - 1) / REVERT):
    today's growth mu (uncertain by m ~ N(0, tau)) fades into the long-run growth mu_lr (uncertain
    by m_lr ~ N(0, tau0)); e_t ~ N(0, s) is the year-to-year spread. For a never-cut standard the
    yearly growth is lognormal with that mean and spread (always positive)."""
    st = growth_stats(t, y, family)
    tau0 = FAMILY_PRIORS[family][2]
    H = int(np.max(horizons))
    r = np.exp(-np.arange(H, dtype=float) / REVERT)
    rng = np.random.default_rng(seed)
    m_now = st["tau"] * rng.standard_normal((n, 1))
    m_lr = tau0 * rng.standard_normal((n, 1))
    z_year = rng.standard_normal((n, H))
    M = st["mu0"] + m_lr + (st["mu"] - st["mu0"] + m_now) * r[None, :]   # each path's yearly mean growth
    if monotone == "nondecreasing":
        base = np.maximum(M, 0.25 * st["s"])  # a standard keeps rising: its mean growth stays positive
        sl2 = np.log1p(st["s"] ** 2 / base ** 2)
        G = np.exp(np.log(base) - sl2 / 2 + np.sqrt(sl2) * z_year)
        if st["hold_share"] > 0:
            G = np.where(rng.uniform(size=G.shape) < st["hold_share"], 0.0, G)
    else:
        G = M + st["s"] * z_year
    L = float(np.log(y[-1])) + np.clip(np.cumsum(G, axis=1), -30.0, 30.0)  # no overflow on wild histories
    idx = np.rint(np.asarray(horizons)).astype(int) - 1
    return np.exp(L[:, idx]), st


def quantile_grid(t, y, horizons, family: str, monotone=None):
    """(point, probs, quantile grid (len(horizons), len(PROBS)), stats) for models.forecast."""
    t = np.asarray(t, float)
    y = np.asarray(y, float)
    V, st = simulate(t, y, np.asarray(horizons, float), family, monotone)
    qv = np.quantile(V, PROBS, axis=0).T
    point = np.median(V, axis=0)
    return point, PROBS, np.maximum.accumulate(qv, axis=1), st


def note(st: dict) -> str:
    """What the spread rests on, in one line for Forecast.notes."""
    return (f"growth model: yearly growth {st['mu'] * 100:.1f}% (long-run {st['mu0'] * 100:.1f}%), spread "
            f"{st['s'] * 100:.1f} points a year from the series' own growth history")
