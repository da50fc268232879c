"""The analyst's notebook (issue 24): plotting, pandas input, what-if, result objects, discovery."""
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

import mzforecast as mzf

matplotlib.use("Agg")
ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "data/examples/jilin-prefectures-synthetic.csv"


@pytest.fixture
def fc():
    return mzf.forecast(mzf.series("changchun", "dibao_standard_urban"), until=2027)


def _glyph_warnings(record):
    return [str(w.message) for w in record if "missing from" in str(w.message) or "Glyph" in str(w.message)]


# ---------------------------------------------------------------- 1. plotting
def test_forecast_plot_returns_axes_on_gca_without_missing_glyphs(fc):
    import matplotlib.pyplot as plt
    plt.close("all")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        ax = fc.plot(target=900)
        ax.figure.canvas.draw()
    assert ax is plt.gca()
    assert not _glyph_warnings(rec)
    assert ax.get_title() == "长春市 城市低保标准"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "80%预测区间" in texts and "95%预测区间" in texts and "目标 900元/人·月" in texts
    assert len(ax.collections) == 2  # the two bands
    plt.close("all")


def test_forecast_plot_own_axes_and_levels_no_glyph_warning(fc):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        out = fc.plot(ax, levels=(50, 80, 95), language="zh", title="长春市城市低保标准")
        fig.canvas.draw()
        fig.savefig(__import__("io").BytesIO(), format="png")
    assert out is ax and len(ax.collections) == 3
    assert not _glyph_warnings(rec)
    plt.close(fig)


def test_use_chinese_font_makes_the_analysts_own_text_render():
    import matplotlib.pyplot as plt
    with matplotlib.rc_context():
        name = mzf.use_chinese_font()
        assert matplotlib.rcParams["font.family"][0] == name
        fig, ax = plt.subplots()
        with warnings.catch_warnings(record=True) as rec:
            warnings.simplefilter("always")
            ax.set_title("民政事业发展规划")
            ax.set_xlabel("年份")
            fig.canvas.draw()
        assert not _glyph_warnings(rec)
        plt.close(fig)


# ---------------------------------------------------------------- 2. pandas input
OBS = ["region", "indicator", "year", "value", "unit", "source"]


def _obs(ds):
    return ds.observations[OBS].sort_values(OBS[:3]).reset_index(drop=True)


def test_load_dataframe_long_and_wide_equal_the_csv():
    from_csv = mzf.load(EXAMPLE)
    long = pd.read_csv(EXAMPLE)
    pd.testing.assert_frame_equal(_obs(mzf.load(long)), _obs(from_csv), check_exact=True)
    wide = long.pivot_table(index=["region", "indicator"], columns="year", values="value").reset_index()
    got = mzf.load(wide)  # no unit column: values are in the indicators' units, as in the file
    pd.testing.assert_frame_equal(_obs(got)[["region", "indicator", "year", "value"]],
                                  _obs(from_csv)[["region", "indicator", "year", "value"]], check_exact=True)
    indexed = long.set_index(["region", "indicator"])  # an index of ids is read as columns
    pd.testing.assert_frame_equal(_obs(mzf.load(indexed)), _obs(from_csv), check_exact=True)


def test_assess_plan_with_a_dataframe_equals_the_csv():
    plan = ROOT / "data/examples/jilin-prefectures-example.yaml"
    a = mzf.assess_plan(plan, data=EXAMPLE)
    b = mzf.assess_plan(plan, data=pd.read_csv(EXAMPLE))
    c = mzf.assess_plan(plan, pd.read_csv(EXAMPLE))  # positional, as for a Dataset
    num = a.select_dtypes("number").columns
    assert len(a) > 10 and len(num) > 5
    pd.testing.assert_frame_equal(a[num], b[num])
    pd.testing.assert_frame_equal(a[num], c[num])
    assert (a.verdict == b.verdict).all()


