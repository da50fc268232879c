"""Charts officials read: fan charts with the target and the milestone path, in Chinese by default;
the CJK font they and the pages use; the colour table of verdicts and progress statuses.
Charts only: a chart as an <img> is `mzforecast.html.img`. Imports only leaves.

The CJK font comes from the OFL `noto-cjk-sans-otc` wheel, registered by path, so Chinese
renders on a bare machine with no system fonts and no root.
"""
from __future__ import annotations

import io
from functools import lru_cache

import matplotlib
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure

from . import fmt
from . import messages
from .chart import cjk_font_path  # one place knows where the bundled font is
from .messages import label
from .messages.pages import CHART

# The one colour table of every page, chart and index. Verdicts in the groups planners use:
# green met / on track, amber at risk, red off track / missed, grey where the tool makes no
# forecast judgement. Progress statuses (超前/符合/滞后序时进度) as the evaluation form colours them.
GREEN, LIGHT_GREEN, AMBER, RED, DARK_RED, GREY = "#1a9850", "#66bd63", "#e08e0b", "#d73027", "#a50026", "#8c8c8c"
COLORS = {"achieved": GREEN, "on_track": LIGHT_GREEN, "at_risk": AMBER, "off_track": RED, "not_achieved": DARK_RED,
          "insufficient_data": GREY, "outcome_pending": GREY, "no_data": "#8c8c8c", "transferred": "#616161"}
STATUS_COLORS = {"ahead": GREEN, "on_schedule": LIGHT_GREEN, "behind": RED, "": "#bdbdbd"}
# how a target ended (总结评估: closing statuses)
CLOSING_COLORS = {"exceeded": GREEN, "completed": LIGHT_GREEN, "late": "#4393c3", "basically": "#fdae61",
                  "not_completed": RED,
                  "pending": "#9e9e9e", "no_data": "#bdbdbd", "": "#bdbdbd"}
TARGET_COLOR = "#d73027"


def font_cache_dir():
    """Where font subsets are kept between runs: $MZFORECAST_CACHE_DIR, else the user's cache folder."""
    import os
    from pathlib import Path

    import platformdirs
    return Path(os.environ.get("MZFORECAST_CACHE_DIR") or platformdirs.user_cache_dir("mzforecast")) / "fonts"


def embedded_font_css(text: str, family: str = "MZ CJK", cache: bool = True) -> str:
    """An @font-face holding just the glyphs `text` uses, so a page shows its Chinese on a
    machine with no CJK font at all and needs no file beside it (a few hundred KB, not 19 MB).

    Subsetting takes a fifth of a second or more per page; with `cache`, a subset is kept on
    disk under the hash of its characters, the font file and fontTools' version, so a page
    showing the same characters as before (a monthly rerun) gets the same bytes without it.
    A cache that cannot be read or written is skipped.
    """
    import hashlib
    import os

    import fontTools

    chars = "".join(sorted(set(text)))
    if not cache:
        return _subset_font_css(chars, family)
    font = cjk_font_path()
    key = hashlib.sha256("\0".join([family, os.path.basename(str(font)), str(os.path.getsize(font)),
                                     fontTools.version, chars]).encode("utf-8")).hexdigest()
    path = font_cache_dir() / f"{key}.css"
    try:
        css = path.read_text(encoding="ascii")
        if css.startswith("@font-face{") and css.endswith("}"):
            return css
    except (OSError, ValueError):
        pass
    css = _subset_font_css(chars, family)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two workers may write the same key
        tmp.write_text(css, encoding="ascii")
        os.replace(tmp, path)
    except OSError:
        pass
    return css


def _subset_font_css(chars: str, family: str) -> str:
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
    sub.populate(text=chars)
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    return f'@font-face{{font-family:"{family}";src:url(data:font/woff;base64,{data}) format("woff");}}'


@lru_cache(maxsize=1)
def use_cjk_font() -> str:
    """Register the bundled Noto Sans CJK with matplotlib's font manager; return its family name.

    The user's rcParams are left alone: charts are drawn inside `chart_style()`.
    """
    path = str(cjk_font_path())
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def chart_style():
    """A context for drawing and saving charts: the CJK font, ASCII minus, deterministic SVG."""
    return matplotlib.rc_context({"font.family": [use_cjk_font(), "DejaVu Sans"], "axes.unicode_minus": False,
                                  "svg.hashsalt": "mzforecast"})


# Chinese glyphs fill the whole em: at matplotlib's default 1.2 a wrapped name's two lines touch
NAME_LINESPACING = 1.5


def name_ticks(ax) -> None:
    """Y tick labels that are indicator names: "$" is text, not mathtext (names come from data
    files), and a name wrapped on two lines keeps a gap between them."""
    for t in ax.get_yticklabels():
        t.set_parse_math(False)
        t.set_linespacing(NAME_LINESPACING)


def new_figure(figsize=(7, 3.8)):
    """A figure outside pyplot: never shown twice by the inline backend, works under any MPLBACKEND."""
    with chart_style():
        return Figure(figsize=figsize, dpi=100)


def png(fig) -> bytes:
    buf = io.BytesIO()
    with chart_style():
        fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()


