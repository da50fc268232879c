"""Rolling-origin evaluation on real civil-affairs series (data/reference), per indicator family.

    python bench/domain_calibration.py          # the table below, for production (auto), its parts and the previous method
    python bench/domain_calibration.py --fit    # also the family priors fitted on data/reference
    python bench/domain_calibration.py --diagnose   # only: where the standards' Winkler-80 comes from

From every origin with at least two observed years, each later observed year up to MAX_H years
ahead is an outcome. Printed per family: 80 % and 95 % coverage, the mean 80 % width relative to
the outcome, the Winkler score of the 80 % interval relative to the outcome (width plus 2/0.2
times any miss: lower is better) and the MAPE of the median. "auto" is production: models.forecast
with method "auto" on each history (standards: the growth model alone; beds and organisations: averaged
with the calibrated trend model; recipients: pooled with it; lottery: the calibrated trend model, as
production forecasts lottery sales; models/combine.py); "auto_loso" is the same with each scored
series' family priors fitted on the family's other series only (the priors in growth.py are fitted on
all of them); "growth" is the growth model alone; "previous" is the previous release:
mzforecast.forecast with the method `auto` chose before the growth model (choose_method by length
and spacing) and the M1/M3/Tourism calibration table without smoothness scaling; "scaled" is the
same method with this release's smoothness-scaled table (what non-growth indicators now get);
"calibrated" is the growth model's median with empirical quantiles of its standardised log errors
(scripts/build_growth_calibration.py), each series scored with a table built from the other series
only (leave-one-series-out); "mixture" and "vincent" combine the growth model's and the previous
method's distributions for the same series with equal weights fixed in advance (nothing fitted):
the 50/50 mixture of the two distributions and the average of their quantiles ("vincent": what
standards got in the release before this one).

Then, per family, the same scores over the horizons a five-year plan asks about (1-5 years ahead),
and per model the best Winkler-80 any rescaling of their 80% intervals could reach: the
interval's log distances from the median multiplied by one factor per horizon band (1-3, 4-6, 7-10,
11-16 years), each factor chosen on the scored cases themselves (in-sample, so a lower bound for that
model's median, not a method). Deterministic (the growth model's paths use a fixed seed).

--diagnose prints, for the standards only, which (series, origin) and which single outcomes carry the
Winkler-80 of production and of the previous method, and how production's Winkler-80 moves with the
fade of standards' growth toward the income prior (growth.FADE, a stated prior), with that fade also
chosen leave-one-series-out: each series scored with the grid value that is best on the others.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mzforecast import calibration as C  # noqa: E402
from mzforecast import growth  # noqa: E402
from mzforecast.models import choose_method, forecast, spacing_bucket  # noqa: E402
from mzforecast.models.combine import pool  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
import build_growth_calibration as GC  # noqa: E402

# the same reference series, rolling origins and horizon limit as the growth calibration is built from
MAX_H, MONOTONE, load = GC.MAX_H, GC.MONOTONE, GC.load


def previous_table() -> pd.DataFrame:
    """The previous release's calibration table: M1/M3/Tourism errors without the smoothness
    scaling, bundled as calibration_table_unscaled.csv (scripts/build_calibration.py)."""
    return C.unscaled_table()


def _calibrated(s, fam, years, smooth: bool):
    """mzforecast.forecast with the method `auto` chose before the growth model; `smooth` False is the
    previous release (unscaled table), True this release's smoothness-scaled table."""
    t, y = s.index.to_numpy(float), s.to_numpy(float)
    method = choose_method(len(y), "level", spacing_bucket(t))
    keep = C.smoothness_factor
    if not smooth:
        C.smoothness_factor = lambda t, y: 1.0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return forecast(s, until=int(years.max()), method=method, kind="level", monotone=MONOTONE.get(fam),
                            table=None if smooth else previous_table())
    finally:
        C.smoothness_factor = keep


# the families production forecasts with the growth model: those growth.INDICATOR_FAMILY maps an
# indicator to, and the never-cut standards; a series of another family (lottery) is forecast the way
# production forecasts its indicator, by the calibrated trend model with the smoothness-scaled table
PRODUCTION_FAMILIES = set(growth.INDICATOR_FAMILY.values()) | {growth.DEFAULT_FAMILY}


def _auto(s: pd.Series, fam: str, years: np.ndarray):
    """The production path: mzforecast.forecast with method "auto", the series' family in its attrs
    as Dataset.series gives it for the family's indicators (none for a family production does not
    forecast with the growth model)."""
    h = s.copy()
    h.attrs = {"family": fam} if fam in PRODUCTION_FAMILIES else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return forecast(h, until=int(years.max()), method="auto", kind="level", monotone=MONOTONE.get(fam))