def test_dataframe_meets_the_file_rules():
    bad = pd.DataFrame({"region": ["changchun", "nowhere"], "indicator": ["dibao_standard_urban"] * 2,
                        "year": [2026, 2026], "value": [800, "8,00"]})
    with pytest.raises(mzf.DataErrors) as e:
        mzf.load(bad)
    msgs = [str(x) for x in e.value.errors]
    assert any("DataFrame" in m and "row 3" in m and "unknown region 'nowhere'" in m for m in msgs), msgs
    assert any("row 3" in m and "comma" in m for m in msgs), msgs
    money = pd.DataFrame({"region": ["changchun"], "indicator": ["dibao_standard_urban"], "year": [2026],
                          "value": [9600], "unit": ["元/人·年"]})  # yearly amount: converted to the monthly unit
    assert mzf.series("changchun", "dibao_standard_urban", data=money).loc[2026] == 800


@pytest.mark.parametrize("index", ["datetime", "period", "strings"])
def test_series_with_date_or_period_index_is_read_by_year(index):
    s = mzf.series("changchun", "dibao_standard_urban")
    ref = mzf.forecast(s, until=2026).summary_frame()
    t = s.copy()
    t.index = {"datetime": pd.to_datetime([f"{y}-12-31" for y in s.index]),
               "period": pd.PeriodIndex([str(y) for y in s.index], freq="Y"),
               "strings": [f"{y}年" for y in s.index]}[index]
    pd.testing.assert_frame_equal(mzf.forecast(t, until=2026).summary_frame(), ref)


def test_monthly_series_is_refused_with_the_reason():
    s = pd.Series([1.0, 2.0], index=pd.period_range("2020-01", periods=2, freq="M"))
    with pytest.raises(mzf.DataError, match="more than one value in 2020"):
        mzf.forecast(s, until=2025)


# ---------------------------------------------------------------- 3. what-if and units
def test_assess_a_target_id_with_another_value():
    a = mzf.assess("table-08-social-work-professionals", value=5000, reference=2024)
    b = mzf.assess("changchun-14th:table-08-social-work-professionals", reference=2024)
    assert a.target.value == 5000 and b.target.value == 6000
    assert a.probability > b.probability  # an easier target is likelier to be met
    assert a["target_value"] == 5000 and a.to_series()["probability_basis"] == "forecast"


def test_with_value_converts_units_and_validates():
    t = mzf.get_target("changchun-14th", "table-08-social-work-professionals")
    assert t.with_value(0.5, unit="万人").value == 5000
    assert t.with_value(5000, year=2024).target_year == 2024
    with pytest.raises(mzf.DataError, match="cannot be converted"):
        t.with_value(5000, unit="元")
    with pytest.raises(mzf.DataErrors, match="year"):
        t.with_value(5000, year=1800)
    with pytest.raises(mzf.DataError, match="number"):
        t.with_value("lots")


def test_hand_built_target_converts_units_or_refuses():
    def target(value, unit):
        return mzf.Target(id="what-if", indicator="dibao_standard_urban", comparator=">=", value=value, unit=unit,
                          year=2025, region="changchun", quote="")
    yearly = mzf.assess(target(9600.0, "元/人·年"), reference=2024)  # 800 a month
    monthly = mzf.assess(target(800.0, "yuan/person/month"), reference=2024)
    assert yearly.target.value == pytest.approx(800) and yearly.target.unit == "yuan/person/month"
    assert yearly.probability == monthly.probability and yearly.verdict == monthly.verdict
    assert yearly.probability > 0.01  # not compared as 9,600 a month
    with pytest.raises(mzf.DataError, match="is in 'people'"):
        mzf.assess(target(800.0, "people"), reference=2024)


# ---------------------------------------------------------------- 4. the Assessment result and assess_plan frames
def test_assessment_display_series_and_plot():
    import matplotlib.pyplot as plt
    a = mzf.assess("changchun-14th:table-02-rural-urban-dibao", reference=2026)
    assert a.verdict == "outcome_pending" and a.probability_basis == "nowcast"
    assert a.probability == a["probability_nowcast"] and 0 < a.probability < 1
    page = a._repr_html_()
    for text in ("农村低保标准与城市低保标准之比", "待实际数据", "推算", "80%预测区间", "所需年均提高",
                 "两项同步调整的保障标准之比"):
        assert text in page, text
    assert "个百分点" in page and "所需年均增长" not in page  # a share's pace is in points
    assert "..." not in page and "None" not in page and "nan" not in page.lower()
    en = mzf.assess("changchun-14th:table-02-rural-urban-dibao", reference=2026, language="en")._repr_html_()
    assert "nowcast" in en and "80% interval" in en
    s = a.to_series()
    assert s["probability"] == a.probability and "probability_nowcast" not in s.index
    assert not any(v is None for v in s.values) and s["note"] == a["note"]
    plt.close("all")
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        ax = a.plot()
        ax.figure.canvas.draw()
    assert not _glyph_warnings(rec) and "之比" in ax.get_title() and len(ax.collections) == 2
    plt.close("all")


