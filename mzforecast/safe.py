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


def html_text(value) -> str:
    """Text between tags: &, <, >, ' and " escaped (also safe inside quoted attributes)."""
    return str(escape("" if value is None else str(value)))


def html_attr(value) -> str:
    """A quoted attribute value: escaped like text, newlines kept out."""
    return html_text(value).replace("\n", "&#10;").replace("\r", "&#13;")


def html_id(value, prefix: str = "t") -> str:
    """A stable element id made from a data string, never the string itself (ids reach URLs and CSS)."""
    return f"{prefix}-{hashlib.sha256(str(value).encode('utf-8')).hexdigest()[:10]}"


def csv_cell(value):
    """A spreadsheet cell that is data, not a formula: numbers stay numbers, risky text gets a leading '."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of df safe to write as CSV or XLSX: text cells and column names through csv_cell."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c].dtype):
            out[c] = out[c].map(csv_cell)
    out.columns = [csv_cell(c) for c in out.columns]
    return out


def terminal(text) -> str:
    """Text for a terminal: escape sequences and control characters removed (newlines and tabs kept)."""
    s = _ANSI.sub("", str(text))
    return _CONTROL.sub("", s)
