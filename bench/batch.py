"""Wall and CPU time of the default batch (`mzforecast run` on every bundled params file, as a
scheduled job runs it) against the previous release's way of running it, in one process:

- previous: a new kernel per notebook, the notebooks in the index's order, a font subset made
  anew for every page (`run(fresh_kernels=True)`);
- now, cold: one kernel per worker reused, longest notebooks first, one font subset for the
  characters of all pages embedded in each, the font-subset cache empty (a clean clone);
- now, warm: the same again, the font-subset cache and the recorded seconds left by the cold run
  (every later run whose pages show the same characters).

Every notebook each way must be identical byte for byte (SOURCE_DATE_EPOCH pins the times in
them), and so must every page once its @font-face is taken out (the font differs by design: one
subset per page, or one per run); the index differs only in the seconds it shows. The total
size of the pages each way is printed: what one subset per run costs in bytes.

    python bench/batch.py [--jobs 2] [--rounds 1]
"""
import argparse
import os
import re
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


def without_font(data: bytes) -> bytes:
    return re.sub(rb"@font-face\{[^}]*\}", b"", data)


def differing(a: Path, b: Path) -> list[str]:
    """Notebooks and pages (without their font) of two runs that differ; the index is left out."""
    names = sorted(p.name for p in a.iterdir() if p.suffix in (".html", ".ipynb") and p.name != "index.html")
    names += sorted(set(p.name for p in b.iterdir() if p.suffix in (".html", ".ipynb")) - set(names) - {"index.html"})
    strip = {".html": without_font, ".ipynb": lambda x: x}
    return [n for n in names if not (a / n).is_file() or not (b / n).is_file()
            or strip[Path(n).suffix]((a / n).read_bytes()) != strip[Path(n).suffix]((b / n).read_bytes())]


def page_bytes(out: Path) -> tuple[int, int]:
    """Total size of a run's pages (index included), and of the @font-face in them."""
    pages = [p.read_bytes() for p in out.glob("*.html")]
    return sum(map(len, pages)), sum(len(x) - len(without_font(x)) for x in pages)


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
                    best[way] = (wall, cpu, ok, len(results), page_bytes(out))
                if way != "previous":
                    diff = differing(d / f"previous-{r}", out)
                    print(f"round {r + 1}, {way}: notebooks and pages differing from the previous way: {diff or 'none'}")
        print(f"{len(results)} notebooks, --jobs {a.jobs}, {os.cpu_count()} cores, load average before: "
              f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; best of {a.rounds}")
        prev = best["previous"][0]
        for way, (wall, cpu, ok, n, (size, font)) in best.items():
            print(f"  {way:<10} {wall:5.1f} s wall {cpu:5.1f} s CPU  {ok}/{n} ok  "
                  f"wall ratio previous/this {prev / wall:.2f}x  pages {size / 1e6:.2f} MB, fonts {font / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
