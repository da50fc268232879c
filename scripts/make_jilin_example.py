"""Write data/examples/jilin-prefectures-synthetic.csv: SYNTHETIC figures for Jilin's 9 prefectures.

The numbers are seeded random trends, not statistics: they exist so the regions dashboard
(params/jilin-prefectures-example.yaml) can be seen. The file is read only when passed as a
data file; it is never merged into data/observations.csv. Run from the repository root.
"""
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "data" / "examples" / "jilin-prefectures-synthetic.csv"
PREFECTURES = ["changchun", "jilin_city", "siping", "liaoyuan", "tonghua", "baishan", "songyuan", "baicheng",
               "yanbian"]
SOURCE = "synthetic-example"
NOTE = "合成示例数据，非真实统计 (synthetic example, not real statistics)"
# indicator, unit, 2016 level (range), yearly change (range), kind
SPECS = [
    ("dibao_allowance_urban", "yuan/person/month", (380, 470), (0.02, 0.08), "growth"),
    ("tekun_standard_rural_scattered", "yuan/person/year", (5200, 6400), (0.03, 0.09), "growth"),
    ("rural_community_service_centre_coverage", "percent", (45, 70), (1.0, 5.5), "points"),
    ("elderly_care_worker_certification_rate", "percent", (55, 80), (0.5, 4.5), "points"),
    ("social_organisations_per_10000_people", "per 10000 people", (3.2, 5.0), (0.02, 0.25), "add"),
]


def main():
    rng = np.random.default_rng(2026)
    years = np.arange(2016, 2024)
    rows = []
    for ind, unit, (lo, hi), (glo, ghi), how in SPECS:
        for r in PREFECTURES:
            v0, g = rng.uniform(lo, hi), rng.uniform(glo, ghi)
            noise = rng.normal(0, 0.01 if how == "growth" else 0.4 if how == "points" else 0.03, len(years))
            if how == "growth":
                vals = v0 * np.cumprod(np.r_[1, np.full(len(years) - 1, 1 + g)]) * (1 + noise)
            else:
                vals = v0 + g * np.arange(len(years)) + noise
            if how == "points":
                vals = np.clip(vals, 0, 100)
            if how == "growth":  # administered standards are never cut
                vals = np.maximum.accumulate(vals)
            for y, v in zip(years, vals):
                rows.append(dict(region=r, indicator=ind, year=int(y), value=round(float(v), 2), unit=unit,
                                 source=SOURCE, quote="", note=NOTE))
    df = pd.DataFrame(rows)
    keep = rng.random(len(df)) > 0.04  # a few missing years, as real returns have
    df = df[keep | (df.year == 2020)]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(OUT, index=False)
    print(f"{OUT.relative_to(ROOT)}: {len(df)} rows")


if __name__ == "__main__":
    main()
