"""Scale: one `regions: all` plan over a national county data set (synthetic), load + assess timed.

    python bench/scale.py                      # 2,850 counties x 50 indicators, yearly 2016-2025
    python bench/scale.py --counties 300       # smaller
    python bench/scale.py --write DIR          # also keep the synthetic CSV and plan in DIR, so
                                               # `mzforecast assess --plan DIR/... --data DIR/...` can be run by hand
    python bench/scale.py --regions 50000      # `mzforecast run` of the regions dashboard on 50,000 regions
                                               # x 3 targets: wall time and peak memory of the whole run
    python bench/scale.py --regions 12000 --phases  # the same run's steps timed one by one (in one process)

The data set is SYNTHETIC (seeded random walks, region ids cnty0001..., indicators syn_01...),
written to a temporary folder (or DIR), never into data/. Prints what it measured.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

YEARS = np.arange(2016, 2026)
SOURCE = "synthetic (bench/scale.py): not real data"


def indicator_specs(n: int) -> list[dict]:
    """n synthetic indicators: mostly levels (standards, counts), some shares (0-100 %), some densities;
    every tenth (syn_01, syn_11, ...) declared never cut, as administered standards are."""
    out = []
    for k in range(n):
        kind = "share" if k % 5 == 3 else ("ratio" if k % 10 == 7 else "level")
        unit = "percent" if kind == "share" else ("beds" if kind == "ratio" else "yuan/person/month")
        spec = dict(id=f"syn_{k + 1:02d}", name_zh=f"合成指标{k + 1:02d}（示例数据）",
                    name_en=f"synthetic indicator {k + 1:02d}", unit=unit, kind=kind)
        if k % 10 == 0:  # like an administered standard (低保): only raised or held, in every sample path
            spec["monotone"] = "nondecreasing"
        out.append(spec)
    return out


def synthetic_long(n_regions: int, specs: list[dict], seed: int = 0, years=YEARS) -> pd.DataFrame:
    """Long table of seeded random walks, with the patterns real county data has: full histories,
    late starts, missing years, only a start and an end value, one value, constant series."""
    rng = np.random.default_rng(seed)
    ny = len(years)
    m = len(specs)
    pattern = rng.choice(6, size=(n_regions, m), p=[0.72, 0.10, 0.05, 0.05, 0.03, 0.05])
    keep = np.ones((n_regions, m, ny), bool)
    keep[pattern == 1, :3] = False                                   # starts three years late
    gap = rng.integers(1, ny - 1, size=(n_regions, m))
    keep[(pattern == 2)[..., None] & (np.arange(ny) == gap[..., None])] = False  # one missing year
    keep[(pattern == 3)[..., None] & ~np.isin(years, [years[-1] - 5, years[-1]])] = False  # start and end only
    keep[(pattern == 4)[..., None] & (years != years[-1])] = False   # one value
    keep[(pattern == 5), -1] = False                                 # last year not yet reported
    growth = rng.normal(0.05, 0.03, size=(n_regions, m, 1)) + rng.normal(0, 0.04, size=(n_regions, m, ny))
    level = rng.lognormal(6, 0.5, size=(n_regions, m, 1)) * np.cumprod(1 + growth, axis=2)
    for k, s in enumerate(specs):
        if s["kind"] == "share":
            z = rng.normal(0, 1, size=(n_regions, 1)) + np.cumsum(rng.normal(0.15, 0.2, size=(n_regions, ny)), axis=1)
            level[:, k, :] = 100 / (1 + np.exp(-z))
    level[:, 0, :][rng.random(n_regions) < 0.01] = 500.0             # a few constant series
    r, k, y = np.nonzero(keep)
    return pd.DataFrame({"region": np.char.add("cnty", np.char.zfill((r + 1).astype(str), 4)),
                         "region_name": np.char.add("合成县", np.char.zfill((r + 1).astype(str), 4)),
                         "indicator": np.array([s["id"] for s in specs])[k], "year": years[y],
                         "value": np.round(level[r, k, y], 2), "source": SOURCE})


def plan_doc(specs: list[dict], plan_id="synthetic-counties", base_year=2025, target_year=2030, regions="all"):
    """One target per indicator, of every kind the regions path handles."""
    targets = []
    for k, s in enumerate(specs):
        tid = f"t{k + 1:02d}"
        base = dict(id=tid, indicator=s["id"], unit=s["unit"], binding=k % 2 == 0, quote=f"合成目标 {tid}（示例）")
        if s["kind"] == "share":
            targets.append(dict(base, comparator=">=", value=85))
        elif k % 10 == 1:
            targets.append(dict(base, comparator=">=", relative={"pct": 25}))
        elif k % 10 == 5:
            targets.append(dict(base, kind="growth", comparator=">=", value=4, unit="percent"))
        elif k % 10 == 9:
            targets.append(dict(base, kind="change", comparator=">=", value=200))
        elif k % 10 == 4 and k + 1 < len(specs):
            targets.append(dict(base, kind="ratio", denominator=specs[k + 1]["id"], comparator=">=", value=0.9,
                                unit="times"))
        elif k % 10 == 6:
            targets.append(dict(base, comparator="<=", value=1500))
        else:
            targets.append(dict(base, comparator=">=", value=1200))
    return dict(id=plan_id, name_zh="合成县级规划（示例，合成数据）", name_en="synthetic county plan (example)",
                regions=regions, example=True, source="synthetic", base_year=base_year, target_year=target_year,
                targets=targets)


def write(folder: Path, n_regions: int, n_indicators: int, seed: int = 0) -> tuple[Path, Path]:
    """Write the synthetic CSV (+ its indicator definitions) and the regions: all plan; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    specs = indicator_specs(n_indicators)
    csv = folder / "counties-synthetic.csv"
    synthetic_long(n_regions, specs, seed).to_csv(csv, index=False)
    csv.with_suffix(".indicators.yaml").write_text(
        yaml.safe_dump({"indicators": specs}, allow_unicode=True, sort_keys=False), encoding="utf-8")
    plan = folder / "counties-synthetic-plan.yaml"
    plan.write_text(yaml.safe_dump(plan_doc(specs), allow_unicode=True, sort_keys=False), encoding="utf-8")
    return csv, plan


