"""Many regions at once: the vectorised path must say what the one-at-a-time path says."""
import importlib.util
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

import mzforecast as mzf
from mzforecast import attainment as A
from mzforecast import regional, terms
from mzforecast.data import Dataset
from mzforecast.errors import DataErrors

ROOT = Path(__file__).resolve().parent.parent


def _scale():
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "scale.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    """15 synthetic counties x 20 indicators with every data pattern, and a plan with every target kind."""
    sc = _scale()
    d = tmp_path_factory.mktemp("synth")
    csv, plan = sc.write(d, 15, 20, seed=3)
    obs = pd.read_csv(csv)
    full = (obs.region == "cnty0001") & (obs.indicator == "syn_04")  # a share at its upper bound (100 %)
    obs.loc[full, "value"] = 100.0
    obs.to_csv(csv, index=False)
    doc = yaml.safe_load(plan.read_text(encoding="utf-8"))
    extra = [dict(id="between", indicator="syn_01", comparator="between", value=900, value_high=2000,
                  unit="yuan/person/month", quote="x"),
             dict(id="equal", indicator="syn_03", comparator="==", value=1000, unit="yuan/person/month", quote="x"),
             dict(id="below", indicator="syn_03", comparator="<", value=1000, unit="yuan/person/month", quote="x"),
             dict(id="observed", indicator="syn_01", comparator=">=", value=800, unit="yuan/person/month",
                  year=2025, quote="x"),
             dict(id="rel-add", indicator="syn_06", comparator=">=", relative={"add": 300},
                  unit="yuan/person/month", quote="x"),
             dict(id="ratio-lag", indicator="syn_03", kind="ratio", denominator="syn_01", denominator_lag=1,
                  comparator=">=", value=1.3, unit="times", quote="x"),
             dict(id="ratio-bounded", indicator="syn_02", kind="ratio", denominator="syn_03", comparator=">=",
                  value=90, unit="percent", bounds=[0, 100], quote="x"),
             dict(id="ratio-standards", indicator="syn_11", kind="ratio", denominator="syn_01", comparator=">=",
                  value=1.0, unit="times", quote="x"),  # two never-cut standards: direct even from one year
             # 2017: observed in most counties, missing in some with later years (a gap: no_data in both paths)
             dict(id="gap", indicator="syn_01", comparator=">=", value=800, unit="yuan/person/month", year=2017,
                  base_year=2016, quote="x"),
             # 完成进度 where the base value (2020) already met the target: 100 in both paths, never negative
             dict(id="base-met", indicator="syn_01", comparator=">=", value=150, unit="yuan/person/month",
                  base_year=2020, year=2028, quote="x"),
             dict(id="base-met-below", indicator="syn_03", comparator="<=", value=5000, unit="yuan/person/month",
                  base_year=2020, year=2028, quote="x"),
             dict(id="base-met-some", indicator="syn_03", comparator=">=", value=600, unit="yuan/person/month",
                  base_year=2020, year=2028, quote="x")]
    doc["targets"] += extra
    plan.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    ds = mzf.load([csv])
    return ds, plan


def _one_at_a_time(plan, ds, **kw):
    """attainment.assess and evaluation.add_evaluation for each (target, region), as assess_plan does for one region."""
    from mzforecast.evaluation import add_evaluation
    p = mzf.get_plan(str(plan), ds)
    rows = []
    for t in p.targets:
        for r in regional.regions_of(p, ds):
            base = None
            if t.relative is not None:
                _, hist = terms.history(t.for_region(r, 0.0), ds, kw.get("as_of"))
                base = float(hist.loc[t.base_year]) if t.base_year in hist.index else None
            tr = t.for_region(r, base)
            if tr.value is None:
                continue
            rows.append(add_evaluation(A.assess(tr, ds, **kw), tr, ds, kw.get("as_of")))
    return pd.DataFrame(rows, columns=A.FIELDS)


def test_vectorised_rows_equal_the_one_at_a_time_path(synth):
    ds, plan = synth
    fast = regional.assess_regions(str(plan), ds)
    slow = _one_at_a_time(plan, ds)
    n_targets = len(mzf.get_plan(str(plan), ds).targets)
    assert len(fast) == n_targets * 15
    gap = fast.note.str.startswith("no observation in the target year")
    assert gap.any() and (fast.verdict[gap] == "no_data").all()
    assert fast.note[gap].eq(A.gap_note(2017)).all()
    # relative targets without a base value: not in the slow path
    fast = fast[fast.target_value.notna()].reset_index(drop=True)
    assert len(fast) == len(slow)
    key = ["target_id", "region"]
    f = fast.set_index(key).sort_index()
    s = slow.set_index(key).sort_index()
    assert (f.index == s.index).all()
    # the sample must exercise the cases: every kind, forecasts, fallbacks, several methods
    assert set(f.kind) == {"level", "ratio", "growth", "change"}
    assert {"on_track", "off_track", "achieved", "no_data"} <= set(f.verdict)
    assert {"naive", "theta", "comb", "logistic", "observed"} <= set(f.method.dropna())
    assert f.note.str.contains("the ratio forecast from its").any()
    assert f.note.str.contains("numerator and denominator forecast separately").any()
    # issue 9's structure in the arrays: a standard never cut, a share held at its bound, a bounded ratio
    std = f[(f.indicator == "syn_01") & (f.kind == "level") & f.lo95.notna()]
    assert len(std) and (std.lo95 >= std.latest_value - 1e-9).all()
    assert std.note.str.contains("administered standard").all()
    at_bound = f.loc[("t04", "cnty0001")]
    assert at_bound.lo95 == at_bound.hi95 == 100 and "upper bound" in at_bound.note
    assert (f.loc["ratio-bounded"].hi95.dropna() <= 100).all()
    assert {"insufficient_data", "outcome_pending"} <= set(f.verdict)
    assert f.loc["ratio-standards"].note.str.contains("the ratio forecast from its one observed year").any()
    # 完成进度 with a base value that already met the target: 100 (evaluation.completion_progress), both paths
    from mzforecast.evaluation import completion_progress
    p = mzf.get_plan(str(plan), ds)
    for tid in ("base-met", "base-met-below"):
        m = f.loc[tid]
        m = m[m.base_value.notna() & m.latest_value.notna() & (m.latest_year > 2020)]
        assert len(m) >= 10 and (m.completion_progress == 100).all() and (s.loc[tid].completion_progress.dropna() == 100).all()
    some = f.loc["base-met-some"].dropna(subset=["base_value", "completion_progress"])
    met0 = some.base_value >= 600
    assert met0.any() and (~met0).any()
    t = next(x for x in p.targets if x.id == "base-met-some")
    for region, r in some.iterrows():
        assert r.completion_progress == completion_progress(t, r.base_value, r.latest_value), region
    assert (some.completion_progress[met0] >= 100).all()
    for c in A.FIELDS:
        if c in key:
            continue
        a, b = f[c], s[c]
        num = pd.to_numeric(b, errors="coerce")
        if b.notna().any() and num[b.notna()].notna().all() and c not in ("binding",):
            np.testing.assert_allclose(pd.to_numeric(a, errors="coerce").astype(float), num.astype(float),
                                       rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=c)
        else:
            assert (a.fillna("").astype(str) == b.fillna("").astype(str)).all(), (c, a[a != b], b[a != b])


def test_probabilities_are_equal_not_just_close(synth):
    ds, plan = synth
    fast = regional.assess_regions(str(plan), ds).set_index(["target_id", "region"])
    slow = _one_at_a_time(plan, ds).set_index(["target_id", "region"])
    both = fast.loc[slow.index]
    assert (both.probability.fillna(-1).to_numpy() == slow.probability.fillna(-1).to_numpy()).all()
    assert (both.verdict.to_numpy() == slow.verdict.to_numpy()).all()


def test_relative_target_takes_each_regions_base_value(synth):
    ds, plan = synth
    res = regional.assess_regions(str(plan), ds)
    rel = res[res.target_id == "t02"]  # relative: {pct: 25} over the 2025 value
    has = rel.base_value.notna()
    assert has.any()
    np.testing.assert_allclose(rel.target_value[has], rel.base_value[has] * 1.25)
    assert (rel.verdict[~has] == "no_data").all()
    assert rel.note[~has].str.contains("base year 2025").all()


def test_regions_all_means_every_region_with_data(synth):
    ds, plan = synth
    p = mzf.get_plan(str(plan), ds)
    regs = regional.regions_of(p, ds)
    assert len(regs) == 15 and all(r.startswith("cnty") for r in regs)
    assert "changchun" not in regs  # bundled regions have none of the synthetic indicators


def test_constraints_apply_to_sample_arrays(synth, monkeypatch):
    """A constraint is a function on (series, draws, years) arrays; capping every path changes the verdicts."""
    ds, plan = synth
    p = mzf.get_plan(str(plan), ds)
    t = next(x for x in p.targets if x.id == "t01")
    regs = regional.regions_of(p, ds)
    before = regional.assess_target(t, regs, ds)
    seen = []

    def cap(paths, info):
        seen.append(paths.shape)
        return np.minimum(paths, 0.0)

    monkeypatch.setattr(regional, "CONSTRAINTS", [cap])
    after = regional.assess_target(t, regs, ds)
    assert seen and all(len(s) == 3 and s[1] in (A.N_SAMPLES, 6) for s in seen)
    forecast = before.method != "observed"
    # forecast probabilities are clipped to [P_MIN, P_MAX] (4,000 paths cannot say 0)
    assert (after.probability[forecast & before.verdict.ne("no_data")] == A.P_MIN).all()
    assert (before.probability[forecast] > 0).any()


def test_plan_needs_region_or_regions(write):
    base = "id: x\nname_zh: x\nsource: s\nbase_year: 2020\ntarget_year: 2025\n"
    t = "targets:\n  - {id: a, indicator: dibao_standard_urban, comparator: '>=', value: 1, unit: yuan/person/month, quote: q}\n"
    with pytest.raises(DataErrors, match="either 'region'"):
        mzf.targets.load_plan(write("a.yaml", base + "region: jilin\nregions: all\n" + t))
    with pytest.raises(DataErrors, match="either 'region'"):
        mzf.targets.load_plan(write("b.yaml", base + t))
    rel = t.replace("value: 1", "relative: {pct: 5}, value: 3")
    with pytest.raises(DataErrors, match="either 'value'"):
        mzf.targets.load_plan(write("c.yaml", base + "regions: all\n" + rel))
    ds = mzf.load()
    with pytest.raises(DataErrors) as e:
        mzf.targets.load_plan(write("d.yaml", base + "regions: [jilin, nowhere]\n" + t), ds)
    assert "regions[1]" in str(e.value) and "nowhere" in str(e.value)


def test_cli_streams_one_row_per_target_per_region(synth, capsys):
    from mzforecast.cli import main
    ds, plan = synth
    csv = Path(plan).with_name("counties-synthetic.csv")
    assert main(["assess", "--plan", str(plan), "--data", str(csv), "--format", "csv"]) == 0
    out = pd.read_csv(io.StringIO(capsys.readouterr().out))
    n_targets = len(mzf.get_plan(str(plan), ds).targets)
    assert len(out) == n_targets * 15
    assert out.groupby("target_id").region.nunique().eq(15).all()
    assert list(out.columns) == regional.columns()


def test_progress_bar_only_when_asked(synth, capsys):
    """write_rows shows tqdm's bar on a terminal (progress=None asks stderr.isatty()), never in a pipe."""
    ds, plan = synth
    out = io.StringIO()
    n = regional.write_rows(str(plan), ds, out, progress=True)
    err = capsys.readouterr().err
    assert "region-target" in err and f"{n}/{n}" in err
    regional.write_rows(str(plan), ds, io.StringIO(), progress=None)  # pytest's stderr is not a terminal
    assert capsys.readouterr().err == ""
    assert len(pd.read_csv(io.StringIO(out.getvalue()))) == n


