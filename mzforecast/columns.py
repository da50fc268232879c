"""The columns of assessment frames: one dtype per column whatever the plan, and the column sets
`assess_plan(columns=...)` offers; result tables shown without exponents (ShownFrame, and
SummaryFrame for Forecast.summary_frame).

Leaf layer (pandas and fmt). A column whose values are all missing for one plan would otherwise be
`object` holding None there and float64 elsewhere; here every value column is float64, every
year or count a nullable Int64, flags are bool and words are object, for every bundled plan.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import fmt

FLOAT = ("target_value", "target_value_high", "latest_value", "point", "mean", "median", "lo80", "hi80", "lo95",
         "hi95", "probability", "probability_nowcast", "required_cagr", "required_increment", "historical_cagr",
         "historical_increment",
         "expected_year", "expected_year_lo80", "expected_year_hi80", "base_value", "completion_progress",
         "time_progress")
INT = ("target_year", "latest_year", "n_obs", "as_of", "base_year")
BOOL = ("binding", "exceeded")

BRIEF = ["plan", "target_id", "region", "indicator", "kind", "target_year", "comparator", "target_value", "unit",
         "latest_year", "latest_value", "median", "lo80", "hi80", "probability", "probability_basis", "verdict",
         "required_cagr", "method", "note"]
EVALUATION = ["plan", "target_id", "region", "indicator", "kind", "binding", "comparator", "target_value", "unit",
              "base_year", "base_value", "target_year", "latest_year", "latest_value", "completion_progress",
              "time_progress", "progress_status", "probability", "probability_basis", "verdict", "responsible_unit"]
SETS = ("brief", "evaluation", "all")


class ShownFrame(pd.DataFrame):
    """A result table with exact values, shown rounded: no exponents (1,900,000,000, not
    1.900000e+09), sensible digits, a dash for missing numbers. Frames derived from it are
    plain DataFrames."""

    @property
    def _constructor(self):
        return pd.DataFrame

    def _shown(self) -> pd.DataFrame:
        out = pd.DataFrame(self).copy()
        for c in out.columns:
            if out[c].dtype.kind == "f":
                out[c] = [fmt.plain(v) for v in out[c]]
        return out

    def __repr__(self) -> str:
        return repr(self._shown())

    def _repr_html_(self) -> str:
        return self._shown()._repr_html_()


class SummaryFrame(ShownFrame):
    """summary_frame's table: exact values, shown rounded (no exponents, sensible digits).

    Analysts read 859 and 0.87, not 859.2841563; the numbers themselves stay exact for the code
    that computes with them. Frames derived from it are plain DataFrames.
    """


BASES = ("forecast", "nowcast", "observed")


def stable(df: pd.DataFrame) -> pd.DataFrame:
    """The same frame with the dtypes above (None becomes NaN or <NA> in numbers; values are unchanged)."""
    out = df.copy()
    for c in out.columns:
        if c in FLOAT:
            out[c] = pd.to_numeric(out[c]).astype(float)  # None -> NaN; a word here would be a bug: raise
        elif c in INT:
            out[c] = pd.to_numeric(out[c]).astype("Int64")
        elif c in BOOL:
            out[c] = out[c].astype(bool) if out[c].notna().all() else out[c].astype("boolean")
        else:  # words: object under pandas 2 and 3 alike (3 infers 'str' only where a value is not None)
            out[c] = out[c].astype(object)
    return out


def basis(method, verdict, probability, nowcast) -> str:
    """What a row's probability rests on: 'observed' (an outcome), 'nowcast' (the target year has
    passed without an outcome), 'forecast'; '' where there is no probability."""
    if method == "observed":
        return "observed"
    if verdict == "outcome_pending" and not pd.isna(nowcast):
        return "nowcast"
    return "forecast" if not pd.isna(probability) else ""


def with_basis(df: pd.DataFrame) -> pd.DataFrame:
    """One `probability` column (the nowcast where the target year has passed) and `probability_basis`."""
    out = df.copy()
    now = out["probability_nowcast"] if "probability_nowcast" in out.columns else pd.Series(np.nan, index=out.index)
    b = [basis(m, v, p, n) for m, v, p, n in zip(out.get("method", [None] * len(out)), out["verdict"],
                                                  out["probability"], now)]
    out["probability"] = np.where(np.array(b) == "nowcast", now, out["probability"])
    out = out.drop(columns=[c for c in ("probability_nowcast",) if c in out.columns])
    out.insert(list(out.columns).index("probability") + 1, "probability_basis", b)
    return out


def select(df: pd.DataFrame, columns: str | None) -> pd.DataFrame:
    """An assess_plan frame with stable dtypes; `columns` None keeps every field as it is, "brief",
    "evaluation" or "all" give one probability column with its basis."""
    if columns is None:
        return stable(df)
    if columns not in SETS:
        raise ValueError(f"columns must be one of {', '.join(SETS)} (or None for every field), not {columns!r}")
    out = with_basis(df)
    if columns != "all":
        out = out[[c for c in (BRIEF if columns == "brief" else EVALUATION) if c in out.columns]]
    out = stable(out)
    for c in out.columns:  # a missing word is '', never None beside NaN
        if out[c].dtype == object:
            out[c] = out[c].where(out[c].notna(), "")
    return ShownFrame(out)
