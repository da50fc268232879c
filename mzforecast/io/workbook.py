"""Serialise workbooks byte for byte reproducibly (SOURCE_DATE_EPOCH); io.write saves them.

openpyxl stamps the document properties and every zip entry with the current time, XlsxWriter
its zip entries with a fixed 1980 date; every workbook the run writes carries the pinned time in
both, so the same inputs give the same summary.xlsx, as they give the same pages.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from .. import clock


def now_pinned() -> dt.datetime:
    """The run's time (SOURCE_DATE_EPOCH when set), naive, whole seconds, as workbooks hold it."""
    return clock.now().replace(tzinfo=None, microsecond=0)


def pinned_zip(data: bytes, when: dt.datetime) -> bytes:
    """The .xlsx `data` re-zipped with every entry's time and the document's created/modified
    set to `when`."""
    out = io.BytesIO()
    iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=max(when.timetuple()[:6], (1980, 1, 1, 0, 0, 0)))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            body = zin.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets 'modified' to now while saving
                body = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + iso, body)
            zout.writestr(fixed, body)
    return out.getvalue()


def workbook_bytes(wb) -> bytes:
    """The .xlsx bytes of an openpyxl workbook, document and zip times pinned by SOURCE_DATE_EPOCH."""
    when = now_pinned()
    wb.properties.created = wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    return pinned_zip(buf.getvalue(), when)