def test_assess_plan_gives_one_row_per_target_per_region_for_a_regions_plan():
    ds = mzf.load([ROOT / "data/examples/jilin-prefectures-synthetic.csv"])
    res = mzf.assess_plan(str(ROOT / "data/examples/jilin-prefectures-example.yaml"), ds)
    assert len(res) == 5 * 9 and res.groupby("target_id").region.nunique().eq(9).all()
    assert list(res.columns) == regional.columns()
    single = mzf.assess_plan("changchun-14th", ds)  # one-region plans are unchanged
    assert list(single.columns) == A.FIELDS and (single.region == "changchun").all()


def test_scale_bench_reports_rate_and_memory(tmp_path, capsys):
    sc = _scale()
    assert sc.main(["--counties", "20", "--indicators", "10", "--write", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "200 region-targets in" in out and "region-targets/s wall clock" in out and "MiB" in out
    assert (tmp_path / "counties-synthetic.csv").exists() and (tmp_path / "counties-synthetic-plan.yaml").exists()
    df = pd.read_csv(tmp_path / "counties-synthetic.csv")
    assert df.source.str.contains("synthetic").all() and df.region.nunique() == 20


def test_a_never_cut_standard_can_only_raise_the_chance_of_a_floor(synth):
    """Issue 9's rule, declared in the indicator metadata (syn_01: monotone nondecreasing): every sample
    path held at or above the last observed value, never falling, so a floor is likelier than without it."""
    ds, plan = synth
    p = mzf.get_plan(str(plan), ds)
    t = next(x for x in p.targets if x.id == "t01")
    assert ds.indicators["syn_01"].monotone == "nondecreasing"
    regs = regional.regions_of(p, ds)
    inds = dict(ds.indicators, syn_01=ds.indicators["syn_01"].model_copy(update={"monotone": None}))
    # one method for both (auto would switch a never-cut standard to the growth model): the rule alone
    before = regional.assess_target(t, regs, Dataset(ds.observations, inds, ds.regions, ds.sources), method="theta")
    after = regional.assess_target(t, regs, ds, method="theta")
    assert "growth" in set(regional.assess_target(t, regs, ds).method)  # one-observation regions stay naive
    f = before.method.ne("observed") & before.verdict.ne("no_data")
    assert (after.probability[f] >= before.probability[f]).all()
    assert (after.probability[f] > before.probability[f]).any()
    assert (after.lo80[f] >= before.lo80[f] - 1e-9).all()
    assert (after.lo95[f] >= after.latest_value[f] - 1e-9).all()


@pytest.mark.parametrize("kw", [dict(as_of=2021, method="drift"), dict(method="comb", seed=7)])
def test_equal_with_as_of_fixed_method_and_seed(synth, kw):
    ds, plan = synth
    fast = regional.assess_regions(str(plan), ds, **kw).set_index(["target_id", "region"])
    slow = _one_at_a_time(plan, ds, **kw).set_index(["target_id", "region"])
    both = fast.loc[slow.index]
    assert (both.verdict.to_numpy() == slow.verdict.to_numpy()).all()
    assert (both.probability.fillna(-1).to_numpy() == slow.probability.fillna(-1).to_numpy()).all()
    for c in ("median", "lo80", "hi95", "expected_year", "required_cagr"):
        np.testing.assert_allclose(both[c].astype(float), slow[c].astype(float), rtol=1e-9, equal_nan=True, err_msg=c)
    assert (both.method.fillna("") == slow.method.fillna("")).all()


def test_the_target_years_sample_of_a_never_cut_series_is_its_maximum_over_the_years_to_the_last_bit():
    # Group.at takes the target year's samples without computing the earlier years' where
    # last_year_highest says rounding cannot put an earlier year above; elsewhere it computes all
    from mzforecast import models as M
    from mzforecast.models.structure import structure_many
    from mzforecast.regional import arrays as RA
    _, j, w = RA.draws(0)
    rng = np.random.default_rng(5)
    fast = higher = 0
    for trial in range(120):
        R, Y = 48, int(rng.integers(1, 7))
        Q = np.sort(rng.lognormal(0, rng.uniform(0.001, 0.5), (R, Y, 25)), axis=-1) * rng.uniform(1e-3, 1e6)
        if trial % 3 == 0:  # a flat low tail: the same quantiles in every year
            Q[:, :, :5] = Q[:, :1, :1]
        if trial % 4 == 0:  # years a rounding step apart
            Q = Q[:, :1, :] + rng.integers(0, 2, Q.shape) * np.spacing(Q[:, :1, :])
        if trial % 5 == 0:
            Q[: R // 4] = 0.0
        _, Q, _ = structure_many(Q[:, :, 0], Q, Q[:, 0, 0] * rng.uniform(0.5, 1.0, R), "nondecreasing", None)
        every = M.sample_grid(Q, j, w).max(axis=1)
        last = M.sample_grid(Q[:, -1, :], j, w)
        ok = RA.last_year_highest(Q)
        np.testing.assert_array_equal(every[ok], last[ok])
        assert (np.signbit(every[ok]) == np.signbit(last[ok])).all()
        fast += ok.sum()
        higher += (every != last).any(axis=1).sum()
    assert fast > 1000 and higher > 0  # the shortcut is taken, and the cases it must not take exist


def _divided(monkeypatch, parts: int):
    """assess_regions divides even 15 regions, into `parts` (forked processes, as from PROCESSES_FROM)."""
    monkeypatch.setattr(regional, "PROCESSES_FROM", 2)
    monkeypatch.setattr(regional.growth, "available_cores", lambda: parts)


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="processes are forked (Linux)")
def test_regions_divided_between_processes_give_the_same_table(synth, monkeypatch):
    ds, plan = synth
    one = regional.assess_regions(str(plan), ds)
    _divided(monkeypatch, 3)
    calls = []
    real = regional._part_records
    monkeypatch.setattr(regional, "_part_records", lambda p, d, regions, o: calls.append(len(regions)) or real(p, d, regions, o))
    many = regional.assess_regions(str(plan), ds)
    assert calls == [5]  # this process computed one part; two more were forked (their calls are theirs)
    pd.testing.assert_frame_equal(one, many, check_exact=True)
    assert list(many["note"]) == list(one["note"]) and list(many["flags"]) == list(one["flags"])


@pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="processes are forked (Linux)")
def test_a_part_whose_process_fails_is_computed_here_with_its_error(synth, monkeypatch):
    ds, plan = synth
    one = regional.assess_regions(str(plan), ds)
    _divided(monkeypatch, 2)
    monkeypatch.setattr(regional, "_child", lambda conn, regions: (conn.send(None), conn.close()))
    pd.testing.assert_frame_equal(one, regional.assess_regions(str(plan), ds), check_exact=True)
    real = regional.target_records

    first = mzf.get_plan(str(plan), ds).targets[0].id

    def bad(t, regions, d, **kw):  # data problems: in the forked part (first target), and in this one (later)
        if "cnty0015" in regions and t.id == first:
            raise DataErrors([mzf.errors.DataError("zero denominator", file="x.csv", row=15)])
        if "cnty0001" in regions and t.id != first:
            raise DataErrors([mzf.errors.DataError("negative count", file="x.csv", row=1)])
        return real(t, regions, d, **kw)
    monkeypatch.setattr(regional, "target_records", bad)
    # the problem one process meets first (target by target), as without processes
    with pytest.raises(DataErrors, match="zero denominator"):
        regional.assess_regions(str(plan), ds)
    monkeypatch.setattr(regional, "PROCESSES_FROM", 10 ** 6)
    with pytest.raises(DataErrors, match="zero denominator"):
        regional.assess_regions(str(plan), ds)


def test_growth_rows_computed_to_the_target_year_give_the_rows_of_every_year(tmp_path, monkeypatch):
    # the growth model's rows are computed to the target year, and in full only where a first-passage
    # year lies later (arrays.expected_years): every field, expected years included, as if every row
    # were computed to 2050
    from mzforecast.regional import arrays
    sc = _scale()
    csv, _ = sc.write(tmp_path, 60, 3, seed=4)
    ds = mzf.load([csv])
    last = ds.observations.query("indicator == 'syn_01' and year == 2025").value
    doc = (dict(id="horizons", name_zh="x", name_en="x", regions="all", base_year=2025, target_year=2030, source="x",
                          targets=[dict(id=f"t{k}", indicator="syn_01", comparator=c, value=float(v), unit="yuan/person/month", quote="x",
                                        **({"value_high": float(v) * 2} if c == "between" else {}))
                                   for k, (c, v) in enumerate([(">=", last.quantile(0.5) * 1.3), ("<=", last.median()),
                                                               ("between", last.quantile(0.5) * 1.2)])]
                          + [dict(id="rel", indicator="syn_01", comparator=">=", relative={"pct": 30}, unit="yuan/person/month",
                                  quote="x")]))
    (tmp_path / "plan.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    p = mzf.get_plan(str(tmp_path / "plan.yaml"), ds)
    regions = regional.regions_of(p, ds)
    completed = []
    complete = arrays.Group.complete
    monkeypatch.setattr(arrays.Group, "complete", lambda g, rows: (completed.append(
        (int(g.pending.sum()), int(g.pending[rows].sum()))), complete(g, rows))[1])
    fast = {t.id: regional.target_records(t, regions, ds) for t in p.targets}
    needed = sum(b for _, b in completed)
    assert 0 < needed < sum(a for a, _ in completed)  # some rows need the years after 2030, some do not

    class EveryYear(arrays.Group):
        def __init__(self, *a):
            super().__init__(*a[:9])  # growth_years dropped: every growth row to 2050

    monkeypatch.setattr(regional, "Group", EveryYear)
    for t in p.targets:
        full = regional.target_records(t, regions, ds)
        assert pd.DataFrame(fast[t.id]).equals(pd.DataFrame(full)), t.id
        assert pd.DataFrame(full).method.eq("growth").sum() > 40
