import os
import tempfile
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")
# font subsets the tests make are cached here, not in the user's cache folder (workers inherit it)
os.environ.setdefault("MZFORECAST_CACHE_DIR", tempfile.mkdtemp(prefix="mzforecast-test-cache-"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = Path(os.environ.get("MZFORECAST_SEEDS", ROOT.parent / "shared" / "seeds"))


@pytest.fixture(scope="session")
def ds():
    from mzforecast.data import load
    return load()


@pytest.fixture
def write(tmp_path):
    """Write a text file (default UTF-8) into a temp dir and return its path."""
    def _write(name, text, encoding="utf-8"):
        p = tmp_path / name
        p.write_bytes(text.encode(encoding))
        return p
    return _write


def cli_main(argv, capsys):
    """cli.main in this process: (exit code, stdout, stderr), argparse refusals counted as their
    exit code; no command ever prints a traceback."""
    from mzforecast import cli
    try:
        rc = cli.main([str(a) for a in argv])
    except SystemExit as e:
        rc = e.code
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return rc, out, err


@pytest.fixture
def summary_book(tmp_path):
    """summary.xlsx of (res, ds) written as a run writes it, read back with openpyxl."""
    import itertools

    import openpyxl

    from mzforecast.pages.workbook import write_summary_xlsx
    n = itertools.count()

    def _book(res, ds):
        return openpyxl.load_workbook(write_summary_xlsx(res, tmp_path / f"summary-{next(n)}.xlsx", ds))
    return _book


# ---- a run's checked-data folder (data.checked): a copy of the bundled example and a private room
@pytest.fixture
def data_file(tmp_path):
    import shutil
    f = tmp_path / "d.csv"
    shutil.copy(Path(__file__).resolve().parent.parent / "data" / "examples" / "jilin-prefectures-synthetic.csv", f)
    return f


@pytest.fixture
def room(tmp_path, monkeypatch):
    from mzforecast.data import checked
    d = tmp_path / "room"
    d.mkdir(mode=0o700)
    os.chmod(d, 0o700)
    monkeypatch.setenv(checked.FOLDER_VARIABLE, str(d))
    return d
