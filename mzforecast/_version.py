"""The version, read once from the installed package metadata (pyproject.toml is the source)."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mzforecast")
except PackageNotFoundError:  # imported from a checkout that was never installed
    __version__ = "0+unknown"
