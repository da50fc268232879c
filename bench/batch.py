"""Wall and CPU time of the default batch (`mzforecast run` on every bundled params file, as a
scheduled job runs it) against the previous release's way of running it, in one process:

- previous: a new kernel per notebook, the notebooks in the index's order, a font subset made
  anew for every page (`run(fresh_kernels=True)`);
- now, cold: one kernel per worker reused, longest notebooks first, the font-subset cache empty
  (the first run on a machine);
- now, warm: the same again, the font-subset cache and the recorded seconds left by the cold run
  (every later run whose pages show the same characters).

Every notebook and page each way must be identical byte for byte (SOURCE_DATE_EPOCH pins the
times in them); the index differs only in the seconds it shows.

    python bench/batch.py [--jobs 2] [--rounds 1]
"""
import argparse
import filecmp
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from mzforecast import running  # noqa: E402


def cpu_seconds() -> float:
    """This process and every child it has waited for (workers, and the kernels they reaped)."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def timed(out: Path, jobs: int, **kw):
    w0, c0 = time.perf_counter(), cpu_seconds()
    _, results = running.run([], out, jobs=jobs, quiet=True, **kw)
    return time.perf_counter() - w0, cpu_seconds() - c0, results


def differing(a: Path, b: Path) -> list[str]:
    """Files of two runs that differ (the index is compared without its timing column)."""
    names = sorted(p.name for p in a.iterdir() if p.suffix in (".html", ".ipynb") and p.name != "index.html")
    return [n for n in names if not filecmp.cmp(a / n, b / n, shallow=False)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1, help="repeat and keep each way's fastest wall time")
    a = ap.parse_args()
    os.environ.setdefault("SOURCE_DATE_EPOCH", "1764892800")
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        best = {}
        for r in range(a.rounds):
            os.environ["MZFORECAST_CACHE_DIR"] = str(d / f"cache-{r}")  # each round starts cold
            for way, out, kw in (("previous", d / f"previous-{r}", dict(fresh_kernels=True)),
                                 ("now, cold", d / f"now-{r}", {}), ("now, warm", d / f"now-{r}", {})):
                wall, cpu, results = timed(out, a.jobs, **kw)
                ok = sum(x["ok"] for x in results)
                if way not in best or wall < best[way][0]:
                    best[way] = (wall, cpu, ok, len(results))
                if way != "previous":
                    diff = differing(d / f"previous-{r}", out)
                    print(f"round {r + 1}, {way}: notebooks and pages differing from the previous way: {diff or 'none'}")
        print(f"{len(results)} notebooks, --jobs {a.jobs}, {os.cpu_count()} cores, load average before: "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; best of {a.rounds}")
        prev = best["previous"][0]
        for way, (wall, cpu, ok, n) in best.items():
            print(f"  {way:<10} {wall:5.1f} s wall {cpu:5.1f} s CPU  {ok}/{n} ok  "
                  f"wall ratio previous/this {prev / wall:.2f}x")


if __name__ == "__main__":
    main()
