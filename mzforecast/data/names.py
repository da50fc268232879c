"""Region and indicator ids from what an analyst types: the id, or a unique Chinese or English
name ('长春市', '长春', 'Changchun'); a plan's one region. Imports only errors.
"""
from __future__ import annotations

from ..errors import DataError


def resolve_id(name, items: dict, suffixes: tuple) -> str:
    """An id from an id or a unique name (a trailing 市/省… optional); else `name` unchanged, for the
    caller's 'unknown … did you mean' message."""
    key = str(name).strip()
    if key in items:
        return key
    low = key.lower()
    exact = [i for i, m in items.items()
             if low == i.lower() or key == m.name_zh or (m.name_en and low == m.name_en.lower())]
    if len(exact) == 1:
        return exact[0]
    short = [i for i, m in items.items() if suffixes and m.name_zh.endswith(suffixes) and m.name_zh[:-1] == key]
    return short[0] if len(short) == 1 else key


def plan_region(plan, region: str | None = None, ids=()) -> str:
    """`region`, else the plan's one region; for a plan over several regions (`ids`: every known
    region, for `regions: all`) a clear request for one instead of an empty id."""
    if region or plan.regions is None:
        return region or plan.region
    many = list(ids) if plan.regions == "all" else list(plan.regions)
    raise DataError(f"plan '{plan.id}' covers several regions ({', '.join(many[:5])}{', …' if len(many) > 5 else ''}"
                    f"; {len(many)} in all)", fix="name one region: --region ID (template), or region: ID in a draft")