def _grid(model, s: pd.Series, fam: str, years: np.ndarray):
    """(probs, quantile grid (len(years), len(probs))) of one model from history s."""
    t, y = s.index.to_numpy(float), s.to_numpy(float)
    if model == "auto":
        fc = _auto(s, fam, years)
        return fc.quantile_probs, fc.quantile_values[np.searchsorted(fc.years, years)]
    if model == "growth":
        _, probs, qv, _ = growth.quantile_grid(t, y, years - t[-1], fam, MONOTONE.get(fam))
        return probs, qv
    fc = _calibrated(s, fam, years, smooth=model == "scaled")
    return fc.quantile_probs, fc.quantile_values[np.searchsorted(fc.years, years)]


def _interval(model, s: pd.Series, fam: str, years: np.ndarray):
    """(median, lo80, hi80, lo95, hi95) arrays at `years` from history s. "mixture" and "vincent"
    combine the growth model and the previous method with equal weights fixed in advance: the 50/50
    mixture of their distributions, and the average of their quantiles (Vincentization)."""
    if model in ("mixture", "vincent"):
        probs, qg = _grid("growth", s, fam, years)
        probs_p, qp = _grid("previous", s, fam, years)
        assert np.array_equal(probs, probs_p)
        qv = pool(probs, qg, qp) if model == "mixture" else (qg + qp) / 2
    else:
        probs, qv = _grid(model, s, fam, years)
    q = np.array([[np.interp(p, probs, row) for p in (0.5, 0.1, 0.9, 0.025, 0.975)] for row in qv])
    return q.T


def cases(series: dict, model: str) -> pd.DataFrame:
    """One row per (series, origin, outcome): the scores, and for the rescaling bound the outcome x,
    the median m and the log distances l, u of the 80 % bounds from it (NaN where a bound is 0)."""
    rows = []
    for (fam, name), s in series.items():
        with priors_without(series, fam, name) if model == "auto_loso" else _nothing():
            for hist, fut in GC.origins(s, MAX_H):
                years = fut.index.to_numpy(int)
                med, lo80, hi80, lo95, hi95 = _interval("auto" if model == "auto_loso" else model, hist, fam, years)
                for k, x in enumerate(fut.to_numpy(float)):
                    miss = max(lo80[k] - x, 0) + max(x - hi80[k], 0)
                    logs = min(lo80[k], med[k]) > 0  # a bound at 0 has no log distance: not rescalable
                    rows.append(dict(family=fam, series=name, origin=int(hist.index[-1]), h=int(years[k] - hist.index[-1]),
                                     in80=lo80[k] <= x <= hi80[k], in95=lo95[k] <= x <= hi95[k],
                                     width80=(hi80[k] - lo80[k]) / x,
                                     winkler80=((hi80[k] - lo80[k]) + 2 / 0.2 * miss) / x,
                                     ape=abs(med[k] - x) / x, x=x, m=med[k],
                                     l=np.log(med[k] / lo80[k]) if logs else np.nan,
                                     u=np.log(hi80[k] / med[k]) if logs else np.nan))
    return pd.DataFrame(rows)


@contextlib.contextmanager
def _nothing():
    yield


@contextlib.contextmanager
def priors_without(series: dict, fam: str, name: str):
    """growth.FAMILY_PRIORS[fam] fitted on the family's other series while `name` is scored (the
    long-run growth of standards stays the stated prior); kept when too few series are left."""
    fitted = fit_priors({k: v for k, v in series.items() if k != (fam, name)}).get(fam)
    keep = growth.FAMILY_PRIORS.get(fam)
    if fitted is not None and all(np.isfinite(fitted)):
        growth.FAMILY_PRIORS[fam] = fitted
    try:
        yield
    finally:
        growth.FAMILY_PRIORS[fam] = keep


