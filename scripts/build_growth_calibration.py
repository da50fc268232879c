"""Empirical error quantiles of the growth model on data/reference (a candidate recalibration).

    python scripts/build_growth_calibration.py --out FILE

From every rolling origin of every series in data/reference/series.csv (at least two observed
years of history, each later observed year up to MAX_H years ahead an outcome), the log error of
the growth model's median, log(actual / median), is divided by the model's own spread at that
horizon (half the 16-84 % range of the log sample paths: what the series' growth history, its
family prior and the horizon already say). The table holds quantiles of these standardised errors
per family and horizon bin (H_BINS), plus the pooled "all" rows a family falls back to where it
has fewer than MIN_CASES cases in a bin; the quantiles of a forecast would be
median * exp(spread * z). bench/domain_calibration.py scores it leaving each series out of its own
table ("calibrated" rows). The package does not read the table: scored that way it does not beat
the growth model's own spread (docs/methods.md), so it is not enabled.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from mzforecast import growth  # noqa: E402
from mzforecast.calibration import PROBS, qcols  # noqa: E402

MAX_H = 16
# horizon bins wide enough that the standards have >= MIN_CASES outcomes in each
H_BINS = ((1, 2), (3, 6), (7, 16))
MIN_CASES = 20
REFERENCE = ROOT / "data" / "reference" / "series.csv"
# never-cut standards: the families whose series are administered by decision
MONOTONE = {"standard": "nondecreasing"}


def load(path=REFERENCE) -> dict:
    """(family, series) -> yearly Series of the reference values."""
    d = pd.read_csv(path)
    out = {}
    for (fam, name), g in d.groupby(["family", "series"], sort=True):
        g = g.sort_values("year")
        out[(fam, name)] = pd.Series(g["value"].to_numpy(float), index=g["year"].to_numpy(int))
    return out


def origins(s: pd.Series, max_h: int = MAX_H):
    """(history, future) pairs of every rolling origin with at least two observed years."""
    for o in range(1, len(s) - 1):
        hist, fut = s.iloc[:o + 1], s.iloc[o + 1:]
        fut = fut[(fut.index - hist.index[-1]) <= max_h]
        if not fut.empty:
            yield hist, fut


def rolling_errors(series: dict, max_h: int = MAX_H) -> pd.DataFrame:
    """One row per (series, origin, outcome): family, series, h, the log error e of the growth
    model's median and z = e / the model's spread at h."""
    rows = []
    for (fam, name), s in series.items():
        for hist, fut in origins(s, max_h):
            t, y = hist.index.to_numpy(float), hist.to_numpy(float)
            h = fut.index.to_numpy(float) - t[-1]
            med, sd = growth.center_spread(t, y, h, fam, MONOTONE.get(fam))
            e = np.log(fut.to_numpy(float)) - med
            rows += [dict(family=fam, series=name, origin=int(t[-1]), h=int(h[k]), e=float(e[k]),
                          z=float(e[k] / sd[k]), med=float(med[k]), sd=float(sd[k]), last=float(np.log(y[-1])))
                     for k in range(len(h))]
    return pd.DataFrame(rows)


def build_table(errors: pd.DataFrame) -> pd.DataFrame:
    """Quantiles (calibration.PROBS) of z per family and horizon bin (H_BINS), and pooled."""
    rows = []
    groups = [(fam, g) for fam, g in errors.groupby("family")] + [("all", errors)]
    for fam, g in groups:
        for lo, hi in H_BINS:
            z = g.loc[(g["h"] >= lo) & (g["h"] <= hi), "z"].to_numpy(float)
            if len(z) == 0:
                continue
            rows.append(dict(family=fam, h_lo=lo, h_hi=hi, count=len(z),
                             **dict(zip(qcols(), np.round(np.quantile(z, PROBS), 4)))))
    return pd.DataFrame(rows)


def error_quantiles(table: pd.DataFrame, family: str, h: int) -> np.ndarray:
    """The standardised error quantiles (len(PROBS)) of the family's bin holding h (beyond the last
    bin the last), or the pooled row where the family has fewer than MIN_CASES cases there."""
    h = int(np.clip(h, 1, H_BINS[-1][1]))
    rows = table[(table["h_lo"] <= h) & (table["h_hi"] >= h)]
    own = rows[(rows["family"] == family) & (rows["count"] >= MIN_CASES)]
    return (own if len(own) else rows[rows["family"] == "all"])[qcols()].to_numpy(float)[0]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True, help="CSV to write the table to")
    args = ap.parse_args(argv)
    table = build_table(rolling_errors(load()))
    table.to_csv(args.out, index=False, lineterminator="\n")
    print(table[["family", "h_lo", "h_hi", "count", "q0.100", "q0.500", "q0.900"]].to_string(index=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
