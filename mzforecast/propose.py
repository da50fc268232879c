"""Target setting, the inverse of monitoring: what value can a plan commit to, with what confidence?

Monitoring asks "will the target be met?" (attainment.assess). Drafting the next plan asks the
inverse: "what 2030 value is met with 80% probability, and how ambitious is this draft target?".
Both read the same sample paths: `samples_at` calls `terms.history`, `terms.effective` and
`simulate.sample` as attainment.assess does (same model, seed, N_SAMPLES and horizon), so the
structure the engine gives an indicator holds here too: an administered standard (低保, 特困) never falls below its last
observed value in any path, and a bounded ratio (rural ÷ urban 低保, ≤ 100%) never leaves its bounds.

The rule, for a higher-is-better indicator: the value proposed for probability p is the largest
sample value v met in at least a share p of the paths ("at least v"); for a lower-is-better one the
smallest v stayed under in at least a share p ("at most v"). So a target set at v is assessed at a
probability >= p always (up to attainment's clip at P_MAX = 99.95%), and within sampling error of p
where the samples are continuous there. Where the p-quantile falls on a point mass (the floor of a
standard held at its last value, or a bound), v is that value and its probability is higher than
p: the row's `assessed_probability` and `held` columns and the note say so (tests/test_propose.py).

Imports the leaves, the data layer, growth (its spread note) and attainment/terms/simulate/draft_floors
of the engine.
"""
from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from . import attainment as A
from . import growth, units as U
from .data import Dataset, data_dir, load
from .data.names import plan_region
from .draft_floors import apply as apply_floors  # policy floors, the previous period's trend, 起草说明
from .errors import DataError, ModelError
from .evaluation import proxy_used  # read through a proxy (持证社工 for 社会工作专业人才) as every page is
from .messages.notes import Note, Notes
from .simulate import HORIZON_CAP, sample, value_met_with
from .targets import Plan, Target, get_plan, list_plans
from .terms import cagr, effective, history

PROBABILITIES = (0.5, 0.8, 0.9)
COLUMNS = ["region", "indicator", "kind", "denominator", "year", "probability", "comparator", "value", "unit",
           "implied_cagr", "implied_increment", "historical_cagr", "historical_increment", "latest_year",
           "latest_value", "base_year", "base_value", "base_year_observed", "horizon", "method", "n_obs",
           "assessed_probability", "held", "note"]
# ambition = probability that a draft target is met; the words beside it (docs/methods.md)
AMBITION = ((0.8, "safe", "稳妥"), (0.5, "ambitious", "积极"), (0.0, "stretch", "挑战"))
DRAFT_COLUMNS = ["plan", "target_id", "region", "indicator", "proxy", "kind", "denominator", "denominator_lag", "binding",
                 "comparator", "target_value", "unit", "year", "latest_year", "latest_value", "base_year",
                 "base_year_observed", "horizon", "n_obs", "ambition", "ambition_class", "verdict", "target_cagr",
                 "historical_cagr"]


def ambition_class(p: float) -> str:
    """safe (p >= 0.8: can be promised), ambitious (0.5-0.8), stretch (< 0.5: more likely missed)."""
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    return next(name for cut, name, _ in AMBITION if p >= cut)


def _check_probabilities(probabilities) -> list[float]:
    ps = [float(p) for p in np.atleast_1d(probabilities)]
    bad = [p for p in ps if not 0 < p < 1]
    if not ps or bad:
        got = ", ".join(f"{p:g}" for p in bad) or "none"
        raise DataError(f"probabilities must lie strictly between 0 and 1; got {got}",
                        fix="give them as fractions, e.g. --probability 0.5 0.8 0.9")
    twice = [(a, b) for i, a in enumerate(ps) for b in ps[i + 1:] if probability_label(a) == probability_label(b)]
    if twice:  # two probabilities shown alike would make two rows (or columns) of one name
        (a, b), = twice[:1]
        raise DataError(f"probability given twice: {a:g} and {b:g} are both {probability_label(a)}%",
                        fix="give each probability once, e.g. --probability 0.5 0.8 0.9")
    return ps


def probability_label(p: float) -> str:
    """A probability as whole percent, as tables show it and as `proposed_NN` columns are named."""
    return f"{p:.0%}".rstrip("%")


def direction_of(t: Target, ds: Dataset) -> str:
    """'higher' or 'lower': from the target's comparator where it has one, else the indicator's."""
    if t.comparator in (">=", ">"):
        return "higher"
    if t.comparator in ("<=", "<"):
        return "lower"
    return "lower" if ds.indicators[t.indicator].direction == "lower" else "higher"