def calibrated_cases(series: dict) -> pd.DataFrame:
    """The "calibrated" rows: each series scored with the error table of the other series."""
    errors = GC.rolling_errors(series, MAX_H)
    probs = (0.5, 0.1, 0.9, 0.025, 0.975)
    rows = []
    for name, own in errors.groupby("series", sort=True):
        table = GC.build_table(errors[errors["series"] != name])
        for r in own.itertuples():
            z = GC.error_quantiles(table, r.family, r.h)
            lv = r.med + r.sd * np.interp(probs, C.PROBS, z)
            if MONOTONE.get(r.family) == "nondecreasing":
                lv = np.maximum(lv, r.last)
            med, lo80, hi80, lo95, hi95 = np.exp(lv)
            x = float(np.exp(r.med + r.e))
            miss = max(lo80 - x, 0) + max(x - hi80, 0)
            rows.append(dict(family=r.family, series=name, h=r.h, in80=lo80 <= x <= hi80, in95=lo95 <= x <= hi95,
                             width80=(hi80 - lo80) / x, winkler80=((hi80 - lo80) + 2 / 0.2 * miss) / x,
                             ape=abs(med - x) / x))
    return pd.DataFrame(rows)


BANDS = [0, 3, 6, 10, 16]


def best_rescaled_winkler(c: pd.DataFrame) -> float:
    """Mean Winkler-80 with each horizon band's interval rescaled by the factor (0.2-6, step 0.05)
    that minimises it on these cases."""
    c = c[c["l"].notna()]
    total = 0.0
    for _, g in c.groupby(pd.cut(c["h"], BANDS), observed=True):
        best = np.inf
        for k in np.arange(0.2, 6.0001, 0.05):
            lo, hi = g["m"] * np.exp(-k * g["l"]), g["m"] * np.exp(k * g["u"])
            miss = np.maximum(lo - g["x"], 0) + np.maximum(g["x"] - hi, 0)
            best = min(best, float(((hi - lo + 2 / 0.2 * miss) / g["x"]).sum()))
        total += best
    return total / len(c)


def summary(c: pd.DataFrame) -> pd.DataFrame:
    agg = c.groupby("family").agg(cases=("in80", "size"), cov80=("in80", "mean"), cov95=("in95", "mean"),
                                  width80=("width80", "mean"), winkler80=("winkler80", "mean"), mape=("ape", "mean"))
    return agg.round(3)


def fit_priors(series: dict) -> dict:
    """Family priors, one procedure for every family: (mean over the family's series of each series'
    whole-history yearly log growth, s0, q0, tb), where tb is the spread of those means between the
    family's series and s0 (year-to-year spread) and q0 (yearly drift of
    the growth rate) are the non-negative least-squares fit over all pairs of adjacent intervals
    (a and b years long, growth g1 and g2) of E[(g2 - g1)**2] = s0**2 (1/a + 1/b) + q0**2 (a + b) / 3."""
    from scipy.optimize import nnls
    out = {}
    for fam in sorted({f for f, _ in series}):
        mus, X, Y = [], [], []
        for (f, _), s in series.items():
            if f != fam:
                continue
            t, y = s.index.to_numpy(float), s.to_numpy(float)
            dt = np.diff(t)
            g = np.diff(np.log(y)) / dt
            mus.append(float((g * dt).sum() / dt.sum()))
            for i in range(len(g) - 1):
                a, b = dt[i], dt[i + 1]
                X.append([1 / a + 1 / b, (a + b) / 3])
                Y.append((g[i + 1] - g[i]) ** 2)
        s0, q0 = np.sqrt(nnls(np.array(X), np.array(Y))[0])
        out[fam] = (round(float(np.mean(mus)), 3), round(float(s0), 3), round(float(q0), 3),
                    round(float(np.std(mus, ddof=1)), 3))
    return out


FADE_GRID = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0)
DIAG_FAMILY = growth.DEFAULT_FAMILY


