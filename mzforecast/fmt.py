"""One number formatter for pages, charts and the CLI table.

Values are written as planners write them: in the target's unit, never in scientific
notation, with 万/亿 (or million/billion) chosen once for a whole interval or axis from its
larger bound, counts of things without decimals, shares with at most one decimal, and a dash
(with the reason where known) instead of "nan".
"""
from __future__ import annotations

import math
import numbers

from . import units as U

try:
    from pandas import NA as _NA
except ImportError:  # pragma: no cover
    _NA = object()

DASH = "–"

# every unit the data use, as a Chinese page writes it after a number
UNIT_ZH = {
    **U.DISPLAY_ZH,
    "centres": "个", "stations": "个", "posts": "个", "items": "项", "agencies": "个", "communities": "个",
    "warehouses": "个", "villages": "个", "signs": "块", "services": "项", "registries": "个", "projects": "个",
    "graves": "个", "funeral homes": "个", "courtyards": "个", "venues": "个", "varieties": "种",
    "townships": "个", "streets": "条", "shelters": "个", "parks": "个", "outlets": "个", "names": "个",
    "memorials": "个", "jobs": "个", "halls": "个", "grids": "个", "facilities": "个", "enterprises": "家",
    "doorplates": "块", "districts": "个", "counties": "个", "councils": "个", "complexes": "个", "classes": "期",
    "certificates": "个", "categories": "类", "cases": "件", "per 1000 elderly": "个/千名老人",
    "per 100 beds": "个/百张床位", "per 10000 people": "个/万人", "per community": "个/社区", "minutes": "分钟",
    "times per year": "次/年",
}
UNIT_EN = {"percent": "%", "times": "×", "yuan/person/month": "yuan/person/month"}
UNIT_WORDS = {"zh": UNIT_ZH, "en": UNIT_EN}
SCALES = {"zh": ((1e8, "亿"), (1e4, "万")), "en": ((1e9, " billion"), (1e6, " million"))}


def missing(v) -> bool:
    if v is None or v is _NA:
        return True
    try:
        return math.isnan(float(v))
    except (TypeError, ValueError):
        return False


def dash(reason: str = "") -> str:
    """A missing value, with the reason where it is known."""
    return f"{DASH}（{reason}）" if reason else DASH


def unit_text(unit: str, language: str = "zh") -> str:
    """The unit as a page writes it: '元/人·月', '个', '%'; English keeps the data's word."""
    return UNIT_WORDS.get(language, UNIT_EN).get(unit, unit)


def scale(vmax: float, unit: str = "", language: str = "zh") -> tuple[float, str]:
    """(divisor, word) for values up to |vmax|: 万/亿 in Chinese, million/billion in English."""
    if unit in ("percent", "times") or missing(vmax):
        return 1.0, ""
    if "/" in unit or unit.startswith("per ") or " per " in unit:
        return 1.0, ""  # per-person standards are written in full: 10,000元/人·年, never 1万元/人·年
    for div, word in SCALES.get(language, SCALES["en"]):
        if abs(vmax) >= div:
            return div, word
    return 1.0, ""


def decimals(vmax: float, unit: str = "", scaled: bool = False) -> int:
    """Digits after the point for values up to |vmax| (already divided by any 万/亿)."""
    if unit == "percent":
        return 1
    if unit == "times":
        return 2
    if U.is_count(unit) and not scaled:
        return 0
    a = abs(vmax) if not missing(vmax) else 0
    return 0 if a >= 100 else 1 if a >= 10 else 2


def excel_format(v, unit: str = "") -> str:
    """The Excel number format showing `v` as `number` does (its decimals by unit: counts whole,
    shares one decimal, multiples two), with thousands separators and without 万/亿 (a workbook
    keeps the value itself). 'General' where neither the value nor the unit decides."""
    if missing(v) and not (unit in ("percent", "times") or U.is_count(unit)):
        return "General"
    d = decimals(abs(float(v)) if not missing(v) else 0.0, unit)
    return "#,##0" + ("." + "0" * d if d else "")


