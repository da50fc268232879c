"""An analyst's validated rows merged over a Dataset: rows with the same region, indicator and year
override the base's, each override reported; new indicators and regions join the catalogues.
Imports nothing of the package (the Dataset is copied with dataclasses.replace).
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd


def merge(base, user: pd.DataFrame):
    """User rows override bundled rows with the same region, indicator and year; each override is reported."""
    msgs = list(base.messages) + list(user.attrs.get("notes", []))  # what the reader skipped
    new_ind, new_reg = user.attrs.get("indicators", {}), user.attrs.get("regions", {})
    user = user.copy(deep=False)
    user.attrs = {}  # else every pandas step below deep-copies thousands of new regions' metadata
    key = ["region", "indicator", "year"]
    b = base.observations
    both = b.merge(user[key + ["value", "file", "row"]], on=key, suffixes=("", "_user"))
    # a file that repeats a bundled value (an unfilled template) keeps the bundled row and its source
    rep = np.isclose(both.value.to_numpy(float), both.value_user.to_numpy(float), rtol=1e-12, atol=0)
    same = both[rep][key]
    if len(same):
        attrs = user.attrs
        user = user.merge(same, on=key, how="left", indicator="_same")
        user = user[user.pop("_same").eq("left_only")]
        user.attrs = attrs
        both = both[~rep]
    if user.empty and not user.attrs.get("indicators") and not user.attrs.get("regions"):
        return replace(base, observations=b, indicators=dict(base.indicators), regions=dict(base.regions),
                       messages=msgs)  # nothing new
    for r in both.itertuples():
        if r.value != r.value_user:
            msgs.append(f"{r.file_user}, row {r.row_user}: {r.region}/{r.indicator}/{r.year} = {r.value_user:g} "
                        f"overrides the bundled value {r.value:g}")
    user = user.copy()
    user.loc[user.source == "", "source"] = "user"
    kept = b.merge(user[key], on=key, how="left", indicator=True)
    kept = b[(kept["_merge"] == "left_only").to_numpy()]
    obs = pd.concat([kept, user], ignore_index=True).sort_values(key).reset_index(drop=True)
    ind = dict(base.indicators); ind.update(new_ind)
    reg = dict(base.regions); reg.update(new_reg)
    return replace(base, observations=obs, indicators=ind, regions=reg, messages=msgs)
