"""Params files for `mzforecast run` / papermill: one validated model, so a misspelt key is named.

The keys are the notebooks' parameters (see scripts/make_notebooks.py); anything else would be
injected into the notebook unused, so it is refused with the closest known key.
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, ValidationError, model_validator

from .data import YEAR_MAX, YEAR_MIN, read_yaml, validation_errors
from .errors import DataError, DataErrors
from .models import METHODS

# every notebook `mzforecast run` can execute (notebooks/<name>.ipynb); the runner reads this list
NOTEBOOKS = ("plan_dashboard", "indicator_report", "backtest", "quickstart", "evaluation", "regions_dashboard",
             "target_setting")
Notebook = Literal[NOTEBOOKS]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid")
    notebook: Notebook = "plan_dashboard"
    plan: str | None = None
    target_id: str | None = None
    as_of: Annotated[int, Strict(), Field(ge=YEAR_MIN, le=YEAR_MAX)] | None = None
    method: Literal[("auto",) + METHODS] = "auto"
    language: Literal["zh", "en"] = "zh"
    data_file: str | list[str] = ""

    @model_validator(mode="after")
    def _needs(self):
        if self.notebook != "quickstart" and not self.plan:
            raise ValueError(f"notebook '{self.notebook}' needs 'plan' (a bundled plan id or a plan .yaml)")
        if self.notebook == "indicator_report" and not self.target_id:
            raise ValueError("notebook 'indicator_report' needs 'target_id'")
        return self


def load(path: str | Path) -> dict:
    """The params file as a dict of the keys it gives (papermill injects exactly those), or DataErrors."""
    doc = read_yaml(path)
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise DataError(f"expected a mapping of parameters (notebook: …, plan: …), got a {type(doc).__name__}",
                        file=str(path), fix="write one 'key: value' per line")
    try:
        Params.model_validate(doc)
    except ValidationError as e:
        raise DataErrors(validation_errors(e, str(path), known=set(Params.model_fields))) from None
    return doc