def _all_plans():
    plans = [(p, None) for p in mzf.list_plans()]
    return plans + [(ROOT / "data/examples/jilin-prefectures-example.yaml", EXAMPLE)]


@pytest.mark.parametrize("columns", [None, "brief", "evaluation", "all"])
def test_assess_plan_dtypes_are_stable_across_bundled_plans(columns):
    seen: dict[str, set] = {}
    for plan, data in _all_plans():
        df = mzf.assess_plan(plan, data, columns=columns, reference=2026)
        for c, t in df.dtypes.items():
            seen.setdefault(c, set()).add(str(t))
        floats = [c for c in df.columns if c in ("probability", "median", "lo80", "target_value", "latest_value")]
        assert all(df[c].dtype == "float64" for c in floats), df.dtypes
        if columns:
            assert not df.map(lambda v: v is None).any().any()
    assert {c: t for c, t in seen.items() if len(t) > 1} == {}
    if columns:
        assert "probability_nowcast" not in seen and "probability_basis" in seen


def test_one_probability_column_with_its_basis():
    df = mzf.assess_plan("changchun-14th", columns="brief", reference=2026)
    assert set(df.probability_basis) <= {"forecast", "nowcast", "observed", ""}
    pending = df[df.verdict == "outcome_pending"]
    assert len(pending) and (pending.probability_basis == "nowcast").all() and pending.probability.notna().all()
    legacy = mzf.assess_plan("changchun-14th", reference=2026)
    assert list(legacy.columns[:3]) == ["plan", "target_id", "region"] and "probability_nowcast" in legacy.columns
    np.testing.assert_array_equal(pending.probability, legacy.loc[pending.index, "probability_nowcast"])
    with pytest.raises(ValueError, match="brief"):
        mzf.assess_plan("changchun-14th", columns="short")


def test_chinese_frame_writes_values_per_row_in_their_scale():
    zh = mzf.assess_plan("changchun-13th", language="zh")
    text = zh.to_string()
    assert "e+0" not in text and "None" not in text
    assert "15.4亿元" in set(zh["最新值"]) and "4.8万张" in set(zh["最新值"]), list(zh["最新值"])


# ---------------------------------------------------------------- 5. statsmodels / statsforecast habits
def test_summary_frame_alpha_equals_levels(fc):
    pd.testing.assert_frame_equal(fc.summary_frame(alpha=0.05), fc.summary_frame(levels=[95]))
    assert list(fc.summary_frame(alpha=0.2).columns) == list(fc.summary_frame(levels=[80]).columns)
    assert fc.summary_frame().attrs["unit"] == "yuan/person/month"
    with pytest.raises(ValueError, match="alpha"):
        fc.summary_frame(alpha=5)


def test_year_indexed_predictions_and_summary(fc):
    med, mean = fc.predicted_median, fc.predicted_mean
    assert list(med.index) == list(range(2021, 2028)) and med.index.name == "year"
    np.testing.assert_allclose(med.to_numpy(), fc.summary_frame()["median"].to_numpy())
    np.testing.assert_allclose(mean.to_numpy(), fc.mean)
    assert med.attrs["unit"] == mean.attrs["unit"] == "yuan/person/month"
    text = fc.summary()
    assert fc.method in text and "2027" in text and "e+0" not in text


