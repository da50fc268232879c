"""The one place that makes strings from files safe for where they are written.

Plans and data files are written by people outside the tool, so any string in them may be
hostile: HTML that runs in a reader's browser, a spreadsheet formula that Excel executes,
or an escape sequence that rewrites the analyst's terminal. Every writer passes such strings
through here rather than escaping on its own.
"""
from __future__ import annotations

import hashlib
import re

import pandas as pd
from markupsafe import escape

# OWASP CSV injection: a cell starting with one of these is read as a formula by spreadsheets
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# ANSI/VT escape sequences (CSI, OSC, single-character escapes) and other C0/C1 control characters
_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# characters that change how text is shown without being seen: bidi overrides/isolates and
# zero-width marks make two different ids look identical, or reorder a line on screen
_INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
# characters XML 1.0 cannot hold (openpyxl raises IllegalCharacterError on them)
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _mark(m: re.Match) -> str:
    return f"\u27e8U+{ord(m.group()):04X}\u27e9"


def visible(text) -> str:
    """Text with every bidi control and zero-width character shown as ⟨U+202E⟩."""
    return _INVISIBLE.sub(_mark, str(text))


def strip_invisible(text) -> str:
    """Text without bidi controls and zero-width characters: for matching names a person typed
    (a zero-width space pasted inside 城市低保标准 is still that item)."""
    return _INVISIBLE.sub("", str(text))


def check_id(value: str) -> str:
    """An id (plan, target) must look like what it is: no control (newline, tab), bidi or zero-width
    characters."""
    bad = _INVISIBLE.search(value) or _CONTROL.search(value) or re.search(r"[\t\n\r]", value)
    if bad:
        seen = re.sub(r"[\t\n\r]", _mark, shown(value))
        raise ValueError(f"holds the invisible character U+{ord(bad.group()):04X} ({seen}): "
                         "type the id again with plain letters, digits, - and _")
    return value


_CODE = re.compile(r"\w[\w.\-]{0,63}")  # \w: letters of any script (长春 too), digits and _


def check_code(value: str, what: str = "region") -> str:
    """A region or indicator id, which becomes a key in files, pages and workbooks: letters, digits,
    _, - and . only, starting with a letter or digit (so never a formula, markup or a hidden character)."""
    try:
        check_id(value)
    except ValueError as e:
        raise ValueError(f"{what} id {e}") from None
    if not _CODE.fullmatch(value):
        shown = terminal(value if len(value) <= 60 else value[:60] + "…")
        raise ValueError(f"{what} id '{shown}' is not a plain id: use letters, digits, _, - and . "
                         f"(at most 64, starting with a letter or digit), e.g. changchun")
    return value


def shown(value) -> str:
    """Text for a page or a chart: a Word line or page break (U+000B/U+000C) as a newline, every
    other control character (escape, bell…) and every bidi/zero-width character shown as ⟨U+001B⟩."""
    text = str(value).replace("\x0b", "\n").replace("\x0c", "\n")
    return visible(_CONTROL.sub(_mark, text))


def check_codes(value):
    """A plan's `region` (one id, or '') or `regions` (a list of ids, 'all' or None) through check_code."""
    for v in [value] if isinstance(value, str) and value not in ("", "all") else value if isinstance(value, list) else []:
        check_code(v)
    return value


def html_text(value) -> str:
    """Text between tags: control, bidi and zero-width characters shown (`shown`), then &, <, >,
    ' and " escaped (also safe inside quoted attributes)."""
    return str(escape("" if value is None else shown(value)))


def html_attr(value) -> str:
    """A quoted attribute value (alt, title): escaped like text, newlines kept out."""
    return html_text(value).replace("\n", "&#10;").replace("\r", "&#13;")


def html_id(value, prefix: str = "t") -> str:
    """A stable element id made from a data string, never the string itself (ids reach URLs and CSS)."""
    return f"{prefix}-{hashlib.sha256(str(value).encode('utf-8')).hexdigest()[:10]}"


def xml_text(value: str) -> str:
    """Text an XLSX part can hold: U+000B/U+000C (Word line and page breaks) as newlines, other
    characters XML 1.0 forbids shown as ⟨U+0001⟩, bidi/zero-width characters made visible."""
    return visible(_XML_ILLEGAL.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else _mark(m), str(value)))


def csv_cell(value):
    """A spreadsheet cell that is data, not a formula: numbers stay numbers, risky text gets a leading '.

    Also safe for XLSX: a Word line break (U+000B) becomes a newline, other characters XML cannot
    hold are shown as ⟨U+0001⟩, and bidi/zero-width characters are made visible.
    """
    if not isinstance(value, str):
        return value
    value = xml_text(value)
    if value.lstrip(" ").startswith(FORMULA_START):
        return "'" + value
    return value


def memo_text(f):
    """f for a writer's many cells: text values remembered (a column of 100,000 rows repeats a few
    words), anything else passed to f each time."""
    seen: dict[str, object] = {}

    def cell(value):
        if value.__class__ is not str:
            return f(value)
        out = seen.get(value)
        if out is None:
            out = seen[value] = f(value)
        return out
    return cell


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df safe to write as CSV or XLSX: text cells and column names through csv_cell."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
            out[c] = out[c].map(csv_cell)
    out.columns = [csv_cell(c) for c in out.columns]
    return out


def terminal(text) -> str:
    """Text for a terminal: escape sequences and control characters removed (newlines and tabs kept),
    bidi and zero-width characters shown as ⟨U+202E⟩."""
    s = _ANSI.sub("", str(text))
    return visible(_CONTROL.sub("", s))
