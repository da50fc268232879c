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