def fan_chart(history: pd.Series, bands: pd.DataFrame | None = None, *, target=None, milestones=None, title: str = "",
              unit: str = "", language: str = "zh", ax=None, targets=None, path=None, path_label: str = "",
              actual: pd.Series | None = None, floor=None):
    """History, forecast median with 80% and 95% bands, target line(s), milestone or required path.

    `bands`: indexed by year with columns median, lo80, hi80, lo95, hi95, as
    Forecast.summary_frame() or attainment.target_fan() give them. `unit` is the data's unit
    name (e.g. "people"): axis ticks and legend values use fmt's scale for it. `targets`:
    [(value, label)] horizontal lines at `target_year`; `target` (a Target) gives them for a
    level target. `path`: a Series drawn as the target path (growth targets). `floor`: lowest
    value the bands may show (an addition whose data never fall is not negative).
    """
    T = CHART[language]
    with chart_style():
        own_figure = ax is None
        if own_figure:
            fig = Figure(figsize=(7, 3.8), dpi=100)
            ax = fig.subplots()
        else:
            fig = ax.figure
        h = history.dropna()
        lines = list(targets or [])
        target_year = None
        if target is not None:
            target_year = target.target_year
            lines.append((target.value, f"{T['target']} {fmt.number(target.value, unit, language, exact=True)}"))
            if target.comparator == "between" and target.value_high is not None:
                lines.append((target.value_high, None))
        vals = list(h.to_numpy()) + [v for v, _ in lines]
        if bands is not None and len(bands) and len(h):
            sf = bands.copy()
            if floor is not None:
                sf = sf.clip(lower=floor)
            x0, y0 = h.index.max(), h.iloc[-1]
            yrs = np.r_[x0, sf.index.to_numpy()]

            def band(c):
                return np.r_[y0, sf[c].to_numpy()]
            ax.fill_between(yrs, band("lo95"), band("hi95"), color="#9ecae1", alpha=0.45, lw=0, label=T["band95"])
            ax.fill_between(yrs, band("lo80"), band("hi80"), color="#4292c6", alpha=0.45, lw=0, label=T["band80"])
            ax.plot(yrs, band("median"), color="#08519c", lw=1.8, ls="--", label=T["median"])
            vals += list(sf[["hi95", "lo95"]].to_numpy().ravel())
            target_year = target_year or int(sf.index.max())
        ax.plot(h.index, h.to_numpy(), "o-", color="black", lw=1.5, ms=4, label=T["history"])
        if actual is not None and len(actual):
            ax.plot(actual.index, actual.to_numpy(), "s", color="#d73027", ms=6, label=T["actual"])
            vals += list(actual.to_numpy())
        if milestones is not None and len(milestones):
            if milestones.linear.notna().any():  # none where the base already met the target (charts.target_figure)
                ax.plot(milestones.year, milestones.linear, color="#756bb1", lw=1, ls=":", label=T["path"])
            ax.axvline(milestones.year.iloc[0], color="#999999", lw=0.8, ls="-.", label=T["base"])
        if path is not None and len(path):
            ax.plot(path.index, path.to_numpy(), color=TARGET_COLOR, lw=1.4, ls="-", label=path_label or T["required"],
                    gid="target")
            ax.plot([path.index.max()], [path.iloc[-1]], marker="*", color=TARGET_COLOR, ms=12)
            vals += list(path.to_numpy())
        for v, label in lines:
            ax.axhline(v, color=TARGET_COLOR, lw=1.2, label=label, gid="target")
            if target_year is not None:
                ax.plot([target_year], [v], marker="*", color=TARGET_COLOR, ms=12)
        keep_in_view(ax, vals)
        finite = [abs(v) for v in vals if v is not None and np.isfinite(v)]
        formatter, label = fmt.axis_formatter(max(finite) if finite else 0, unit, language)
        ax.yaxis.set_major_formatter(formatter)
        ax.set_title(title, fontsize=11, parse_math=False)  # names from data files: "$" is text, not mathtext
        ax.set_xlabel(T["year"])
        unit_label(ax, label)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(alpha=0.25)
        ax.legend(fontsize=8, loc="best", frameon=False)
        if own_figure:  # a caller that passes its axes lays out its whole figure once, at the end
            fig.tight_layout()
    return fig


def keep_in_view(ax, vals, pad: float = 0.12):
    """Y limits with room around every value drawn (a target line on the frame edge hides its star)."""
    v = [float(x) for x in vals if x is not None and np.isfinite(x)]
    if not v:
        return
    lo, hi = min(v), max(v)
    span = (hi - lo) or abs(hi) or 1.0
    cur_lo, cur_hi = ax.get_ylim()
    new_lo = min(cur_lo, lo - pad * span)
    if lo >= 0 > new_lo:
        new_lo = 0.0 if lo > pad * span else lo - pad * span
    ax.set_ylim(new_lo, max(cur_hi, hi + pad * span))


UNIT_GAP = 9  # points between the axes' top and an upright unit label: clear of the top tick's half height


def unit_label(ax, label: str) -> None:
    """The y axis's unit: a short one ('人', '元/人·月') upright above the axis, UNIT_GAP points over
    the axes' top so the top tick label (centred on the edge) never runs into it; a long one turned."""
    ax.set_ylabel(label, parse_math=False)
    if label and len(label) <= 6:
        from matplotlib.transforms import ScaledTranslation
        ax.yaxis.label.set(rotation=0, ha="left", va="bottom")
        ax.yaxis.set_label_coords(0, 1, transform=ax.transAxes + ScaledTranslation(
            -0.3, UNIT_GAP / 72, ax.figure.dpi_scale_trans))


def shared_legend(fig, axes, language: str = "zh") -> None:
    """One legend for a grid of charts (their own legends removed): every kind of line once, the
    target named without a value (each chart's target differs), above the grid."""
    T = CHART[language]
    seen: dict = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab.startswith(T["target"] + " "):
                lab = T["target"]
            seen.setdefault(lab, h)
    if seen:
        fig.legend(list(seen.values()), list(seen), loc="upper center", ncol=min(len(seen), 7), fontsize=8,
                   frameon=False, bbox_to_anchor=(0.5, 1.0))


def verdict_label(v: str, language: str = "zh") -> str:
    """A verdict's word (messages.LABELS); an unknown code is shown as written, '_' read as a space in English."""
    return messages.verdict_label(v, language)
