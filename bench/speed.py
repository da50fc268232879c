"""Speed: one target, all bundled plans, and 10,000 short series (county scale) vs statsforecast.

    python bench/speed.py [--n 10000]

Prints what it measured; nothing is assumed.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import mzforecast as mzf  # noqa: E402
from mzforecast import calibration as C  # noqa: E402
from mzforecast.models import choose_method, point_forecasts_many  # noqa: E402


def workload(n, rng):
    """Real yearly series cut to 3-8 points, topped up with synthetic growth series."""
    from build_calibration import yearly_series
    real = [np.asarray(s[-8:], float) for v in yearly_series().values() for s in v if min(s) > 0]
    out = []
    for i in range(n):
        if i < len(real):
            s = real[i][-int(rng.integers(3, 9)):]
        else:
            k = int(rng.integers(3, 9))
            s = 100 * np.cumprod(1 + rng.normal(0.05, 0.08, k)).clip(0.05)
        out.append(s)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    a = ap.parse_args(argv)
    ds = mzf.load()
    t = mzf.get_target("changchun-14th", "table-02-rural-urban-dibao", ds)
    mzf.assess(t, ds)
    times = []
    for _ in range(30):
        t0 = time.perf_counter(); mzf.assess(t, ds); times.append(time.perf_counter() - t0)
    print(f"one target assessed: median {statistics.median(times) * 1000:.1f} ms (30 runs, after import)")
    t0 = time.perf_counter()
    n_t = sum(len(mzf.assess_plan(p, ds)) for p in mzf.list_plans())
    print(f"all bundled plans ({n_t} targets): {time.perf_counter() - t0:.2f} s")

    rng = np.random.default_rng(0)
    series = workload(a.n, rng)
    # vectorised path: group by length, closed-form fits, calibrated quantiles
    tracemalloc.start()
    t0 = time.perf_counter()
    by_len = {}
    for s in series:
        by_len.setdefault(len(s), []).append(s)
    out = 0
    for n, group in by_len.items():
        H = np.vstack(group)
        m = choose_method(n)
        P = point_forecasts_many(H, m, np.arange(1, 6))
        _, e = C.error_quantiles(m, n, 1, np.arange(1, 6))
        Q = P[:, :, None] * np.exp(e)[None]
        out += Q.shape[0]
    el = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    print(f"mzforecast vectorised ({choose_method(5)} + calibrated quantiles, h=1-5): {out / el:,.0f} series/s, "
          f"peak {peak:.0f} MiB")
    k = min(len(series), 1000)
    t0 = time.perf_counter()
    for s in series[:k]:
        mzf.forecast(pd.Series(s, index=range(2020 - len(s), 2020)), until=2024)
    print(f"mzforecast.forecast one series at a time: {k / (time.perf_counter() - t0):,.0f} series/s ({k} series)")
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoETS, Naive
    except ImportError:
        print("statsforecast not installed (pip install -e '.[bench]'): no comparison")
        return 0
    rows = [pd.DataFrame({"unique_id": i, "ds": np.arange(len(s)), "y": s}) for i, s in enumerate(series)]
    df = pd.concat(rows, ignore_index=True)
    # AutoETS refuses series of 3-4 points ('tiny datasets'); those fall back to Naive, as statsforecast allows
    sf = StatsForecast(models=[AutoETS(season_length=1)], freq=1, n_jobs=1, fallback_model=Naive())
    with warnings.catch_warnings():  # statsforecast's own divide-by-zero notes on 2-5 point fits
        warnings.simplefilter("ignore", RuntimeWarning)
        sf.forecast(df=df.head(50), h=5)  # warm up the numba compilation
        tracemalloc.start()
        t0 = time.perf_counter()
        sf.forecast(df=df, h=5, level=[80, 95])
        el = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    print(f"statsforecast AutoETS (n_jobs=1, after warm-up): {len(series) / el:,.0f} series/s, peak {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
