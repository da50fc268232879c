"""The pages of a run as files: a notebook as a self-contained HTML page (no code, images inlined,
the CJK glyphs it shows embedded), and the index page listing every report with its counts by
verdict, the year the data run to and the data version. Words from `mzforecast.messages`.
Imports leaves, data and presentation.
"""
from __future__ import annotations

import hashlib
import html as html_lib
import re
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from .. import clock
from .._version import __version__
from ..closing import STATUSES
from ..codes import VERDICT_ORDER
from ..data import data_dir, load
from ..messages.pages import INDEX
from ..messages import label
from ..pages.common import local_name
from ..pages.evaluation import index_view
from ..plots import CLOSING_COLORS, COLORS, STATUS_COLORS, embedded_font_css, verdict_label
from ..safe import html_attr, shown as shown_text  # a bidi override in a plan name must not reorder the index
from ..targets import get_plan, get_target
from .output import atomic_write, run_stamp

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"


def data_version(extra=()) -> str:
    """Hash of every data file the run reads: reports say which data they were made from."""
    h = hashlib.sha256()
    files = sorted(p for p in data_dir().rglob("*") if p.is_file()) + [Path(x) for x in extra]
    for p in files:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def css() -> str:
    return (TEMPLATES / "style.css").read_text(encoding="utf-8")


def _shown(value):
    """Every {{ value }} of a template: text from files with control, bidi and zero-width characters
    shown (safe.shown) before autoescape; ready HTML (Markup) as it is."""
    from markupsafe import Markup
    return value if isinstance(value, Markup) or not isinstance(value, str) else shown_text(value)


def _env():
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]),
                       finalize=_shown)


def notebook_to_html(nb_path: Path, title: str, language: str, font_cache: bool = True,
                     shared_font: bool = False) -> str:
    """Self-contained page: no code cells, images inlined, no scripts from the internet.

    The browser-tab title is the page's own <h1> (the plan's name), not the job id; an image
    without alt text gets the title as its alt. `shared_font`: leave FONT_SLOT where the font
    goes, for `share_font` to fill once the run's pages are all written.
    """
    import nbformat
    from markupsafe import Markup
    from nbconvert import HTMLExporter

    exp = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                       exclude_output_prompt=True)
    body, _ = exp.from_notebook_node(nbformat.read(str(nb_path), as_version=4))
    h1 = re.search(r"<h1[^>]*>(.*?)</h1>", body, re.S)
    if h1:
        title = html_lib.unescape(re.sub(r"<[^>]+>", "", h1.group(1))).strip() or title
    body = body.replace('alt="No description has been provided for this image"', f'alt="{html_attr(title)}"')
    return render("page.html.j2", lang=language, title=title, body=Markup(body), version=__version__,
                   generated=INDEX[language]["title"], back=INDEX[language]["back"], font_cache=font_cache,
                  shared_font=shared_font)


# Where a page's @font-face goes until the run's one subset is made (a CSS comment: harmless if
# left). Templates put it first in <head>, before anything a notebook shows.
FONT_SLOT = "/*mzforecast:font-face*/"


def _has_slot(page: str) -> bool:
    return "<style>" + FONT_SLOT in page.split("</head>", 1)[0]  # in the head, not in what a notebook shows


def _shown_text(page: str) -> str:
    return re.sub(r"data:[^\"')]+", "", page)  # glyphs of the text, not of base64 images


def render(template: str, font_cache: bool = True, shared_font: bool = False, **ctx) -> str:
    """Render a page, then embed the CJK font subset for exactly the characters it shows
    (or, with `shared_font`, leave FONT_SLOT for `share_font`)."""
    from markupsafe import Markup

    if shared_font:
        return _env().get_template(template).render(css=Markup(css()), fontface=Markup(FONT_SLOT), **ctx)
    page = _env().get_template(template).render(css=Markup(css()), fontface=Markup(""), **ctx)
    face = embedded_font_css(_shown_text(page), cache=font_cache)
    return _env().get_template(template).render(css=Markup(css()), fontface=Markup(face), **ctx)