def met_probability(x: np.ndarray, v: float, direction: str) -> float:
    """The probability attainment.assess gives a '>=' (higher) or '<=' (lower) target at v on the
    samples x: the share of samples meeting v, clipped as assess clips it."""
    x = np.asarray(x, float)
    met = x >= v if direction == "higher" else x <= v
    return float(np.clip(np.mean(met), A.P_MIN, A.P_MAX))


def point_mass(x: np.ndarray, v: float, *, last=None, bounds=None) -> tuple[str, float]:
    """('last_value' | 'bound' | 'mass', share of samples exactly at v), or ('', 0) where v is not
    a point mass of the samples (at most one sample sits there)."""
    share = float(np.mean(np.isclose(np.asarray(x, float), v, rtol=1e-12, atol=1e-9)))
    if share * len(x) <= 1:
        return "", 0.0
    if last is not None and np.isclose(v, last, rtol=1e-12, atol=1e-9):
        return "last_value", share
    if bounds is not None and any(b is not None and np.isclose(v, b, rtol=1e-12, atol=1e-9) for b in bounds):
        return "bound", share
    return "mass", share


def _pct_text(p: float) -> str:
    return "≥ 99.95%" if p >= A.P_MAX else ("≤ 0.05%" if p <= A.P_MIN else f"{p:.0%}")


def held_note(p: float, v: float, held: str, share: float, assessed: float) -> Note:
    """The note for a proposal that falls on a point mass: which one, and its real probability."""
    return Note("held", p=p, held=held, value=v, share=share, met=_pct_text(assessed))


def samples_at(t: Target, ds: Dataset, *, as_of=None, method="auto", seed=0):
    """(samples of the target's quantity in its year, history in the target's terms, forecast, notes).

    The same calls `attainment.assess` makes (simulate.sample, same `until`, seed and N_SAMPLES), so whatever constraints those carry hold here too. Raises DataError with the
    reason when there is nothing to sample.
    """
    T = t.target_year
    if t.kind not in ("level", "ratio"):
        raise DataError(Note("not_level", target=t.id, kind=t.kind), fix="state the target as a level (or a ratio) in its year")
    t = effective(t, ds, as_of)  # through its proxy indicator when its own has no data, as assess does
    meta = ds.indicators[t.indicator]
    s, hist = history(t, ds, as_of)
    if len(s) == 0:
        raise DataError(Note("no_obs", indicator=t.indicator, region=t.region, as_of=as_of),
                        fix="add its yearly values with --data FILE")
    if t.kind == "ratio" and len(ds.series(t.region, t.denominator, as_of)) == 0:
        raise DataError(Note("no_obs", indicator=t.denominator, region=t.region, as_of=as_of),
                        fix="add its yearly values with --data FILE")
    if meta.aggregation != "stock":
        raise DataError(Note("not_yearly_indicator", indicator=t.indicator),
                        fix="choose a yearly (stock) indicator")
    last = int(hist.index.max()) if len(hist) else int(s.index.max())
    if T <= last:
        raise DataError(f"{t.indicator} in {t.region} is already observed for {last}: nothing to propose for {T}",
                        fix=f"choose a year after {last} (or --as-of an earlier year)")
    try:
        got = sample(t, ds, as_of=as_of, method=method, seed=seed, until=max(T, HORIZON_CAP), hist=hist)
    except ModelError as e:
        raise DataError(str(e)) from None
    if t.kind == "ratio" and (got is None or T not in got.paths.columns):
        raise DataError(f"cannot forecast the ratio of {t.indicator} to {t.denominator} in {t.region}")
    if got is None:
        raise DataError(f"nothing to forecast for {t.indicator} in {t.region}")
    return got.paths[T].to_numpy(float), hist, got.forecast, got.all_notes()


def bounds_of(t: Target, ds: Dataset):
    """The bounds every path of the target's quantity stays inside: the target's own (a ratio's),
    else the indicator's (shares: 0-100), else None."""
    if t.kind == "ratio":
        return t.bounds
    return ds.indicators[t.indicator].bounds


def declared_bounds(ds: Dataset, indicator: str, denominator: str, lag: int, unit: str):
    """Bounds an official plan declares for the same ratio (e.g. rural ÷ urban 低保 in percent stays
    in 0-100: the rural standard is never set above the urban one), so a proposal for that ratio
    respects them as its assessment does; None where no plan declares any."""
    for name in list_plans():
        try:
            plan = get_plan(name, ds)
        except DataError:
            continue
        for t in plan.targets:
            if (t.kind == "ratio" and t.bounds is not None and t.indicator == indicator
                    and t.denominator == denominator and t.denominator_lag == lag and t.unit == unit):
                return tuple(t.bounds)
    return None


