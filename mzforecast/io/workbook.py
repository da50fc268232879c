"""Serialise openpyxl workbooks byte for byte reproducibly (SOURCE_DATE_EPOCH); io.write saves them.

openpyxl stamps the document properties and every zip entry with the current time; the run
pins both so the same inputs give the same summary.xlsx, as they give the same pages.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from .. import clock


def _stamp() -> dt.datetime:
    return clock.now().replace(tzinfo=None, microsecond=0)


def workbook_bytes(wb) -> bytes:
    """The .xlsx bytes, with document and zip times pinned by SOURCE_DATE_EPOCH."""
    when = _stamp()
    wb.properties.created = wb.properties.modified = when
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=max(when.timetuple()[:6], (1980, 1, 1, 0, 0, 0)))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl sets 'modified' to now while saving
                iso = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + iso, data)
            zout.writestr(fixed, data)
    return out.getvalue()

