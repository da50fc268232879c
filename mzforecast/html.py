"""The HTML every page is made of: escaping (through `mzforecast.safe`), tables, verdict badges and
progress-status marks in the colours of `plots`, generated anchors, inlined chart images, the
links a partial run removes, and the summary a notebook records for the run's index.
Imports leaves and `plots`.
"""
from __future__ import annotations

import base64
import json
import os
import re

import pandas as pd

from . import fmt, plots
from .messages import label
from .safe import html_attr, html_text

SUMMARY_MIME = "application/vnd.mzforecast.summary+json"
e = html_text  # every string from a file goes through mzforecast.safe


def table(head, rows, cls: str | None = None, notes=None) -> str:
    """An HTML table from header labels (escaped here) and rows of ready cell HTML; `notes` (ready
    HTML, one per row, '' for none) go on a full-width line below their row."""
    th = "".join(f"<th>{e(h)}</th>" for h in head)
    notes = list(notes) if notes is not None else [""] * len(rows)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>"
                   + (f'<tr class="note"><td colspan="{len(head)}">{n}</td></tr>' if n else "")
                   for row, n in zip(rows, notes))
    attr = f' class="{cls}"' if cls else ""
    return f"<table{attr}><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def verdict_badge(v: str, language: str = "zh") -> str:
    """A verdict as a coloured badge with its word."""
    return (f'<span class="badge" style="background:{plots.COLORS.get(v, "#ccc")}">'
            f"{e(plots.verdict_label(v, language))}</span>")


def status_mark(status, language: str = "zh", blank: str | None = fmt.DASH) -> str:
    """超前/符合/滞后序时进度 in the status colours; `blank` (a dash) without a status, or with
    blank=None the status label of '' in its grey."""
    status = status if isinstance(status, str) else ""
    if not status and blank is not None:
        return blank
    return (f"<span style='color:{plots.STATUS_COLORS[status]};font-weight:bold'>"
            f"{e(label('status', status, language))}</span>")


def anchors(res: pd.DataFrame) -> dict[str, str]:
    """Section ids by target: generated from the position, never from data strings."""
    return {tid: f"t{i + 1}" for i, tid in enumerate(res.target_id)}


def img(fig, alt: str) -> str:
    """A chart as an <img> with alt text, PNG inlined: no dependence on the notebook backend."""
    png = plots.png(fig)
    data = base64.b64encode(png).decode("ascii")
    # its own pixel width: a page never scales a chart up (blurred, text larger than the page's)
    width = int.from_bytes(png[16:20], "big") if png[:8] == b"\x89PNG\r\n\x1a\n" else 0
    size = f' width="{width}"' if width else ""
    return f'<img src="data:image/png;base64,{data}"{size} alt="{html_attr(alt)}">'


def drop_dead_links(page: str, exists) -> str:
    """Links to pages a run did not make (exists(name) -> bool): one set off by ' · ' (a page's
    'see also', like '… · 规划监测页') goes with its separator, since the word alone points nowhere;
    one inside running text is unlinked and its words kept."""
    def fix(m):
        return m.group(0) if exists(m.group("href")) else ("" if m.group("sep") else m.group("text"))
    link = r'<a href="(?P<href>[^"#:/]+\.html)">(?P<text>.*?)</a>'
    return re.sub(rf'(?P<sep> · )?{link}', fix, page)


def show(fig, alt: str | None = None):
    """Display a figure as an inlined PNG with alt text (default: its chart titles), under any MPLBACKEND."""
    from IPython.display import HTML, display
    if fig is not None:
        alt = alt or " · ".join(t for t in (ax.get_title() for ax in fig.axes) if t) or "chart"
        display(HTML(img(fig, alt)))


def summary_records(res: pd.DataFrame) -> list[dict]:
    return json.loads(res.to_json(orient="records", force_ascii=False))


INLINE_RECORDS = 2000  # more rows than this go to a file beside the notebook, not through the kernel's messages


def record_summary(res: pd.DataFrame):
    """Put the assessment into the executed notebook as an output, for the batch index to read.

    A many-region plan's rows (hundreds of MB of JSON) cannot pass as one output message in time
    and would bloat the notebook: beyond INLINE_RECORDS rows they are written to a hidden file in
    the working folder (the run's output folder) and the output names it; the runner reads and
    removes it. The file is named by its content's hash, so the executed notebook that names it is
    the same for the same inputs (a random name would make two runs differ)."""
    import hashlib

    from IPython.display import display
    if len(res) > INLINE_RECORDS:  # the JSON summary_records parses, written as pandas makes it
        data = res.to_json(orient="records", force_ascii=False).encode("utf-8")
        stem = ".mzforecast-records-" + hashlib.sha256(data).hexdigest()[:20]
        for k in range(1000):  # created exclusively: a notebook of identical rows running beside this one
            name = f"{stem}{f'-{k}' if k else ''}.json"
            try:
                fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(f"{stem}*.json: 1000 files of the same rows in the output folder")
        with open(fd, "wb") as f:
            f.write(data)
        records: list[dict] | dict = {"file": name, "rows": len(res)}
    else:
        records = summary_records(res)
    # text/html is empty so the page shows nothing; text/plain helps in JupyterLab
    display({SUMMARY_MIME: records, "text/html": "",
             "text/plain": f"<{len(res)} assessed targets recorded>"}, raw=True)
