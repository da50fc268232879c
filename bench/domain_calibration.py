"""Rolling-origin evaluation on real civil-affairs series (data/reference), per indicator family.

    python bench/domain_calibration.py          # the table below, for the growth model and the previous method
    python bench/domain_calibration.py --fit    # also the family priors fitted on data/reference

From every origin with at least two observed years, each later observed year up to MAX_H years
ahead is an outcome. Printed per family: 80 % and 95 % coverage, the mean 80 % width relative to
the outcome, the Winkler score of the 80 % interval relative to the outcome (width plus 2/0.2
times any miss: lower is better) and the MAPE of the median. "previous" is mzforecast.forecast
with the method `auto` chose before the growth model (choose_method by length and spacing, the
M1/M3/Tourism calibration table). Deterministic (the growth model's paths use a fixed seed).
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mzforecast import growth  # noqa: E402
from mzforecast.models import choose_method, forecast, spacing_bucket  # noqa: E402

MAX_H = 16
MONOTONE = {"standard": "nondecreasing"}


def load(path=ROOT / "data" / "reference" / "series.csv") -> dict:
    d = pd.read_csv(path)
    out = {}
    for (fam, name), g in d.groupby(["family", "series"], sort=True):
        g = g.sort_values("year")
        out[(fam, name)] = pd.Series(g["value"].to_numpy(float), index=g["year"].to_numpy(int))
    return out


def _interval(model, s: pd.Series, fam: str, years: np.ndarray):
    """(median, lo80, hi80, lo95, hi95) arrays at `years` from history s."""
    t, y = s.index.to_numpy(float), s.to_numpy(float)
    mono = MONOTONE.get(fam)
    if model == "growth":
        _, probs, qv, _ = growth.quantile_grid(t, y, years - t[-1], fam, mono)
    else:
        method = choose_method(len(y), "level", spacing_bucket(t))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fc = forecast(s, until=int(years.max()), method=method, kind="level", monotone=mono)
        pick = np.searchsorted(fc.years, years)
        probs, qv = fc.quantile_probs, fc.quantile_values[pick]
    q = np.array([[np.interp(p, probs, row) for p in (0.5, 0.1, 0.9, 0.025, 0.975)] for row in qv])
    return q.T


def cases(series: dict, model: str) -> pd.DataFrame:
    rows = []
    for (fam, name), s in series.items():
        for o in range(1, len(s) - 1):
            hist = s.iloc[:o + 1]
            fut = s.iloc[o + 1:]
            fut = fut[(fut.index - hist.index[-1]) <= MAX_H]
            if fut.empty:
                continue
            years = fut.index.to_numpy(int)
            med, lo80, hi80, lo95, hi95 = _interval(model, hist, fam, years)
            for k, x in enumerate(fut.to_numpy(float)):
                miss = max(lo80[k] - x, 0) + max(x - hi80[k], 0)
                rows.append(dict(family=fam, series=name, h=int(years[k] - hist.index[-1]),
                                 in80=lo80[k] <= x <= hi80[k], in95=lo95[k] <= x <= hi95[k],
                                 width80=(hi80[k] - lo80[k]) / x,
                                 winkler80=((hi80[k] - lo80[k]) + 2 / 0.2 * miss) / x,
                                 ape=abs(med[k] - x) / x))
    return pd.DataFrame(rows)


def summary(c: pd.DataFrame) -> pd.DataFrame:
    agg = c.groupby("family").agg(cases=("in80", "size"), cov80=("in80", "mean"), cov95=("in95", "mean"),
                                  width80=("width80", "mean"), winkler80=("winkler80", "mean"), mape=("ape", "mean"))
    return agg.round(3)


def fit_priors(series: dict) -> dict:
    """Family priors: pooled yearly log growth (mean of the series' recent-weighted means, long-run)
    and the pooled spread of yearly growth across a family's series."""
    out = {}
    for fam in sorted({f for f, _ in series}):
        mus, sds = [], []
        for (f, _), s in series.items():
            if f != fam:
                continue
            t, y = s.index.to_numpy(float), s.to_numpy(float)
            dt = np.diff(t)
            g = np.diff(np.log(y)) / dt
            mus.append(float((g * dt).sum() / dt.sum()))
            if len(g) >= 2:
                sds.append(float(np.sqrt(((g - mus[-1]) ** 2 * dt).sum() / (len(g) - 1))))
        out[fam] = (round(float(np.mean(mus)), 3), round(float(np.mean(sds)), 3) if sds else None)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", action="store_true", help="also print the family priors fitted on data/reference")
    args = ap.parse_args(argv)
    series = load()
    pd.set_option("display.width", 120)
    tables = {}
    for model in ("growth", "previous"):
        tables[model] = summary(cases(series, model))
        print(f"\n== {model} ==")
        print(tables[model].to_string())
    ratio = (tables["growth"]["winkler80"] / tables["previous"]["winkler80"]).round(3)
    print("\nWinkler-80 growth / previous per family:")
    print(ratio.to_string())
    if args.fit:
        print("\nfitted (long-run yearly log growth, yearly spread) per family:")
        for fam, v in fit_priors(series).items():
            print(f"  {fam}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