def _num(x: float, d: int, strip: bool) -> str:
    s = f"{x:,.{d}f}"
    if strip and "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _join(num: str, unit: str, language: str, with_unit: bool) -> str:
    if not with_unit or not unit:
        return num
    u = unit_text(unit, language)
    if unit in ("percent", "times") or language == "zh":
        return num + u
    return f"{num} {u}"


def number(v, unit: str = "", language: str = "zh", *, with_unit: bool = True, vmax=None, reason: str = "",
           exact: bool = False, scale_at=None) -> str:
    """One value: 8,283 · 1.14万人 · 19亿元 · 70.4% · 1.53倍 · 710元/人·月; '–' if missing.

    `vmax` (default: the value itself) picks the scale and precision, so an interval's two
    ends agree. `exact`: a number as a document states it (a target): no trailing zeros.
    `scale_at` (default: vmax) picks 万/亿 alone, when it differs from what sets the precision.
    """
    if missing(v):
        return dash(reason)
    v = float(v)
    top = abs(v) if vmax is None else abs(float(vmax))
    div, word = scale(top if scale_at is None else abs(float(scale_at)), unit, language)
    d = decimals(top / div, unit, scaled=div > 1)
    num = _num(v / div, max(d, 2) if exact and unit != "percent" else d, strip=exact or (div > 1 and vmax is None)) + word
    return _join(num, unit, language, with_unit)


def beside(v, threshold, unit: str = "", language: str = "zh", *, with_unit: bool = True) -> str:
    """A value next to the threshold it is judged against, with enough digits to see which side
    it is on: 1229/820 = 1.4988 against 1.5 reads 1.499, never 1.50."""
    text = number(v, unit, language, with_unit=with_unit)
    if missing(v) or missing(threshold) or float(v) == float(threshold):
        return text
    v, th = float(v), float(threshold)
    d = decimals(abs(v), unit)
    while d < 6 and (round(v, d) == round(th, d) or (round(v, d) - th) * (v - th) <= 0):
        d += 1  # the rounded value sits on the threshold or on its other side: one more digit
    if d == decimals(abs(v), unit):
        return text
    return _join(_num(v, d, strip=False), unit, language, with_unit)


def interval(lo, hi, unit: str = "", language: str = "zh", *, with_unit: bool = True, sep: str = " – ",
             exact: bool = False) -> str:
    """'5,275 – 11,400人' or '2.84万 – 6.21万张': one scale and one precision for both ends.

    万/亿 only when the smaller (non-zero) end reaches it: never '0.53万', which would also sit
    beside a median written '7,876' in the same row.
    """
    if missing(lo) or missing(hi):
        return DASH
    top = max(abs(float(lo)), abs(float(hi)))
    low = min(abs(float(lo)), abs(float(hi)))
    at = low if 0 < low < scale(top, unit, language)[0] else top
    end = lambda v: ("0" if float(v) == 0 else  # noqa: E731  0 is '0' at any scale, never '0.00亿'
                     number(v, unit, language, with_unit=False, vmax=top, exact=exact, scale_at=at))
    a, b = end(lo), end(hi)
    return a + sep + _join(b, unit, language, with_unit)


def probability(p, known: bool = False) -> str:
    """A probability in %: '<0.5%' and '>99.5%' at the ends (4,000 samples cannot say 0 or 1),
    never '0%' for 'unlikely'; exactly 0%/100% only for a `known` outcome."""
    if missing(p):
        return DASH
    p = float(p)
    if known and p in (0.0, 1.0):
        return f"{p:.0%}"
    if p < 0.005:
        return "<0.5%"
    if p > 0.995:
        return ">99.5%"
    return f"{p:.0%}"


def plain(v) -> str:
    """A bare number for tables with no unit: thousands separators, no exponent."""
    if missing(v):
        return DASH
    try:
        v = float(v)
    except (TypeError, ValueError):  # a text cell in a numeric column (a region without base-year data)
        return str(v).strip() or DASH
    if v == int(v) and abs(v) < 1e15:
        return f"{v:,.0f}"
    return _num(v, decimals(v), strip=False)


