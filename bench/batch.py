"""Wall time of the default batch (`mzforecast run` on every params file), as a scheduled job sees it.

    python bench/batch.py [--jobs N]
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mzforecast import runner  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--jobs", type=int, default=0)
a = ap.parse_args()
with tempfile.TemporaryDirectory() as d:
    t0 = time.perf_counter()
    index, results = runner.run([], Path(d) / "reports", jobs=a.jobs, progress=False)
    wall = time.perf_counter() - t0
ok = sum(r["ok"] for r in results)
print(f"{ok}/{len(results)} notebooks on {a.jobs or os.cpu_count()} workers ({os.cpu_count()} cores): "
      f"{wall:.1f} s wall; per notebook: " + ", ".join(f"{r['name']} {r['seconds']:.1f} s" for r in results))
