"""Charts officials read: fan charts with the target and the milestone path, in Chinese by default.

The CJK font comes from the OFL `noto-cjk-sans-otc` wheel, registered by path, so Chinese
renders on a bare machine with no system fonts and no root.
"""
from __future__ import annotations

from functools import lru_cache

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager

from .attainment import VERDICT_ZH

COLORS = {"achieved": "#1a9850", "on_track": "#66bd63", "at_risk": "#fdae61", "off_track": "#d73027",
          "not_achieved": "#a50026", "no_data": "#bdbdbd",
          "insufficient_data": "#bdbdbd", "outcome_pending": "#9e9e9e", "transferred": "#e0e0e0"}  # grey: no call
TEXT = {
    "zh": dict(history="历史值", median="预测中位数", band80="80%预测区间", band95="95%预测区间", target="目标",
               path="年度分解（线性）", base="规划基年", year="年份"),
    "en": dict(history="observed", median="forecast median", band80="80% interval", band95="95% interval",
               target="target", path="milestone path (linear)", base="plan base year", year="year"),
}


def cjk_font_path():
    from noto_cjk_sans_otc import FONT_PATH
    return FONT_PATH


def embedded_font_css(text: str, family: str = "MZ CJK") -> str:
    """An @font-face holding just the glyphs `text` uses, so a page shows its Chinese on a
    machine with no CJK font at all and needs no file beside it (a few hundred KB, not 19 MB)."""
    import base64
    import io

    from fontTools import subset
    from fontTools.ttLib import TTCollection

    coll = TTCollection(str(cjk_font_path()), lazy=True)
    font_number = next(i for i, f in enumerate(coll.fonts) if f["name"].getDebugName(4) == "Noto Sans CJK SC")
    opts = subset.Options()
    opts.flavor = "woff"  # zlib-compressed; woff2 would need brotli
    opts.font_number = font_number
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    font = subset.load_font(str(cjk_font_path()), opts)
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(sorted(set(text))))
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'@font-face{{font-family:"{family}";src:url(data:font/woff;base64,{data}) format("woff");}}'


@lru_cache(maxsize=1)
def use_cjk_font() -> str:
    """Register the bundled Noto Sans CJK and make it the default sans-serif font."""
    path = str(cjk_font_path())
    font_manager.fontManager.addfont(path)
    name = font_manager.FontProperties(fname=path).get_name()
    plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
    plt.rcParams["font.family"] = "sans-serif"
    plt.rcParams["axes.unicode_minus"] = False
    plt.rcParams["svg.hashsalt"] = "mzforecast"  # deterministic output
    return name


def fan_chart(history: pd.Series, bands: pd.DataFrame | None = None, *, target=None, milestones=None, title: str = "",
              unit: str = "", language: str = "zh", ax=None):
    """History, forecast median with 80% and 95% bands, target line and milestone path.

    `bands`: indexed by year with columns median, lo80, hi80, lo95, hi95, as
    Forecast.summary_frame() or attainment.target_fan() give them.
    """
    use_cjk_font()
    T = TEXT[language]
    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 3.8), dpi=100)
    else:
        fig = ax.figure
    h = history.dropna()
    if bands is not None and len(bands) and len(h):
        sf = bands
        x0, y0 = h.index.max(), h.iloc[-1]
        yrs = np.r_[x0, sf.index.to_numpy()]
        def band(c):
            return np.r_[y0, sf[c].to_numpy()]
        ax.fill_between(yrs, band("lo95"), band("hi95"), color="#9ecae1", alpha=0.45, lw=0, label=T["band95"])
        ax.fill_between(yrs, band("lo80"), band("hi80"), color="#4292c6", alpha=0.45, lw=0, label=T["band80"])
        ax.plot(yrs, band("median"), color="#08519c", lw=1.8, ls="--", label=T["median"])
    ax.plot(h.index, h.to_numpy(), "o-", color="black", lw=1.5, ms=4, label=T["history"])
    if milestones is not None and len(milestones):
        ax.plot(milestones.year, milestones.linear, color="#756bb1", lw=1, ls=":", label=T["path"])
        ax.axvline(milestones.year.iloc[0], color="#999999", lw=0.8, ls="-.", label=T["base"])
    if target is not None:
        ax.axhline(target.value, color="#d73027", lw=1.2, label=f"{T['target']} {target.value:g}")
        if target.comparator == "between" and target.value_high is not None:
            ax.axhline(target.value_high, color="#d73027", lw=1.2)
        ax.plot([target.target_year], [target.value], marker="*", color="#d73027", ms=12)
    ax.set_title(title, fontsize=11, parse_math=False)  # names from data files: "$" is text, not mathtext
    ax.set_xlabel(T["year"])
    ax.set_ylabel(unit, parse_math=False)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.grid(alpha=0.25)
    ax.legend(fontsize=8, loc="best", frameon=False)
    fig.tight_layout()
    return fig


def verdict_label(v: str, language: str = "zh") -> str:
    return VERDICT_ZH.get(v, v) if language == "zh" else str(v).replace("_", " ")