def test_forecast_frame_compares_methods_in_one_long_frame():
    s = mzf.series("changchun", "dibao_standard_urban")
    ff = mzf.forecast_frame([s, mzf.series("jilin", "dibao_standard_urban")], 2027, methods=("theta", "drift"))
    assert set(ff.method) == {"theta", "drift"} and set(ff.series) == {"changchun/dibao_standard_urban",
                                                                       "jilin/dibao_standard_urban"}
    assert (ff.unit == "yuan/person/month").all() and {"lo80", "hi95", "median", "year"} <= set(ff.columns)
    one = ff[(ff.series == "changchun/dibao_standard_urban") & (ff.method == "drift")].set_index("year")
    np.testing.assert_allclose(one["median"], mzf.forecast(s, 2027, method="drift").summary_frame()["median"])
    wide = ff.pivot_table(index=["series", "year"], columns="method", values="median")
    assert wide.shape[1] == 2 and not wide.isna().any().any()


def test_forecast_frame_takes_a_dataframe_of_many_series():
    ff = mzf.forecast_frame(pd.read_csv(EXAMPLE), 2026, methods="auto")
    assert ff.series.nunique() == pd.read_csv(EXAMPLE).groupby(["region", "indicator"]).ngroups
    assert ff.year.min() >= 2022 and ff.year.max() == 2026 and ff.unit.ne("").all()


# ---------------------------------------------------------------- 6. discovery and docstrings
def test_indicators_and_regions_are_searchable_frames():
    ind = mzf.indicators(search="低保")
    assert len(ind) >= 4 and ind.name_zh.str.contains("低保").all()
    row = ind.set_index("id").loc["dibao_standard_urban"]
    assert row.unit == "yuan/person/month" and row.years == "2010, 2015, 2020 (3 years)"
    assert len(mzf.indicators()) > len(ind) and len(mzf.indicators(search="elderly")) > 0
    reg = mzf.regions().set_index("id")
    assert reg.loc["changchun", "name_zh"] == "长春市" and reg.loc["changchun", "indicators"] > 0


def test_chinese_names_are_accepted_where_ids_are():
    ref = mzf.series("changchun", "dibao_standard_urban")
    for region, indicator in [("长春", "城市低保标准"), ("长春市", "dibao_standard_urban"), ("Changchun", "城市低保标准")]:
        pd.testing.assert_series_equal(mzf.series(region, indicator), ref)
    with pytest.raises(mzf.DataError, match="unknown region"):
        mzf.series("长", "城市低保标准")


def test_every_public_function_has_numpydoc_parameters_and_returns():
    import inspect
    missing = []
    for name in mzf.__all__:
        obj = getattr(mzf, name)
        if not inspect.isfunction(obj):
            continue
        doc = inspect.getdoc(obj) or ""
        needs_params = bool(inspect.signature(obj).parameters)
        if "Returns\n-------" not in doc or (needs_params and "Parameters\n----------" not in doc):
            missing.append(name)
    assert missing == []


# ---------------------------------------------------------------- 7. the quickstart notebook
@pytest.mark.slow
def test_quickstart_is_generated_and_its_outputs_are_clean(tmp_path):
    import sys

    import nbformat
    import papermill as pm
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_notebooks
    finally:
        sys.path.pop(0)
    name, generated = make_notebooks.quickstart()
    shipped = nbformat.read(str(ROOT / "notebooks" / name), as_version=4)
    assert [c.source for c in generated.cells] == [c.source for c in shipped.cells], "run scripts/make_notebooks.py"
    assert "REFERENCE = " in shipped.cells[1].source
    nb = pm.execute_notebook(str(ROOT / "notebooks/quickstart.ipynb"), str(tmp_path / "q.ipynb"),
                             kernel_name="python3", progress_bar=False, cwd=str(ROOT))
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type in ("error", "stream") and o.get("name") != "stdout"]
    texts = []
    for o in outputs:
        data = o.get("data", {})
        texts += [data.get("text/html", ""), data.get("text/plain", ""), o.get("text", "")]
    shown = "\n".join(texts)
    assert "e+0" not in shown and "None" not in shown
    assert sum("image/png" in o.get("data", {}) for o in outputs) >= 2
    for text in ("推算", "存在风险", "lo95", "theta", "城市低保标准"):
        assert text in shown, text