def share_font(pages: dict, font_cache: bool = True) -> dict:
    """Fill every page's FONT_SLOT with one subset made for the characters of all of them.

    One subset per run instead of one per page: subsetting the 19 MB font costs a fraction of
    a second whatever the characters, so pages pay in size (each carries the glyphs of the
    others) what the run saves in time; each page still works alone and offline. `pages` maps
    any key to a page's text; pages without the slot in their <head> (kept from an earlier
    run) are returned as they are.
    """
    slotted = {k for k, page in pages.items() if _has_slot(page)}
    if not slotted:
        return dict(pages)
    chars = set()
    for k in slotted:
        chars.update(_shown_text(pages[k].replace(FONT_SLOT, "", 1)))
    face = embedded_font_css("".join(chars), cache=font_cache)
    return {k: page.replace(FONT_SLOT, face, 1) if k in slotted else page for k, page in pages.items()}


def job_title(params: dict, ds, lang: str, fallback: str) -> str:
    """What a page is, in words: the plan's name, 'indicator · plan', or 'plan: backtest of 2015'."""
    try:
        p = get_plan(params.get("plan"), ds)
    except Exception:
        return fallback
    plan = local_name(p, lang)
    nb = params.get("notebook", "plan_dashboard")
    try:
        if nb == "indicator_report":
            t = get_target(p.id, params.get("target_id"), ds)
            return f"{ds.indicators[t.indicator].name(lang)} · {plan}"
    except Exception:
        return plan  # the error column names the job
    if nb == "backtest":
        return INDEX[lang]["backtest_title"].format(plan=plan, y=params.get("as_of"))
    return plan


def _evaluation_columns(lang: str):
    """The categories an evaluation page counts by: 完成情况 (总结评估), then 序时进度 (中期评估)."""
    out = [(f"closing:{k}", label("closing", k, lang), CLOSING_COLORS[k])
           for k in STATUSES]
    out += [(f"status:{k}", label("status", k, lang) if k else INDEX[lang]["no_progress"], STATUS_COLORS[k])
            for k in ("ahead", "on_schedule", "behind", "")]
    return out


def write_index(stage: Path, results, todo, elapsed, as_of, data, shared_font: bool = False):
    """The index: current assessments, deep-dive pages and backtests listed separately, the
    year the data run to, the run date, every page linked (`shared_font`: as in render)."""
    lang = todo[0]["params"].get("language", "zh") if todo else "zh"
    params = {j["name"]: j["params"] for j in todo}
    try:
        ds = load(list(data) or None)
    except Exception:
        ds = None
    groups = {"plan_dashboard": [], "evaluation": [], "indicator_report": [], "backtest": [],
              "regions_dashboard": [], "target_setting": [], "other": []}
    t = INDEX[lang]
    years = []
    for r in results:
        p = params.get(r["name"], {})
        nb = p.get("notebook", "plan_dashboard")
        counts = {}
        for rec in r["records"]:
            counts[rec["verdict"]] = counts.get(rec["verdict"], 0) + 1
        if nb == "plan_dashboard":
            years += [int(rec["latest_year"]) for rec in r["records"] if rec.get("latest_year") is not None
                      and (as_of is None or rec["latest_year"] <= as_of)]
        title = job_title(p, ds, lang, r["name"]) if ds is not None else r["name"]
        if nb == "evaluation" and ds is not None and r["records"]:  # the page's own title word and categories
            kind, counts = index_view(r["records"], ds, p.get("plan"), p.get("as_of"))
            if title != r["name"]:
                title += t["colon"] + kind
        elif nb == "evaluation" and title != r["name"]:
            title += t["evaluation_suffix"]
        groups[nb if nb in groups else "other"].append(
            dict(name=r["name"], title=shown_text(title), html=r["html"], ok=r["ok"], error=r["error"], counts=counts,
                 stale=r.get("stale", False), seconds=r.get("seconds")))
    data_year = as_of if as_of and not years else (max(years) if years else None)
    shown = [v for v in VERDICT_ORDER if any(j["counts"].get(v) for k, g in groups.items() if k != "evaluation"
                                             for j in g)]
    columns = {k: [(v, verdict_label(v, lang), COLORS[v]) for v in shown] for k in groups}
    columns["evaluation"] = [(k, w, c) for k, w, c in _evaluation_columns(lang)
                             if any(j["counts"].get(k) for j in groups["evaluation"])]
    columns["target_setting"] = []  # a draft is measured, not judged: one cell says so (t.no_verdict)
    pinned = clock.pinned()  # byte-identical rebuilds show no timings
    html = render(
        "index.html.j2", shared_font=shared_font, seconds=not pinned, lang=lang, t=t, groups=groups, columns=columns, data_version=data_version(data), data_year=data_year,
        run_time=run_stamp(), elapsed=None if pinned else elapsed, as_of=as_of)
    atomic_write(stage / "index.html", html)