def diagnose(series: dict, top: int = 15) -> None:
    """Print where the standards' Winkler-80 comes from, and its sensitivity to growth.FADE."""
    series = {k: v for k, v in series.items() if k[0] == DIAG_FAMILY}
    auto, prev = cases(series, "auto"), cases(series, "previous")
    auto["miss"] = auto["winkler80"] - auto["width80"]
    auto["previous"] = prev["winkler80"].to_numpy()
    n = len(auto)
    print(f"{DIAG_FAMILY}: {n} cases; Winkler-80 auto {auto['winkler80'].mean():.3f} (width {auto['width80'].mean():.3f} "
          f"+ misses {auto['miss'].mean():.3f}), previous {auto['previous'].mean():.3f}; sums below are shares of "
          f"the mean (sum / {n})")
    by = auto.groupby(["series", "origin"]).agg(cases=("h", "size"), winkler80=("winkler80", "sum"),
                                                  width=("width80", "sum"), misses=("miss", "sum"),
                                                  cov80=("in80", "mean"), previous=("previous", "sum"))
    by[["winkler80", "width", "misses", "previous"]] /= n
    print(f"\ntop {top} (series, origin) by auto's Winkler-80:")
    print(by.sort_values("winkler80", ascending=False).head(top).round(3).to_string())
    print(f"\ntop {top} outcomes by auto's Winkler-80 (x outcome, m median):")
    cols = ["series", "origin", "h", "x", "m", "width80", "winkler80", "in80", "previous"]
    print(auto.sort_values("winkler80", ascending=False).head(top)[cols].round(3).to_string(index=False))
    print("\nby horizon band:")
    band = auto.groupby(pd.cut(auto["h"], BANDS), observed=True).agg(
        cases=("h", "size"), cov80=("in80", "mean"), cov95=("in95", "mean"), winkler80=("winkler80", "mean"),
        previous=("previous", "mean"))
    print(band.round(3).to_string())
    keep = growth.FADE.get(DIAG_FAMILY)
    per = {}
    try:
        for f in FADE_GRID:
            growth.FADE[DIAG_FAMILY] = f
            per[f] = cases(series, "auto")
    finally:
        growth.FADE[DIAG_FAMILY] = keep
    print(f"\nauto's Winkler-80 / cov80 / cov95 with the standards' fade (growth.FADE, now {keep} years):")
    for f, c in per.items():
        print(f"  {f:4.1f} years: {c['winkler80'].mean():.3f} / {c['in80'].mean():.3f} / {c['in95'].mean():.3f}")
    sums = pd.DataFrame({f: c.groupby("series")["winkler80"].sum() for f, c in per.items()})
    rows = []
    for name in sums.index:
        f = sums.drop(index=name).sum().idxmin()   # best on the other series
        c = per[f][per[f]["series"] == name]
        rows.append(c.assign(fade=f))
    loso = pd.concat(rows)
    chosen = loso.groupby("series")["fade"].first()
    print(f"fade chosen leave-one-series-out: Winkler-80 {loso['winkler80'].mean():.3f}, cov80 {loso['in80'].mean():.3f}, "
          f"cov95 {loso['in95'].mean():.3f}; fades chosen: " + ", ".join(f"{k} {v:g}" for k, v in chosen.items()))


# The ratio family: rural ÷ urban 低保 of every region of data/reference with both standards (in percent, the rural
# standard put in the urban one's unit as terms.to_target_terms does), from every origin with one or more observed
# years (production forecasts one-point ratios of two standards). Shanghai unified its standards in 2015: the
# urban row of 2015 quotes "上海市的城乡低保标准最高,为每人每月790元", so its ratio is 100 % that year.
UNIFIED = {"shanghai": 2015}
RATIO_MODELS = ("current", "held", "growth_lr0", "production", "production_loso")


def ratio_series(path=GC.REFERENCE) -> dict:
    """("ratio", region) -> yearly rural ÷ urban 低保 in percent."""
    from mzforecast import units as U
    d = pd.read_csv(path)
    out = {}
    for region, g in d[d["indicator"].str.startswith("dibao_standard")].groupby("region"):
        ru, ur = g[g["indicator"].str.startswith("dibao_standard_rural")], g[g["indicator"] == "dibao_standard_urban"]
        if ru.empty or ur.empty:
            continue
        r, u = ru.set_index("year"), ur.set_index("year")
        common = r.index.intersection(u.index)
        s = r["value"].loc[common] / (u["value"].loc[common] * U.factor(u["unit"].iloc[0], r["unit"].iloc[0])) * 100
        if region in UNIFIED:
            s.loc[UNIFIED[region]] = 100.0
        out[("ratio", region)] = s.sort_index().astype(float)
    return out


def _ratio_grid(model: str, hist: pd.Series, years: np.ndarray):
    from mzforecast.models.held import held_forecast
    from mzforecast.models.ratio import ratio_quantiles
    t, y = hist.index.to_numpy(float), hist.to_numpy(float)
    if model == "current":  # production before: the calibrated trend model on the ratio, bounded
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = forecast(hist, until=int(years.max()), method="auto", kind="level", bounds=(0, 100))
    elif model == "held":
        fc = held_forecast(hist, int(years.max()), (0, 100))
    elif model == "growth_lr0":  # growth.py's model on the log ratio, long-run growth 0, clipped at parity
        keep = growth.LONG_RUN.get("ratio")
        growth.LONG_RUN["ratio"] = 0.0
        try:
            _, probs, qv, _ = growth.quantile_grid(t, y, years - t[-1], "ratio", None)
        finally:
            growth.LONG_RUN.pop("ratio") if keep is None else growth.LONG_RUN.update(ratio=keep)
        return probs, np.clip(qv, 0, 100)
    else:
        _, probs, qv, _ = ratio_quantiles(t, y, years - t[-1], (0, 100), 100.0)
        return probs, qv
    return fc.quantile_probs, fc.quantile_values[np.searchsorted(fc.years, years)]


