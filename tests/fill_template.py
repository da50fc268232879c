"""Test helper: fill a `mzforecast template` workbook with plausible figures, as an office would.

    python tests/fill_template.py t.xlsx filled.xlsx [--until 2024]

Every empty year cell from --since (default: the first column, so the base year too) up to
--until is filled; the grey (known) cells are left alone.
Plausible, not real: a row with known values continues them (yearly growth as observed
between its first and last known values in the bundled data, at most 6 %, else 4 %); a row with none starts at
three quarters of the plan's goal for that indicator in the base year (1.6 × for '<=' goals)
and moves towards it at a pace drawn once per row (seeded), so some rows end up ahead of the
plan's schedule and some behind. Shares stay within 0–100.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import openpyxl

from mzforecast.data import column_name, load
from mzforecast.io.template import DATA_SHEET
from mzforecast.targets import get_plan


def _goals(plan_id, ds):
    goals = {}
    for t in get_plan(plan_id, ds).targets:
        if t.kind == "level":
            goals.setdefault(t.indicator, (t.comparator, t.value, t.target_year))
    return goals


def fill(src: str | Path, dst: str | Path, plan_id: str, until: int = 2024, seed: int = 0, since: int = 0) -> int:
    """Fill src into dst; returns the number of cells filled."""
    ds = load()
    goals = _goals(plan_id, ds)
    plan = get_plan(plan_id, ds)
    rng = np.random.default_rng(seed)
    wb = openpyxl.load_workbook(src)
    ws = wb[DATA_SHEET]
    header = [column_name(c.value) for c in ws[1]]  # '指标代码（indicator）' -> 'indicator'
    ycols = {int(h): i for i, h in enumerate(header) if str(h).isdigit()}
    icol = header.index("indicator")
    n = 0
    for row in ws.iter_rows(min_row=2):
        ind = row[icol].value
        meta = ds.indicators[ind]
        known = {y: float(row[i].value) for y, i in ycols.items() if row[i].value not in (None, "")}
        region = row[header.index("region")].value
        history = {int(y): float(v) for y, v in ds.series(region, ind).items()} if known else {}
        pace = rng.uniform(0.55, 1.35)
        if known:
            ks = sorted(known)
            g = 0.04
            hs = sorted({**history, **known})
            allv = {**history, **known}
            if len(hs) >= 2 and allv[hs[0]] > 0:
                g = min((allv[hs[-1]] / allv[hs[0]]) ** (1 / (hs[-1] - hs[0])) - 1, 0.06)

            def value(y, ks=ks, g=g):
                ref = min(ks, key=lambda k: abs(k - y))
                return known[ref] * (1 + g) ** (y - ref)
        else:
            comp, goal, ty = goals.get(ind, (">=", 100.0, plan.target_year))
            start = goal * (1.6 if comp in ("<=", "<") else 0.75)
            B = plan.base_year

            def value(y, start=start, goal=goal, ty=ty, B=B, pace=pace):
                return start + (goal - start) * pace * (y - B) / max(ty - B, 1)
        for y, i in ycols.items():
            if y > until or y < since or row[i].value not in (None, ""):
                continue
            v = value(y)
            if meta.kind == "share":
                v = min(max(v, 0.0), 100.0)
            row[i].value = round(v, 2)
            n += 1
    wb.save(dst)
    return n


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--plan", default="changchun-14th")
    ap.add_argument("--until", type=int, default=2024)
    ap.add_argument("--since", type=int, default=0, help="leave years before this empty (default: fill all)")
    a = ap.parse_args(argv)
    print(f"filled {fill(a.src, a.dst, a.plan, a.until, since=a.since)} cells into {a.dst}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