def _growth(hist: pd.Series, never_cut: bool = False):
    """Historical compound growth (%) and yearly increment, first to last observation (for a never-cut
    standard from its last break on, A.growth_start), and the year it is measured from after a break."""
    k = A.growth_start(hist.to_numpy(float), never_cut)
    h = hist.iloc[k:]
    if len(h) < 2:
        return float("nan"), float("nan"), (int(h.index.min()) if k else None)
    fy, ly = int(h.index.min()), int(h.index.max())
    fv, lv = float(h.iloc[0]), float(h.iloc[-1])
    return cagr(fv, lv, ly - fy), (lv - fv) / (ly - fy), (fy if k else None)


def base_note(base_year: int, latest_year, year: int) -> Note | str:
    """Say when the plan's base year has no data yet, and what the proposal starts from instead."""
    if latest_year is None:
        return Note("no_base_year_value", year=base_year)
    if latest_year >= base_year:
        return ""
    return Note("base_year_later", base_year=base_year, latest_year=latest_year, horizon=year - latest_year,
                planned=year - base_year)


def propose_target(t: Target, data: Dataset | None = None, probabilities=PROBABILITIES, *, as_of=None,
                   method="auto", seed=0, direction: str | None = None) -> pd.DataFrame:
    """The value of target `t`'s quantity in its year that is met with each probability.

    `t` gives the region, indicator (and denominator for a ratio), year and base year; its
    value is not used. One row per probability, columns COLUMNS.

    Parameters
    ----------
    t : Target
    data : Dataset, str, Path, DataFrame or list, optional
    probabilities : sequence of float
        Probabilities (0-1) at which to read the promisable value.
    as_of : int, optional
    method : str, default "auto"
    seed : int, default 0
    direction : {"higher", "lower"}, optional
        Default: from the target's comparator.

    Returns
    -------
    pandas.DataFrame
    """
    ds = load(data)
    ps = _check_probabilities(probabilities)
    direction = direction or direction_of(t, ds)
    x, hist, fc, notes = samples_at(t, ds, as_of=as_of, method=method, seed=seed)
    T = t.target_year
    ly = int(hist.index.max()) if len(hist) else None
    lv = float(hist.iloc[-1]) if len(hist) else float("nan")
    never_cut = t.kind == "level" and ds.indicators[effective(t, ds, as_of).indicator].monotone == "nondecreasing"
    hc, hi, since = _growth(hist, never_cut)
    B = t.base_year or T - 5
    bobs = B in hist.index
    bn = base_note(B, ly, T)
    bounds = bounds_of(effective(t, ds, as_of), ds)
    rows, held_notes = [], []
    for p in ps:
        v = value_met_with(x, p, direction)
        got = met_probability(x, v, direction)
        held, share = point_mass(x, v, last=lv if ly else None, bounds=bounds)
        if held:
            held_notes.append(held_note(p, v, held, share, got))
        rows.append(dict(region=t.region, indicator=t.indicator, kind=t.kind, denominator=t.denominator or "",
                         year=T, probability=p, comparator=">=" if direction == "higher" else "<=", value=v,
                         unit=t.unit, implied_cagr=cagr(lv, v, T - ly) if ly else float("nan"),
                         implied_increment=(v - lv) / (T - ly) if ly else float("nan"),
                         historical_cagr=hc, historical_increment=hi, latest_year=ly, latest_value=lv,
                         base_year=B, base_value=float(hist.loc[B]) if bobs else float("nan"),
                         base_year_observed=bobs, horizon=T - ly if ly else None, method=fc.method,
                         n_obs=int(len(hist)), assessed_probability=got, held=held))
    spread = [growth.spread_note("en")] if fc is not None and getattr(fc, "method", "") == "growth" else []
    since_note = [Note("historical_after_break", year=since)] if since is not None else []
    note = Notes([n for n in notes if n] + ([bn] if bn else []) + held_notes + since_note + spread)
    for r in rows:
        r["note"] = note
    return pd.DataFrame(rows, columns=COLUMNS)


