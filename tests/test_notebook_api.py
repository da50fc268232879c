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