def ratio_cases(series: dict, model: str) -> pd.DataFrame:
    """The cases of the ratio family; every model but "production" scores each series with the ratio prior
    fitted on the other series (leave-one-series-out); "production" uses growth.FAMILY_PRIORS["ratio"]."""
    rows = []
    for key, s in series.items():
        with priors_without(series, *key) if model != "production" else _nothing():
            for o in range(len(s) - 1):
                hist, fut = s.iloc[:o + 1], s.iloc[o + 1:]
                fut = fut[(fut.index - hist.index[-1]) <= MAX_H]
                years = fut.index.to_numpy(int)
                probs, qv = _ratio_grid(model, hist, years)
                q = np.array([[np.interp(p, probs, row) for p in (0.5, 0.1, 0.9, 0.025, 0.975)] for row in qv])
                for k, x in enumerate(fut.to_numpy(float)):
                    med, lo80, hi80, lo95, hi95 = q[k]
                    miss = max(lo80 - x, 0) + max(x - hi80, 0)
                    rows.append(dict(family="ratio", series=key[1], h=int(years[k] - hist.index[-1]),
                                     in80=lo80 <= x <= hi80, in95=lo95 <= x <= hi95, width80=(hi80 - lo80) / x,
                                     winkler80=((hi80 - lo80) + 2 / 0.2 * miss) / x, ape=abs(med - x) / x))
    return pd.DataFrame(rows)


def print_ratio_family() -> None:
    series = ratio_series()
    print("\n== ratio family: rural ÷ urban 低保 (" + ", ".join(f"{k[1]} {len(v)}" for k, v in series.items())
          + " years) ==")
    print(f"fitted on all: {fit_priors(series)['ratio']}")
    for model in RATIO_MODELS:
        c = ratio_cases(series, model)
        a, p = summary(c).iloc[0], summary(c[c["h"] <= 5]).iloc[0]
        print(f"  {model:16s} all: cases {int(a.cases)} cov80 {a.cov80:.3f} cov95 {a.cov95:.3f} width80 {a.width80:.3f} "
              f"winkler80 {a.winkler80:.3f} MAPE {a.mape:.3f} | 1-5 years: cases {int(p.cases)} cov80 {p.cov80:.3f} "
              f"cov95 {p.cov95:.3f} width80 {p.width80:.3f} winkler80 {p.winkler80:.3f} MAPE {p.mape:.3f}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", action="store_true", help="also print the family priors fitted on data/reference")
    ap.add_argument("--diagnose", action="store_true", help="only: where the standards' Winkler-80 comes from")
    ap.add_argument("--ratio", action="store_true", help="only: the ratio family (rural ÷ urban 低保)")
    args = ap.parse_args(argv)
    series = load()
    pd.set_option("display.width", 120)
    if args.diagnose:
        diagnose(series)
        return 0
    if args.ratio:
        print_ratio_family()
        return 0
    tables, plan, scored = {}, {}, {}
    for model in ("auto", "auto_loso", "growth", "calibrated", "scaled", "previous", "mixture", "vincent"):
        c = calibrated_cases(series) if model == "calibrated" else cases(series, model)
        scored[model] = c
        tables[model] = summary(c)
        plan[model] = summary(c[c["h"] <= 5])
        print(f"\n== {model} ==")
        print(tables[model].to_string())
    for model in ("auto", "auto_loso", "growth", "calibrated", "scaled", "mixture", "vincent"):
        ratio = (tables[model]["winkler80"] / tables["previous"]["winkler80"]).round(3)
        print(f"\nWinkler-80 {model} / previous per family:")
        print(ratio.to_string())
    for model in ("auto", "growth", "previous", "vincent"):
        print(f"\n== {model}, horizons 1-5 years (a five-year plan) ==")
        print(plan[model].to_string())
    print("\nbest Winkler-80 by rescaling each horizon band's 80% interval (in-sample lower bound):")
    for model in ("auto", "growth", "previous", "vincent"):
        best = {fam: round(best_rescaled_winkler(g), 3) for fam, g in scored[model].groupby("family")}
        print(f"  {model}: " + ", ".join(f"{f} {v}" for f, v in best.items()))
    print_ratio_family()
    if args.fit:
        print("\nfitted (long-run yearly log growth, yearly spread) per family:")
        for fam, v in fit_priors(series).items():
            print(f"  {fam}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