def _check_ratio_options(indicator, ds, denominator, lag, unit):
    """The options of a ratio (denominator, lag, unit) only where they mean something."""
    if denominator and denominator == indicator:
        raise DataError(f"the denominator is the indicator itself ('{indicator}'): the ratio is always 1",
                        fix="give another indicator as --denominator, or leave it out")
    if not 0 <= lag <= 10:
        raise DataError(f"--lag must be 0-10, got {lag}", fix="give the denominator's lag in whole years, 0-10")
    if lag and not denominator:
        raise DataError(f"--lag {lag} applies to the denominator of a ratio, and no --denominator is given",
                        fix="add --denominator INDICATOR, or leave out --lag")
    if unit and not denominator and U.normalise(unit)[0] != U.normalise(own := ds.indicators[indicator].unit)[0]:
        raise DataError(f"--unit {unit} does not fit '{indicator}', which is counted in {own}",
                        fix="leave out --unit (it is for a ratio with --denominator)")


def _probe(region, indicator, year, ds, *, base_year=None, denominator=None, denominator_lag=0, unit=None,
           bounds=None):
    """A target with no value: the question "what value?" asked of this indicator and year. A ratio
    gets `bounds`, else the bounds an official plan declares for the same ratio."""
    if indicator not in ds.indicators:
        raise DataError(f"unknown indicator '{indicator}'",
                        fix="see `mzforecast data export` or data/indicators.yaml for the ids")
    if denominator and denominator not in ds.indicators:
        raise DataError(f"unknown indicator '{denominator}' (denominator)", fix="see data/indicators.yaml for the ids")
    _check_ratio_options(indicator, ds, denominator, denominator_lag, unit)
    kind = "ratio" if denominator else "level"
    u = unit or ("times" if denominator else ds.indicators[indicator].unit)
    if denominator and bounds is None:
        bounds = declared_bounds(ds, indicator, denominator, denominator_lag, u)
    return Target(id=f"propose-{indicator}", indicator=indicator, kind=kind, comparator=">=", value=0.0, unit=u,
                  year=int(year), denominator=denominator, denominator_lag=denominator_lag, quote="",
                  plan="", region=region, base_year=int(base_year if base_year is not None else year - 5),
                  bounds=tuple(bounds) if denominator and bounds is not None else None)


def propose(region: str, indicator: str, year: int = 2030, probabilities=PROBABILITIES, as_of: int | None = None,
            data=None, method: str = "auto", seed: int = 0, *, base_year: int | None = None,
            denominator: str | None = None, denominator_lag: int = 0, unit: str | None = None,
            bounds=None) -> pd.DataFrame:
    """Per probability, the `year` value of `indicator` in `region` met with that probability.

    Direction from the indicator (data/indicators.yaml): 'higher' gives "at least v", 'lower'
    "at most v" ('none' is read as higher). With `denominator`, the ratio indicator /
    denominator (the denominator's year `denominator_lag` earlier) in `unit` ('times' or
    'percent'), inside `bounds` (default: as an official plan declares them for that ratio).
    `base_year` (default year - 5, a five-year plan) only decides the base-year note.

    Parameters
    ----------
    region, indicator : str
        Ids or names (``"长春"``, ``"城市低保标准"``).
    year : int, default 2030
        The year the value is for.
    probabilities : sequence of float
        Probabilities (0-1) at which the value is met.
    as_of : int, optional
        Use only observations up to this year.
    data : Dataset, str, Path, DataFrame or list, optional
        Data as ``mzf.load`` takes it.
    method : str, default "auto"
    seed : int, default 0
    base_year : int, optional
        The plan's base year (for the growth the value implies).
    denominator : str, optional
        Propose a ratio indicator / denominator instead.
    denominator_lag : int, default 0
    unit : str, optional
        The ratio's unit: 'times' or 'percent'.
    bounds : tuple, optional
        (low, high) the ratio stays within.

    Returns
    -------
    pandas.DataFrame
        One row per probability: the value met with that probability and what it implies.

    Examples
    --------
    >>> propose("changchun", "dibao_standard_urban", 2030, [0.5, 0.8])  # doctest: +SKIP
    """
    ds = load(data)
    # ids or names (长春, 城市低保标准), as everywhere else: the data layer's one resolver
    region, indicator = ds.region_id(region), ds.indicator_id(indicator)
    denominator = ds.indicator_id(denominator) if denominator else denominator
    t = _probe(region, indicator, year, ds, base_year=base_year, denominator=denominator,
               denominator_lag=denominator_lag, unit=unit, bounds=bounds)
    d = "lower" if ds.indicators[indicator].direction == "lower" else "higher"
    return propose_target(t, ds, probabilities, as_of=as_of, method=method, seed=seed, direction=d)


# ------------------------------------------------------------------------------------------ drafts
def drafts_dir() -> Path:
    """Draft plans live apart from the official ones in data/plans, so they never mix."""
    return data_dir() / "drafts"


