"""Errors that name the file, row and column, so an analyst can fix the input without a traceback."""
from __future__ import annotations


class MzError(Exception):
    """Base class: the CLI prints these as one clear message and exits with code 2."""


class DataError(MzError):
    """A problem in an input file, located as precisely as we can."""

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None, fix: str | None = None):
        self.file, self.row, self.column, self.fix = file, row, column, fix
        self.message = message
        where = []
        if file:
            where.append(str(file))
        if row is not None:
            where.append(f"row {row}")
        if column:
            where.append(f"column '{column}'")
        text = (": ".join([", ".join(where), message]) if where else message)
        if fix:
            text += f" (fix: {fix})"
        super().__init__(text)


class DataErrors(MzError):
    """Every problem found in one check, so users fix them all in one pass."""

    def __init__(self, errors: list[DataError]):
        # one message once: a wide row (one record per year) repeats its row's problem per year
        self.errors = list({str(e): e for e in errors}.values())
        super().__init__("\n".join(str(e) for e in self.errors))


class ModelError(MzError):
    """A series cannot support the requested model (e.g. log model on zeros)."""


class _Kept:
    """Never changed once made, so a copy is the same object: pandas deep-copies DataFrame.attrs on
    every step, which for a million-row file would copy a million-item list a hundred times."""

    def __deepcopy__(self, memo):
        return self

    def __copy__(self):
        return self


class RowNumbers(_Kept, list):
    """The file line or spreadsheet row of each row of a table, kept in DataFrame.attrs so errors can
    name rows."""


class KeptDict(_Kept, dict):
    """Metadata (new regions, new indicators) a validated table carries in DataFrame.attrs."""
