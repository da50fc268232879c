"""The time a run stands in: SOURCE_DATE_EPOCH (reproducible builds) or the clock, read in one place.

SOURCE_DATE_EPOCH is whole seconds since 1970-01-01 UTC (reproducible-builds.org). A value that is
not such a number, is negative, or lies past the years the data can hold is refused with one
message, so no reader of it can fail with a traceback (or hang a kernel) on its own.
"""
from __future__ import annotations

import datetime as dt
import os

from .errors import MzError

EPOCH_MAX = 4133980799  # 2100-12-31 23:59:59 UTC: the last year a plan or an observation can hold
EXAMPLE = 1767225600  # 2026-01-01 00:00:00 UTC


def source_date_epoch() -> int | None:
    """SOURCE_DATE_EPOCH as an int, None when unset or empty; MzError when it is not whole seconds
    in 0..EPOCH_MAX."""
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or int(text) > EPOCH_MAX:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise MzError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970 (e.g. {EXAMPLE}), at most "
                      f"{EPOCH_MAX} (the end of 2100), got {shown!r}: unset it or give such a number")
    return int(text)


def pinned() -> bool:
    """True when SOURCE_DATE_EPOCH asks for byte-identical output."""
    return source_date_epoch() is not None


def now() -> dt.datetime:
    """The run's time in UTC: SOURCE_DATE_EPOCH when set, else the clock."""
    epoch = source_date_epoch()
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc) if epoch is not None else dt.datetime.now(dt.timezone.utc)


def local_now() -> dt.datetime:
    """Like now(), but the clock in local time when SOURCE_DATE_EPOCH is not set (the run stamp analysts read)."""
    epoch = source_date_epoch()
    return dt.datetime.fromtimestamp(epoch, dt.timezone.utc) if epoch is not None else dt.datetime.now()


def reference_year_env() -> int | None:
    """MZFORECAST_REFERENCE_YEAR as an int (None when unset); MzError when it is not a year."""
    raw = os.environ.get("MZFORECAST_REFERENCE_YEAR")
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or not 1949 <= int(text) <= 2100:
        raise MzError(f"MZFORECAST_REFERENCE_YEAR must be a year in 1949-2100 (e.g. 2025), got {raw[:40]!r}")
    return int(text)


def check_environment():
    """Refuse a bad SOURCE_DATE_EPOCH or MZFORECAST_REFERENCE_YEAR before any work (cli start-up)."""
    source_date_epoch()
    reference_year_env()
