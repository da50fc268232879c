"""What is there to forecast: indicators and regions as DataFrames, searchable by Chinese or
English name, with the years that have data.

Data layer (reads a Dataset only).
"""
from __future__ import annotations

import pandas as pd

from .data import describe_years, load


def indicators(search: str | None = None, data=None) -> pd.DataFrame:
    """The indicators, with their units and the years that have data.

    Parameters
    ----------
    search : str, optional
        Keep indicators whose id, Chinese or English name contains this text ("低保", "elderly");
        case does not matter.
    data : Dataset, str, Path, DataFrame or list, optional
        Data as ``mzf.load`` takes it (default: the bundled data).

    Returns
    -------
    pandas.DataFrame
        Indexed by nothing, one row per indicator: id, name_zh, name_en, unit, kind, regions (how
        many regions have data), years (e.g. "2010-2015, 2018 (7 years)"), first_year, last_year.
    """
    ds = load(data)
    obs = ds.observations
    by = {k: g for k, g in obs.groupby("indicator")}
    rows = []
    for i, m in ds.indicators.items():
        g = by.get(i)
        years = sorted(set(int(y) for y in g.year)) if g is not None else []
        rows.append(dict(id=i, name_zh=m.name_zh, name_en=m.name_en, unit=m.unit, kind=m.kind,
                         regions=int(g.region.nunique()) if g is not None else 0,
                         years=describe_years(years) if years else "",
                         first_year=years[0] if years else pd.NA, last_year=years[-1] if years else pd.NA))
    out = pd.DataFrame(rows)
    out["first_year"], out["last_year"] = out["first_year"].astype("Int64"), out["last_year"].astype("Int64")
    if search:
        q = str(search).strip().lower()
        hit = out[["id", "name_zh", "name_en"]].apply(lambda c: c.str.lower().str.contains(q, regex=False))
        out = out[hit.any(axis=1)].reset_index(drop=True)
    return out


def regions(data=None) -> pd.DataFrame:
    """The regions, with how many indicators and years each has data for.

    Parameters
    ----------
    data : Dataset, str, Path, DataFrame or list, optional
        Data as ``mzf.load`` takes it (default: the bundled data).

    Returns
    -------
    pandas.DataFrame
        One row per region: id, name_zh, name_en, parent, indicators (with data), years.
    """
    ds = load(data)
    by = {k: g for k, g in ds.observations.groupby("region")}
    rows = []
    for r, m in ds.regions.items():
        g = by.get(r)
        rows.append(dict(id=r, name_zh=m.name_zh, name_en=m.name_en, parent=m.parent or "",
                         indicators=int(g.indicator.nunique()) if g is not None else 0,
                         years=describe_years(g.year) if g is not None else ""))
    return pd.DataFrame(rows)
