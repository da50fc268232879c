"""Where the bundled data, notebooks and params live: the one place that knows.

The repository keeps top-level `data/`, `notebooks/` and `params/` as the only copy; the build
maps them into the package as `mzforecast/_bundled/{data,notebooks,params}` (pyproject.toml,
`[tool.setuptools.package-dir]`), so an installed wheel reads them with importlib.resources
and a checkout or editable install (where `_bundled` does not exist) reads the repository's
folders. `MZFORECAST_DATA`, `MZFORECAST_NOTEBOOKS`, `MZFORECAST_PARAMS` override.
"""
from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from .errors import DataError

CHECKOUT = Path(__file__).resolve().parent.parent
BUNDLED = ("data", "notebooks", "params")


def bundled(name: str) -> Path:
    """The installed copy of a bundled folder, else the checkout's folder of that name."""
    if name not in BUNDLED:
        raise ValueError(f"unknown bundled folder {name!r}; one of {BUNDLED}")
    installed = files("mzforecast") / "_bundled" / name
    if installed.is_dir():
        return Path(str(installed))
    return CHECKOUT / name


def _folder(env: str, name: str) -> Path:
    value = os.environ.get(env)
    return Path(value) if value else bundled(name)


def data_dir() -> Path:
    """The data folder: indicators, sources, regions, observations, plans/."""
    return _folder("MZFORECAST_DATA", "data")


def notebooks_dir() -> Path:
    """The report notebooks `mzforecast run` executes."""
    return _folder("MZFORECAST_NOTEBOOKS", "notebooks")


def params_dir() -> Path:
    """The params files `mzforecast run` uses when none are named."""
    return _folder("MZFORECAST_PARAMS", "params")


def find_params(name: str) -> Path:
    """A params file named on the command line: a path, else a bundled params name.

    `mzforecast run changchun-14th` (or `changchun-14th.yaml`) picks the bundled
    params/changchun-14th.yaml, so a pip user need not know where site-packages is.
    """

    p = Path(name)
    if p.is_file():
        return p
    stem = p.name[:-5] if p.name.endswith(".yaml") else p.name
    candidate = params_dir() / f"{stem}.yaml"
    if p.parent == Path(".") and candidate.is_file():
        return candidate
    names = ", ".join(sorted(f.stem for f in params_dir().glob("*.yaml")))
    if p.is_dir():
        raise DataError("is a folder, not a params file", file=name, fix="give the path of a params YAML file")
    if p.exists():  # a device (/dev/zero), FIFO or socket: never opened
        raise DataError("is not a regular file (a device or pipe), not a params file", file=name,
                        fix="give the path of a params YAML file")
    raise DataError("params file not found", file=name,
                    fix=f"give the path of a params YAML file, or one of the bundled names: {names}")
