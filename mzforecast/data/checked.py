"""Data files checked once per run: `mzforecast run` loads and validates each data file before any
notebook starts, keeps the validated Dataset in a private folder, and the notebooks' kernels take
it from there instead of reading and checking the same file again (a million-row CSV takes a
parent about as long to check as a kernel to read, so this halves the loading of a run).

What is kept is found by a key of everything the loaded Dataset depends on: each file's path and
bytes (and its companion .indicators.yaml), the sheet, the bundled data folder, and the versions
of mzforecast, pandas and Python; a file changed in between gives another key, so the kernel
loads it as before. The folder is named by the environment variable FOLDER_VARIABLE (set only in
a run's worker processes, inherited by their kernels) and is taken only if it is a private
folder of this user, since what is in it is unpickled. Imports the leaves only.
"""
from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path

FOLDER_VARIABLE = "MZFORECAST_CHECKED_DATA"


def _file_digest(h, path: Path) -> bool:
    """Add a regular file's path and bytes to the hash h; False for anything else (a pipe, a folder).
    Opened before it is looked at, without waiting, so a file swapped for a pipe cannot hang."""
    try:
        with os.fdopen(os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                return False
            h.update(str(path.resolve()).encode("utf-8", "surrogatepass") + b"\0" + str(st.st_size).encode() + b"\0")
            for block in iter(lambda: f.read(1 << 22), b""):
                h.update(block)
    except OSError:
        return False
    return True


def key(data, sheet: str | None = None) -> str | None:
    """The key of the Dataset `load(data, sheet)` gives, for a file or a list of files; None when
    `data` is anything else (pandas objects, None) or a file cannot be read as a regular file."""
    paths = data if isinstance(data, (list, tuple)) else [data]
    if not paths or not all(isinstance(p, (str, Path)) for p in paths):
        return None
    import pandas as pd

    from .. import _version, resources
    h = hashlib.blake2b(digest_size=20)
    h.update(repr((_version.__version__, pd.__version__, sys.version, str(resources.data_dir()), sheet)).encode())
    for p in map(Path, paths):
        if not _file_digest(h, p):
            return None
        companion = p.with_suffix(".indicators.yaml")
        h.update(b"companion\0")
        if companion.exists() and not _file_digest(h, companion):
            return None
    return h.hexdigest()


def _private(st) -> bool:
    """Owned by this user, and nobody else can write to it."""
    return not st.st_mode & 0o022 and not (hasattr(os, "getuid") and st.st_uid != os.getuid())


def _folder() -> Path | None:
    """The folder named by FOLDER_VARIABLE, if it is this user's own and nobody else can write in it."""
    name = os.environ.get(FOLDER_VARIABLE)
    if not name:
        return None
    try:
        st = os.stat(name)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or not _private(st):
        return None
    return Path(name)


def keep(ds, data, sheet: str | None, folder: str | Path, before: str | None = None) -> None:
    """Keep a validated Dataset in `folder` for the run's kernels (nothing if `data` has no key or
    the folder has no room: the kernels then load the files themselves). `before`: the key taken
    before `ds` was loaded; if the files changed since, `ds` is not what their bytes say, and is
    not kept."""
    k = key(data, sheet)
    if k is None or (before is not None and k != before):
        return
    folder = Path(folder)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{k}.", dir=folder)
    except OSError:  # no room: the kernels load the file themselves, as without this
        return
    try:
        with os.fdopen(fd, "wb") as f:
            pickle.dump(ds, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / f"{k}.pickle")
    except (OSError, pickle.PicklingError):
        Path(tmp).unlink(missing_ok=True)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def take(data, sheet: str | None = None):
    """The Dataset a run kept for `load(data, sheet)`, or None (no run's folder, no such file, or a
    file that cannot be read back: the caller then loads the data itself)."""
    folder = _folder()
    if folder is None:
        return None
    k = key(data, sheet)
    if k is None:
        return None
    try:  # a regular file of this user's that nobody else can write, not a link to one elsewhere
        with os.fdopen(os.open(folder / f"{k}.pickle", os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb") as f:
            st = os.fstat(f.fileno())
            return pickle.load(f) if stat.S_ISREG(st.st_mode) and _private(st) else None
    except Exception:  # absent, or written by another version: load as usual
        return None
