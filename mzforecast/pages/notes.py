"""The engine's notes and the plan's readings as a page shows them: `render_notes(row, ds, language)`
is the one entry point the pages use for a row's note, `note_text(note, ds, language)` for any note.
Notes are codes with parameters (`mzforecast.messages.notes`); this module only supplies the names a
page shows for the indicators and regions they mention. Imports leaves, data and `common`.
"""
from __future__ import annotations

import pandas as pd

from ..data import Dataset
from ..html import e
from ..messages import lang
from ..messages.notes import SEPARATOR, part_text, parts_of
from ..messages.pages import WORDS
from .common import text


def names(ds: Dataset):
    """(kind, id) -> the Chinese name of an indicator or region (the English templates keep the ids)."""
    def name(kind: str, code: str) -> str:
        if kind == "indicator":
            return ds.indicators[code].name("zh") if code in ds.indicators else code
        return ds.regions[code].name_zh if code in ds.regions else code
    return name


def note_text(note, ds: Dataset, language: str = "zh") -> str:
    """A note (a Note, a row's Notes, or a plain text shown as written) in the page's language."""
    parts = parts_of(note)
    return SEPARATOR[lang(language)].join(part_text(p, language, names(ds)) for p in parts)


def render_notes(row, ds: Dataset, language: str = "zh") -> str:
    """The note of an assessment row, as plain text in the page's language ('' without one)."""
    note = row.get("note") if isinstance(row, (dict, pd.Series)) else getattr(row, "note", None)
    return note_text(note, ds, language)


def no_data_reason(r, ds: Dataset, language: str = "zh") -> str:
    """Why a target has no assessment, in a few words (not the indicator's name again)."""
    W = WORDS[language]
    if r.verdict == "transferred":
        return W["moved_out"]
    parts = parts_of(text(r.note))
    if not parts or getattr(parts[0], "code", None) in ("no_obs", "through_proxy"):  # no observations of …
        return W["no_obs"]
    return render_notes(r, ds, language)


def readings_html(r, ds: Dataset, language: str) -> str:
    """The plan file's readings of the target (range, tolerance, proxy, conflict, duplicate)."""
    flags = getattr(r, "flags", None)
    if not isinstance(flags, str) or not flags:
        return ""
    return f"<br><small>{WORDS[language]['reading']}{e(note_text(flags, ds, language))}</small>"


def draft_note(note, ds: Dataset, language: str = "zh") -> str:
    """A draft target's note (mzforecast.propose) in the page's language."""
    return note_text(note, ds, language)
