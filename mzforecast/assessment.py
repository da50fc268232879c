"""The result of ``mzf.assess``: one target's verdict, probability and its basis, forecast band and
required growth, shown in a notebook as a short card in Chinese or English.

Presentation layer: it words the engine's row (attainment.assess) with the pages' own helpers
(pages.notes.note_text, messages.goal), its words in messages.notebook, and draws with chart.fan. The row stays
available as ``to_series()`` and by key (``a["verdict"]``), so code written for the Series
keeps working.
"""
from __future__ import annotations


import pandas as pd

from . import chart, fmt
from .attainment import target_fan
from .columns import basis, stable
from .messages import local_name
from .messages.goal import goal_text, target_name
from .messages.notebook import CARD
from .pages.notes import note_text
from .plots import verdict_label
from .safe import html_text

class Assessment:
    """One target assessed: ``verdict``, ``probability`` (with ``probability_basis``), the forecast
    ``median`` and 80 % band in the target's unit, and the notes.

    Attributes
    ----------
    target : Target
        The target as assessed (after any what-if value and unit conversion).
    language : {"zh", "en"}
        The language of the notebook display and the chart.
    """

    def __init__(self, row: pd.Series, target, data, *, language: str = "zh", as_of=None, method: str = "auto",
                 seed: int = 0):
        if language not in CARD:
            raise ValueError(f"language must be 'zh' or 'en', not {language!r}")
        self._row, self.target, self._ds = row, target, data
        self.language, self._as_of, self._method, self._seed = language, as_of, method, seed

    # ---- the row, by key (as the Series the engine returns)
    def __getitem__(self, key):
        return self._row[key]

    def get(self, key, default=None):
        return self._row.get(key, default)

    def keys(self):
        return self._row.keys()

    def __contains__(self, key) -> bool:
        return key in self._row.index

    def __getattr__(self, name):
        if name.startswith("_") or "_row" not in self.__dict__ or name not in self._row.index:
            raise AttributeError(name)
        return self._row[name]

    # ---- the headline
    @property
    def verdict(self) -> str:
        return str(self._row["verdict"])

    @property
    def probability_basis(self) -> str:
        """'forecast', 'nowcast' (the target year has passed without an outcome), 'observed' or ''."""
        r = self._row
        return basis(r.get("method"), r["verdict"], r.get("probability"), r.get("probability_nowcast"))

    @property
    def probability(self) -> float:
        """The chance the target is met (1.0/0.0 for an observed outcome; the nowcast where the
        target year has passed); NaN where there is no data."""
        r = self._row
        p = r.get("probability_nowcast") if self.probability_basis == "nowcast" else r.get("probability")
        return float("nan") if fmt.missing(p) else float(p)

    def to_series(self) -> pd.Series:
        """Every field as one Series, with ``probability`` merged and ``probability_basis``;
        numbers are float (NaN where missing), words '' where missing, the note in full."""
        s = self._row.copy()
        s["probability"], s["probability_basis"] = self.probability, self.probability_basis
        s = s.drop(labels=[k for k in ("probability_nowcast",) if k in s.index])
        typed = stable(s.to_frame().T).iloc[0]
        return typed.map(lambda v: "" if v is None else v)

    def _unit(self) -> str:
        return "percent" if self.target.kind == "growth" else str(self._row.get("unit") or "")

    def _lines(self, language: str) -> list[tuple[str, str]]:
        W, r, u = CARD[language], self._row, self._unit()
        lines = [(W["goal"], W["in_year"].format(text=goal_text(r, language), y=int(r["target_year"])))]
        if not fmt.missing(r.get("latest_value")):
            level = u if self.target.kind in ("level", "ratio") else self._ds.indicators[self.target.indicator].unit
            lines.append((W["latest"], W["at_year"].format(text=fmt.number(r["latest_value"], level, language),
                                                          y=int(r["latest_year"]))))
        if not fmt.missing(r.get("median")) and r.get("method") != "observed":
            lines.append((W["median"].format(y=int(r["target_year"])), fmt.number(r["median"], u, language)))
            lines.append((W["band"], fmt.interval(r["lo80"], r["hi80"], u, language)))
        if not fmt.missing(r.get("required_cagr")) and u == "percent" and self.target.kind in ("level", "ratio"):
            # a share's pace in 个百分点 a year: a % growth of a % reads as something else
            x = fmt.number(r.get("required_increment"), "percent", language, with_unit=False)
            lines.append((W["required_points"], W["points"].format(x=x)))
        elif not fmt.missing(r.get("required_cagr")):
            lines.append((W["required"], fmt.number(r["required_cagr"], "percent", language)))
        b = self.probability_basis
        if b:
            lines.append((W["probability"], fmt.probability(self.probability, known=b == "observed")))
            lines.append((W["basis"], W[b]))
        notes = note_text(r.get("note"), self._ds, language)
        if notes:
            lines.append((W["notes"], notes))
        return lines

    def _title(self, language: str) -> str:
        region = self._ds.regions.get(self.target.region)
        where = local_name(region, language) if region else ""
        return f"{where} {target_name(self.target, self._ds, language)}".strip()

    def __repr__(self) -> str:
        lang = self.language
        lines = self._lines(lang)
        head = f"<Assessment {self.target.plan}:{self.target.id} — {verdict_label(self.verdict, lang)}>"
        return "\n".join([head, self._title(lang)] + [f"  {k}: {v}" for k, v in lines])

    def _repr_html_(self) -> str:
        lang = self.language
        lines = self._lines(lang)
        e = html_text  # control, bidi and zero-width characters shown, markup escaped
        rows = "".join(f"<tr><th style='text-align:left'>{e(k)}</th><td style='text-align:left'>{e(v)}</td></tr>"
                       for k, v in lines)
        return (f"<p><b>{e(self._title(lang))}</b> · {e(CARD[lang]['verdict'])}: "
                f"<b>{e(verdict_label(self.verdict, lang))}</b></p><table>{rows}</table>")

    def plot(self, ax=None, *, language: str | None = None, levels=(80, 95)):
        """History and forecast of the quantity the target is judged on (for a ratio target the
        ratio), with the target line; on `ax` or ``plt.gca()``.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
        language : {"zh", "en"}, optional
            Default: the language the assessment was made with.
        levels : sequence of float, default (80, 95)
            Interval levels to shade (80 and 95 are available).

        Returns
        -------
        matplotlib.axes.Axes
        """
        lang = language or self.language
        t = self.target
        hist, bands = target_fan(t, self._ds, as_of=self._as_of, method=self._method, seed=self._seed)
        drawn_value = t.value if t.kind in ("level", "ratio") else None
        unit = self._unit() if t.kind in ("level", "ratio") else self._ds.indicators[t.indicator].unit
        if bands is not None:
            bands = bands[[c for c in bands.columns if c == "median" or c[2:] in {f"{lv:g}" for lv in levels}]]
        return chart.fan(hist, bands, ax=ax, levels=levels if bands is not None else (), unit=unit, language=lang,
                         title=self._title(lang), target_value=drawn_value,
                         target_year=t.target_year if drawn_value is not None else None)
