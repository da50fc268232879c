"""Units as the documents state them, and the conversions between them.

The documents mix 万/亿 multipliers and monthly/yearly money rates; the dataset stores base
units, and user files may bring any of the spellings below.
"""
from __future__ import annotations

import unicodedata

from .errors import DataError

# canonical unit -> (dimension, factor to the dimension's base unit)
_CANON: dict[str, tuple[str, float]] = {
    "yuan": ("money", 1.0),
    "yuan/person/month": ("money_rate", 12.0),
    "yuan/person/year": ("money_rate", 1.0),
    "percent": ("percent", 1.0),
    "times": ("times", 1.0),
}
_COUNT_UNITS = {
    "people", "beds", "institutions", "organisations", "person-times", "couples", "households",
    "townships", "warehouses", "stations", "centres", "courtyards", "venues", "posts", "graves",
    "agencies", "halls", "registries", "shelters", "communities", "facilities", "names", "outlets",
    "complexes", "parks", "enterprises", "jobs", "certificates", "classes", "funeral homes",
    "varieties", "memorials", "villages", "councils", "grids", "services", "districts", "streets", "cases",
    "counties", "doorplates", "signs", "projects", "items", "categories",
}
_RATE_UNITS = {"beds per 1000 elderly", "per 1000 elderly", "per 100 beds", "per 10000 people",
               "per community", "m2 per 100 households", "m2", "minutes", "times per year"}

# spelling -> (canonical, multiplier)
ALIASES: dict[str, tuple[str, float]] = {
    "元": ("yuan", 1.0), "万元": ("yuan", 1e4), "亿元": ("yuan", 1e8),
    "元/人·月": ("yuan/person/month", 1.0), "元/人/月": ("yuan/person/month", 1.0),
    "元/人·年": ("yuan/person/year", 1.0), "元/人/年": ("yuan/person/year", 1.0),
    "%": ("percent", 1.0), "倍": ("times", 1.0),
    "人": ("people", 1.0), "万人": ("people", 1e4), "张": ("beds", 1.0), "万张": ("beds", 1e4),
    "个": ("institutions", 1.0), "家": ("organisations", 1.0), "人次": ("person-times", 1.0),
    "万人次": ("person-times", 1e4), "对": ("couples", 1.0), "万对": ("couples", 1e4),
    "户": ("households", 1.0), "万户": ("households", 1e4),
    "张/千名老人": ("beds per 1000 elderly", 1.0),
    "平方米": ("m2", 1.0),
    # the Chinese spellings the template writes (fmt.UNIT_ZH) read back as their unit
    "平方米/百户": ("m2 per 100 households", 1.0), "分钟": ("minutes", 1.0), "次/年": ("times per year", 1.0),
    "个/千名老人": ("per 1000 elderly", 1.0), "个/百张床位": ("per 100 beds", 1.0), "个/万人": ("per 10000 people", 1.0),
    "个/社区": ("per community", 1.0), "项": ("items", 1.0), "块": ("signs", 1.0), "条": ("streets", 1.0),
    "件": ("cases", 1.0), "期": ("classes", 1.0), "种": ("varieties", 1.0), "类": ("categories", 1.0),
}
DISPLAY_ZH = {
    "yuan": "元", "yuan/person/month": "元/人·月", "yuan/person/year": "元/人·年", "percent": "%",
    "times": "倍", "people": "人", "beds": "张", "institutions": "个", "organisations": "个",
    "person-times": "人次", "couples": "对", "households": "户", "beds per 1000 elderly": "张/千名老人",
    "m2": "平方米", "m2 per 100 households": "平方米/百户",
}


def is_count(unit: str) -> bool:
    """Counts of things (people, beds, communities…): shown without decimals once they reach 10."""
    return unit in _COUNT_UNITS


def known_units() -> set[str]:
    return set(_CANON) | _COUNT_UNITS | _RATE_UNITS


def normalise(unit: str) -> tuple[str, float]:
    """Return (canonical unit, multiplier to it) for any accepted spelling; full-width forms (％, ｍ)
    are their ASCII letters, as a value's digits are."""
    u = unicodedata.normalize("NFKC", str(unit)).strip()
    if u in _CANON or u in _COUNT_UNITS or u in _RATE_UNITS:
        return u, 1.0
    if u in ALIASES:
        return ALIASES[u]
    raise KeyError(u)


def _dim(unit: str) -> tuple[str, float]:
    if unit in _CANON:
        return _CANON[unit]
    return (unit, 1.0)


def convertible(src: str, dst: str) -> bool:
    return _dim(src)[0] == _dim(dst)[0] or (src in _COUNT_UNITS and dst in _COUNT_UNITS)


def factor(src: str, dst: str) -> float:
    """Multiplier that turns a value in canonical unit `src` into canonical unit `dst`."""
    if src == dst:
        return 1.0
    ds, fs = _dim(src)
    dd, fd = _dim(dst)
    if ds != dd:
        if src in _COUNT_UNITS and dst in _COUNT_UNITS:
            return 1.0  # counts of things: the noun differs, the number does not
        raise ValueError(f"cannot convert {src} to {dst}")
    return fs / fd  # value in src * (base per src) / (base per dst)


def convert(value, src: str, dst: str, *, file=None, row=None):
    """Convert `value` from any spelling of a unit to the canonical unit `dst`, or say why not."""
    try:
        canon, mult = normalise(src)
    except KeyError:
        raise DataError(f"unknown unit '{src}'", file=file, row=row, column="unit",
                        fix=f"use the indicator's unit '{dst}' or one of: " + ", ".join(sorted(ALIASES))) from None
    if not convertible(canon, dst):
        raise DataError(f"unit '{src}' cannot be converted to the indicator's unit '{dst}'",
                        file=file, row=row, column="unit", fix=f"give the value in '{dst}'")
    return value * mult * factor(canon, dst)