def run_regions(n_regions: int, seed: int, folder: Path) -> int:
    """`mzforecast run` (regions_dashboard notebook) on n_regions x 3 targets: wall and CPU time, peak
    resident memory of the largest process and of the whole process tree (CLI, kernel, workers)."""
    import psutil
    subprocess.run([sys.executable, __file__, "--only-write", "--write", str(folder), "--counties", str(n_regions),
                    "--indicators", "3", "--seed", str(seed)], check=True)
    csv, plan = folder / "counties-synthetic.csv", folder / "counties-synthetic-plan.yaml"
    params = folder / "regions-run.yaml"
    params.write_text(yaml.safe_dump(dict(notebook="regions_dashboard", plan=str(plan), language="zh",
                                          data_file=str(csv))), encoding="utf-8")
    rows = sum(1 for _ in open(csv, encoding="utf-8")) - 1
    out = folder / "out"
    exe = Path(sys.executable).with_name("mzforecast")
    cmd = [str(exe) if exe.exists() else sys.executable, *([] if exe.exists() else ["-m", "mzforecast"]),
           "run", str(params), "--out", str(out), "--timeout", "3600"]  # a loaded machine: report, not time out
    env = dict(os.environ, SOURCE_DATE_EPOCH=os.environ.get("SOURCE_DATE_EPOCH", "1700000000"))
    load0 = os.getloadavg()
    t0 = time.perf_counter()
    proc = psutil.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)  # the data generator's share, taken off below
    peak_tree = peak_one = 0
    while proc.poll() is None:
        try:
            tree = [proc, *proc.children(recursive=True)]
            rss = [p.memory_info().rss for p in tree if p.is_running()]
            peak_tree, peak_one = max(peak_tree, sum(rss)), max(peak_one, max(rss))
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.perf_counter() - t0
    log = proc.stdout.read()
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    print(log.strip())
    sizes = {p.name: p.stat().st_size for p in sorted(out.iterdir()) if p.is_file()} if out.is_dir() else {}
    print(f"mzforecast run, regions_dashboard: {n_regions:,} regions x 3 targets = {3 * n_regions:,} region-targets, "
          f"data {rows:,} rows; exit {proc.returncode}")
    cpu = ru.ru_utime + ru.ru_stime - ru0.ru_utime - ru0.ru_stime
    print(f"wall {wall:.1f} s; CPU {cpu:.1f} s (all processes); peak memory (resident, sampled every 0.2 s): "
          f"largest process {peak_one / 2**20:,.0f} MiB, whole process tree {peak_tree / 2**20:,.0f} MiB; cores: "
          f"{os.cpu_count()}; load average before {load0[0]:.2f} {load0[1]:.2f} {load0[2]:.2f}, "
          f"after {os.getloadavg()[0]:.2f}")
    print("outputs: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sizes.items()))
    return proc.returncode


def phases(n_regions: int, seed: int, folder: Path) -> int:
    """The steps of that run one after another in this process, each timed (wall and CPU of this
    process and of the processes it forked and waited for), to see where a run's time goes:
    the run's check of the data file, the kernel taking the checked Dataset, the assessment
    (regions divided between forked processes), the page's parts, the rows handed to the run,
    and the summaries (summary.xlsx in a forked process from 20,000 rows, as the run writes it)."""
    import io
    import json
    from contextlib import redirect_stdout

    subprocess.run([sys.executable, __file__, "--only-write", "--write", str(folder), "--counties", str(n_regions),
                    "--indicators", "3", "--seed", str(seed)], check=True)
    csv, plan = folder / "counties-synthetic.csv", folder / "counties-synthetic-plan.yaml"
    import mzforecast as mzf
    from mzforecast import regional
    from mzforecast.data import checked, load_bundled
    from mzforecast.pages import regions as rr
    from mzforecast.running.output import write_summary
    load_bundled()  # imports and the bundled data: in the run, done while the kernel starts
    total = [0.0, 0.0]

    def timed(name, fn):
        t0, c0, k0 = time.perf_counter(), time.process_time(), resource.getrusage(resource.RUSAGE_CHILDREN)
        out = fn()
        k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0 + k1.ru_utime + k1.ru_stime - k0.ru_utime - k0.ru_stime
        total[0] += wall
        total[1] += cpu
        print(f"  {name}: {wall:.1f} s wall, {cpu:.1f} s CPU", flush=True)
        return out

    print(f"phases of `mzforecast run` (regions_dashboard), {n_regions:,} regions x 3 targets, one after another:")
    ds = timed("the run checks the data file (load)", lambda: mzf.load(str(csv)))
    room = Path(tempfile.mkdtemp(prefix="mzf-scale-checked-"))
    timed("the run keeps the checked Dataset (data.checked.keep)", lambda: checked.keep(ds, str(csv), None, room))
    os.environ[checked.FOLDER_VARIABLE] = str(room)
    ds = timed("the kernel takes it (load)", lambda: mzf.load(str(csv)))
    del os.environ[checked.FOLDER_VARIABLE]
    p = mzf.get_plan(str(plan), ds)
    res = timed("assessment (regional.assess_regions)", lambda: regional.assess_regions(p, ds))

    def page():
        parts = [rr.page_header(p, ds, res, None, "zh")]
        for t in p.targets:
            parts.append(rr.target_section(t, res, ds, "zh"))
            for fig in (rr.dot_plot(t, res, ds, "zh"), rr.small_multiples(t, res, ds, None, "auto", "zh")):
                with redirect_stdout(io.StringIO()):
                    mzf.pages.show(fig)
        return parts
    timed("the page's parts and charts", page)
    text = timed("the rows as JSON (html.record_summary's file)",
                 lambda: res.to_json(orient="records", force_ascii=False))
    rows = timed("the run reads them (records_of)", lambda: json.loads(text))
    del text
    stage = Path(tempfile.mkdtemp(prefix="mzf-scale-summary-"))

    def summaries():
        _, book = write_summary(stage, [dict(name="regions-run", ok=True, params_file="x", records=rows)])
        book.wait()
    timed("summary.csv, .json and .xlsx (running.output.write_summary)", summaries)
    print(f"  sum: {total[0]:.1f} s wall, {total[1]:.1f} s CPU; peak memory (max RSS of this process): "
          f"{peak_rss_mib():,.0f} MiB; cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.2f}")
    import shutil
    shutil.rmtree(room, ignore_errors=True)
    shutil.rmtree(stage, ignore_errors=True)
    return 0


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--counties", type=int, default=2850)
    ap.add_argument("--indicators", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write", metavar="DIR", help="keep the synthetic files in DIR (default: a temp folder)")
    ap.add_argument("--compare", type=int, default=0, metavar="N",
                    help="also time attainment.assess one at a time on N random region-targets")
    ap.add_argument("--regions", type=int, default=0, metavar="N",
                    help="time `mzforecast run` (regions dashboard) on N regions x 3 targets instead")
    ap.add_argument("--phases", action="store_true",
                    help="with --regions: time the run's steps one after another in this process instead")
    ap.add_argument("--only-write", action="store_true", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.regions:
        tmp = None if a.write else tempfile.mkdtemp(prefix="mzf-scale-run-")
        try:
            return (phases if a.phases else run_regions)(a.regions, a.seed, Path(a.write or tmp))
        finally:
            if tmp:
                import shutil
                shutil.rmtree(tmp, ignore_errors=True)
    if a.only_write:
        write(Path(a.write), a.counties, a.indicators, a.seed)
        return 0
    tmp = None
    folder = Path(a.write) if a.write else Path(tmp := tempfile.mkdtemp(prefix="mzf-scale-"))
    t0 = time.perf_counter()
    # generated in a child process, so the peak memory below is the tool's, not the generator's
    subprocess.run([sys.executable, __file__, "--only-write", "--write", str(folder), "--counties", str(a.counties),
                    "--indicators", str(a.indicators), "--seed", str(a.seed)], check=True)
    csv, plan = folder / "counties-synthetic.csv", folder / "counties-synthetic-plan.yaml"
    import mzforecast as mzf
    from mzforecast import regional
    print(f"synthetic data: {a.counties:,} counties x {a.indicators} indicators, {YEARS[0]}-{YEARS[-1]}, "
          f"{sum(1 for _ in open(csv, encoding='utf-8')) - 1:,} rows written in {time.perf_counter() - t0:.1f} s "
          f"({csv})")
    mzf.load()  # the bundled data, validated once per process, as in any session
    rss0 = peak_rss_mib()
    t0, c0 = time.perf_counter(), time.process_time()
    ds = mzf.load([csv])
    t_load, c_load = time.perf_counter() - t0, time.process_time() - c0
    t1, c1 = time.perf_counter(), time.process_time()
    n = 0
    for chunk in regional.iter_assess(str(plan), ds, progress=sys.stderr.isatty()):
        n += len(chunk)
    t_assess, c_assess = time.perf_counter() - t1, time.process_time() - c1
    total = t_load + t_assess
    print(f"load: {t_load:.1f} s wall ({c_load:.1f} s CPU); assess: {n:,} region-targets in {t_assess:.1f} s wall "
          f"({c_assess:.1f} s CPU)")
    print(f"load + assess: {n / total:,.0f} region-targets/s wall clock, {n / (c_load + c_assess):,.0f}/s per CPU "
          f"second (one process; goal >= 2,000/s); "
          f"peak memory (max RSS of the process): {peak_rss_mib():,.0f} MiB, {rss0:,.0f} MiB of it "
          f"before loading; cores: {os.cpu_count()}, load average "
          f"{os.getloadavg()[0]:.1f}")
    if a.compare:
        from mzforecast import attainment
        p = mzf.get_plan(str(plan), ds)
        fixed = [t for t in p.targets if t.relative is None]
        rng = np.random.default_rng(a.seed)
        regions = regional.regions_of(p, ds)
        pairs = [(fixed[i], regions[k]) for i, k in zip(rng.integers(0, len(fixed), a.compare),
                                                         rng.integers(0, len(regions), a.compare))]
        attainment.assess(pairs[0][0].for_region(pairs[0][1]), ds)  # builds the dataset's per-series index
        t0 = time.perf_counter()
        for t, r in pairs:
            attainment.assess(t.for_region(r), ds)
        el = time.perf_counter() - t0
        print(f"one at a time (attainment.assess, {a.compare:,} random region-targets): {a.compare / el:,.0f}/s")
    if tmp:
        import shutil
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