def rounded(v, unit: str = "") -> float:
    """The value rounded to the precision a page shows (no 万/亿 scaling): for frames to paste."""
    if missing(v):
        return float("nan")
    return round(float(v), decimals(abs(float(v)), unit))


def axis_formatter(vmax: float, unit: str = "", language: str = "zh"):
    """(matplotlib tick formatter, axis label) with one 万/亿 scale for the whole axis."""
    from matplotlib.ticker import FuncFormatter

    div, word = scale(vmax, unit, language)
    u = unit_text(unit, language)
    label = (word.strip() + u if language == "zh" else f"{word.strip()} {u}".strip()) if u else word.strip()
    step_d = 1 if unit == "percent" else None

    def f(x, _pos=None):
        x = x / div
        d = step_d if step_d is not None else (0 if abs(x) >= 100 or float(x).is_integer() else 1 if abs(x) >= 10
                                               else 2)
        return _num(x, d, strip=True).replace("−", "-")
    return FuncFormatter(f), label


# --- frames (CLI table, Python API)
VALUE_COLUMNS = ("target_value", "target_value_high", "latest_value", "forecast_mean", "mean", "point", "median",
                 "lo80", "hi80", "lo95", "hi95", "forecast_median", "actual", "base_value")
PROB_COLUMNS = ("probability", "probability_then", "probability_nowcast")
RATE_COLUMNS = ("required_cagr", "historical_cagr", "implied_cagr", "target_cagr", "completion_progress",
                "time_progress")
# a share's pace in percentage points a year, where the row's unit is percent (else the row's own unit)
INCREMENT_COLUMNS = ("implied_increment", "historical_increment", "required_increment")
POINTS = {"zh": "{x}个百分点", "en": "{x} pp"}


def value_unit(row) -> str:
    """The unit a row's values are in: growth targets are rates in %."""
    kind = row.get("kind") if hasattr(row, "get") else None
    return "percent" if kind == "growth" else (row.get("unit") or "") if hasattr(row, "get") else ""


def table_view(view, source=None, language: str = "en"):
    """Format a frame's value columns by each row's unit (taken from `source`, default `view`)."""
    src = view if source is None else source
    out = view.copy()
    units = [value_unit(r) for r in src.loc[view.index].to_dict("records")] if "unit" in src.columns else None
    for c in out.columns:
        if "year" in c:
            out[c] = [DASH if missing(v) else str(int(v)) if isinstance(v, (int, float, numbers.Number)) else str(v)
                      for v in view[c]]  # a span such as '2016-2020' stays as written
        elif c in PROB_COLUMNS:  # an observed outcome's probability is known: 100 % / 0 %
            known = (src.loc[view.index, "method"] == "observed").tolist() if "method" in src.columns \
                else [False] * len(view)
            out[c] = [probability(v, k) for v, k in zip(view[c], known)]
        elif c in RATE_COLUMNS:
            out[c] = [number(v, "percent", language) for v in view[c]]
        elif c in INCREMENT_COLUMNS and units is not None:
            out[c] = [POINTS.get(language, POINTS["en"]).format(x=number(v, "percent", language, with_unit=False))
                      if u == "percent" and not missing(v) else number(v, u, language, with_unit=False)
                      for v, u in zip(view[c], units)]
        elif c in VALUE_COLUMNS and units is not None:
            out[c] = [number(v, u, language, with_unit=u == "percent") for v, u in zip(view[c], units)]
        elif view[c].dtype.kind == "b" or any(isinstance(v, bool) for v in view[c]):
            out[c] = [DASH if missing(v) else ("yes" if v else "no") for v in view[c]]  # not 1 / 0
        elif view[c].dtype.kind == "f" or view[c].hasnans:
            out[c] = [plain(v) for v in view[c]]
    return out
