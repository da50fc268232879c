"""Target phrases of plan indicator tables ("≥ 55%", "达到35–40张", "不低于上年度城乡低保标准的1.5倍") read
into the parts of a plan target: comparator, value, upper value, unit, kind and tolerance.

Only the forms below are read; anything else gives None and the caller lists it for the user,
so a phrase is never guessed. 约/左右 get the tolerance the bundled plans use (5% of the value).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

NUM = r"(\d+(?:\.\d+)?)"
_CMP_WORDS = [("不低于", ">="), ("不少于", ">="), ("达到", ">="), ("≥", ">="), (">=", ">="), ("超过", ">"),
              ("高于", ">"), (">", ">"), ("不高于", "<="), ("不超过", "<="), ("控制在", "<="), ("≤", "<="),
              ("<=", "<="), ("低于", "<"), ("<", "<"), ("=", "==")]
_SUFFIX = {"以上": ">=", "及以上": ">=", "以下": "<=", "及以下": "<=", "以内": "<="}
_MULT = {"万": 1e4, "亿": 1e8}
TOLERANCE_SHARE = 0.05  # 约/左右: as in the bundled plans (changchun-13th), 5% of the value


@dataclass
class Reading:
    comparator: str | None  # None: the table gives no direction (the indicator's direction decides)
    value: float
    unit: str  # as written: %, 个, 张, 平方米, 分钟, 倍 … ('' if none)
    kind: str = "level"  # level, ratio, growth, change
    value_high: float | None = None
    tolerance: float | None = None
    lag: int = 0  # ratio to the previous year's value of the other indicator (上年度)
    of: str = ""  # what a 倍 ratio is taken of, as written

    def note(self) -> str:
        if self.tolerance is None:
            return ""
        return f"'约/左右' read with a tolerance of {self.tolerance:g} (5% of the value)"


def normalise(text: str) -> str:
    """Full-width forms to ASCII, no spaces, every dash or 至/~ between numbers as '-'."""
    s = unicodedata.normalize("NFKC", str(text))
    s = re.sub(r"\s+", "", s)
    return re.sub(r"(?<=\d)(?:[–—－~〜～]|至|到)(?=\d)", "-", s)


def _prefix(s: str) -> tuple[str | None, str]:
    for word, cmp in _CMP_WORDS:
        if s.startswith(word):
            return cmp, s[len(word):]
    return None, s


def read(text: str) -> Reading | None:
    """The target a phrase states, or None when it is not one of the forms this reads."""
    s = normalise(text)
    if not s:
        return None
    cmp, rest = _prefix(s)
    if m := re.fullmatch(r"(上年度|上年)?(.+?)的" + NUM + r"倍(以上)?", rest):
        return Reading(cmp or (">=" if m.group(4) else None), float(m.group(3)), "倍", kind="ratio",
                       lag=1 if m.group(1) else 0, of=m.group(2))
    if m := re.fullmatch(r"年均增长(约)?" + NUM + r"%(左右)?(以上)?", rest):
        v = float(m.group(2))
        tol = round(v * TOLERANCE_SHARE, 10) if (m.group(1) or m.group(3)) else None
        return Reading(cmp or ">=", v, "%", kind="growth", tolerance=tol)
    kind = "level"
    if m := re.match(r"(累计)?新增", rest):
        kind, rest = "change", rest[m.end():]
    approx = rest.startswith("约")
    rest = rest[1:] if approx else rest
    m = re.fullmatch(NUM + r"(?:-" + NUM + r")?(万|亿)?([^\d\-]*?)(左右|及以上|以上|及以下|以下|以内)?", rest)
    if not m or (m.group(4) and re.search(r"[\d<>=≤≥]", m.group(4))):
        return None
    mult = _MULT.get(m.group(3) or "", 1.0)
    lo = float(m.group(1)) * mult
    hi = float(m.group(2)) * mult if m.group(2) else None
    unit, suffix = m.group(4) or "", m.group(5)
    approx = approx or suffix == "左右"
    if suffix in _SUFFIX:
        if cmp is not None and cmp != _SUFFIX[suffix]:
            return None  # "不低于50%以下": contradictory
        cmp = _SUFFIX[suffix]
    if hi is not None and hi < lo:
        return None
    if hi is not None and cmp is None:
        cmp = "between"
    elif hi is not None and cmp != ">=":
        return None  # "≤ 35-40": no reading
    if unit and not re.fullmatch(r"[^\W\d_]+(?:/[^\W\d_]+)?|%|平方米|m2|㎡", unit):
        return None
    tol = round(lo * TOLERANCE_SHARE, 10) if approx else None
    return Reading(cmp, lo, unit, kind=kind, value_high=hi, tolerance=tol)


BINDING = {"约束性": True, "预期性": False}


def binding(text: str) -> bool | None:
    """属性: 约束性 -> True, 预期性 -> False, anything else None."""
    return BINDING.get(re.sub(r"\s+", "", str(text)))