def list_drafts() -> list[str]:
    return sorted(p.stem for p in drafts_dir().glob("*.yaml"))


def get_draft(plan: str | Path | Plan, dataset: Dataset | None = None) -> Plan:
    """A draft plan by path, or by name in data/drafts (same schema as data/plans)."""
    if isinstance(plan, Plan):
        return plan
    p = Path(plan)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return get_plan(p, dataset)
    f = drafts_dir() / f"{plan}.yaml"
    if not f.exists():
        raise DataError(f"unknown draft plan '{plan}'", fix="give a plan file path, or one of: " + ", ".join(list_drafts()))
    return get_plan(f, dataset)


def assess_draft(plan: str | Path | Plan, data: Dataset | None = None, *, probabilities=PROBABILITIES,
                 as_of: int | None = None, method: str = "auto", seed: int = 0) -> pd.DataFrame:
    """Every target of a draft plan: its ambition and the values promisable at each probability.

    ambition = attainment.assess's probability that the draft target is met. Beside it,
    `proposed_50`, `proposed_80`… : the values met with 50%, 80%… probability, in the target's
    direction (its comparator). `note` says why a value is missing and when the base year has
    no data yet.

    Parameters
    ----------
    plan : str, Path or Plan
        A draft plan id (``"changchun-15th-draft-example"``), file or Plan.
    data : Dataset, str, Path, DataFrame or list, optional
    probabilities : sequence of float
    as_of : int, optional
    method : str, default "auto"
    seed : int, default 0

    Returns
    -------
    pandas.DataFrame
        One row per target: ambition, proposed_50, proposed_80…, note.
    """
    ds = load(data)
    ps = _check_probabilities(probabilities)
    p = get_draft(plan, ds)
    plan_region(p, None, ds.regions)  # a draft is one region's: a plan for several is refused clearly
    rows = []
    for t in p.targets:
        a = A.assess(t, ds, as_of=as_of, method=method, seed=seed)
        ly = a.get("latest_year")
        ly = int(ly) if ly is not None and not pd.isna(ly) else None
        lv = a.get("latest_value")
        lv = float(lv) if lv is not None and not pd.isna(lv) else float("nan")
        prob = a.get("probability")
        prob = float(prob) if prob is not None and not pd.isna(prob) else float("nan")
        row = dict(plan=p.id, target_id=t.id, region=t.region, indicator=t.indicator,
                   proxy=proxy_used(t, ds, as_of), kind=t.kind,
                   denominator=t.denominator or "", denominator_lag=t.denominator_lag, binding=t.binding,
                   comparator=t.comparator,
                   target_value=t.value, unit=t.unit, year=t.target_year, latest_year=ly, latest_value=lv,
                   base_year=t.base_year, base_year_observed=ly is not None and ly >= t.base_year,
                   horizon=t.target_year - ly if ly is not None else None,
                   n_obs=int(a.get("n_obs") or 0), ambition=prob,
                   ambition_class=ambition_class(prob), verdict=a.get("verdict"),
                   target_cagr=cagr(lv, t.value, t.target_year - ly) if ly is not None and t.target_year > ly
                   else float("nan"),
                   historical_cagr=float(a.get("historical_cagr")) if a.get("historical_cagr") is not None
                   else float("nan"))
        notes = [a.get("note") or ""]
        try:
            pr = propose_target(t, ds, ps, as_of=as_of, method=method, seed=seed)
            for q, v in zip(ps, pr.value):
                row[f"proposed_{probability_label(q)}"] = v
            row["historical_cagr"] = float(pr.historical_cagr.iloc[0])
            notes = [pr.note.iloc[0] or notes[0]]
        except DataError as e:
            for q in ps:
                row[f"proposed_{probability_label(q)}"] = float("nan")
            if not notes[0]:
                notes = [e.message]
        bn = base_note(t.base_year, ly, t.target_year) if ly is not None else ""
        if bn and bn not in notes[0]:
            notes.append(bn)
        row["note"] = Notes(n for n in notes if n)
        rows.append(row)
    cols = DRAFT_COLUMNS + [f"proposed_{probability_label(q)}" for q in ps] + ["note"]
    def probability_at(t, value):  # the chance of meeting a floor a proposed value was lifted to
        p = A.assess(t.model_copy(update={"value": float(value)}), ds, as_of=as_of, method=method,
                     seed=seed).get("probability")
        return float("nan") if p is None or pd.isna(p) else float(p)
    return apply_floors(pd.DataFrame(rows, columns=cols), p, ds, as_of, probability_at)
