"""Drawing on the analyst's own matplotlib axes: a fan chart of history and forecast bands, with
the bundled CJK font passed to every text the library draws.

Leaf layer (imports fmt and its words from messages), so result objects in lower layers (Forecast.plot,
Assessment.plot) can draw without importing the report charts. Texts carry an explicit
FontProperties for the OFL Noto Sans CJK file rather than relying on rcParams, so Chinese
titles and legends render with no missing-glyph warnings whatever the user's settings;
`use_chinese_font()` is the opt-in that sets rcParams for the analyst's own texts.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import fmt
from .messages.notebook import FAN

BAND_COLORS = ("#4292c6", "#9ecae1", "#c6dbef")  # innermost band first
TARGET_COLOR = "#d73027"


def cjk_font_path():
    """Path of the bundled Noto Sans CJK collection (the OFL `noto-cjk-sans-otc` wheel)."""
    from noto_cjk_sans_otc import FONT_PATH
    return FONT_PATH


@lru_cache(maxsize=1)
def _registered() -> str:
    from matplotlib import font_manager
    path = str(cjk_font_path())
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def font(size=None):
    """FontProperties of the bundled CJK font (a fresh object: matplotlib texts keep a reference)."""
    from matplotlib.font_manager import FontProperties
    return FontProperties(fname=str(cjk_font_path()), size=size)


def use_chinese_font() -> str:
    """Make matplotlib draw Chinese in the analyst's own texts (titles, labels, annotations).

    Registers the bundled Noto Sans CJK font and puts it first in ``rcParams["font.family"]``,
    with ASCII minus signs (the CJK font has no Unicode minus). Opt-in: the library's own charts
    do not need it.

    Returns
    -------
    str
        The font family name now in effect (``"Noto Sans CJK JP"`` for the bundled collection).

    Examples
    --------
    >>> import mzforecast as mzf
    >>> mzf.use_chinese_font()  # doctest: +SKIP
    """
    import matplotlib
    name = _registered()
    fam = [f for f in matplotlib.rcParams["font.family"] if f != name]
    matplotlib.rcParams["font.family"] = [name] + fam
    sans = [f for f in matplotlib.rcParams["font.sans-serif"] if f != name]
    matplotlib.rcParams["font.sans-serif"] = [name] + sans
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name


def band_columns(levels) -> list[tuple[float, str, str]]:
    """[(level, low column, high column)] for central intervals, widest first (drawn underneath)."""
    return [(float(lv), f"lo{lv:g}", f"hi{lv:g}") for lv in sorted(levels, reverse=True)]


def fan(history, bands=None, *, ax=None, levels=(80, 95), unit: str = "", language: str = "zh", title: str = "",
        target_value=None, target_year=None, target_label: str | None = None):
    """Draw history, forecast median and central bands on `ax` (default: ``plt.gca()``).

    Parameters
    ----------
    history : pandas.Series
        Observed values indexed by year.
    bands : pandas.DataFrame, optional
        Indexed by year with a ``median`` column and ``lo{level}``/``hi{level}`` per level.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; the current pyplot axes if omitted.
    levels : sequence of float
        Central interval levels in percent to shade (each needs its lo/hi columns).
    unit : str
        The data's canonical unit: ticks and the axis label use one 万/亿 scale.
    language : {"zh", "en"}
    title : str
    target_value, target_year : float, int, optional
        A horizontal target line, starred at the target year.
    target_label : str, optional
        Legend text of the target line (default: "目标 <value>").

    Returns
    -------
    matplotlib.axes.Axes
    """
    if language not in FAN:
        raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
    T = FAN[language]
    if ax is None:
        import matplotlib.pyplot as plt
        ax = plt.gca()
    h = history.dropna()
    vals = list(h.to_numpy(float))
    if bands is not None and len(bands):
        yrs, first = bands.index.to_numpy(), None
        med = bands["median"].to_numpy(float)
        if len(h):  # start the fan at the last observation, so it joins the history line
            yrs, first = np.r_[h.index.max(), yrs], float(h.iloc[-1])
            med = np.r_[first, med]
        for k, (lv, lo, hi) in enumerate(band_columns(levels)):
            low, high = bands[lo].to_numpy(float), bands[hi].to_numpy(float)
            if first is not None:
                low, high = np.r_[first, low], np.r_[first, high]
            color = BAND_COLORS[min(len(levels) - 1 - k, len(BAND_COLORS) - 1)]
            ax.fill_between(yrs, low, high, color=color, alpha=0.5, lw=0, label=T["band"].format(lv=lv))
            vals += list(low) + list(high)
        ax.plot(yrs, med, color="#08519c", lw=1.8, ls="--", label=T["median"])
    if len(h):
        ax.plot(h.index.to_numpy(), h.to_numpy(float), "o-", color="black", lw=1.5, ms=4, label=T["history"])
    if target_value is not None:
        label = target_label or f"{T['target']} {fmt.number(target_value, unit, language, exact=True)}"
        ax.axhline(target_value, color=TARGET_COLOR, lw=1.2, label=label)
        if target_year is not None:
            ax.plot([target_year], [target_value], marker="*", color=TARGET_COLOR, ms=12)
        vals.append(float(target_value))
    finite = [abs(v) for v in vals if np.isfinite(v)]
    formatter, label = fmt.axis_formatter(max(finite) if finite else 0, unit, language)
    ax.yaxis.set_major_formatter(formatter)
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title(title, fontproperties=font(11), parse_math=False)
    ax.set_xlabel(T["year"], fontproperties=font())
    ax.set_ylabel(label, fontproperties=font(), parse_math=False)
    ax.grid(alpha=0.25)
    ax.legend(prop=font(8), loc="best", frameon=False)
    for t in ax.get_xticklabels() + ax.get_yticklabels():
        t.set_fontproperties(font())  # tick texts: digits, but scale words (万) are Chinese
    return ax
