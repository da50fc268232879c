"""Installable anywhere: bundled folders, version, CLI help, kernel choice (issue 13)."""
import json
import re
import subprocess
import sys
import tomllib

import pytest
from conftest import ROOT

from mzforecast import __version__, resources, running as runner
from mzforecast.cli import EXAMPLES, build_parser
from mzforecast.data import data_dir
from mzforecast.errors import DataError


def test_checkout_reads_the_repository_folders(monkeypatch):
    for env in ("MZFORECAST_DATA", "MZFORECAST_NOTEBOOKS", "MZFORECAST_PARAMS"):
        monkeypatch.delenv(env, raising=False)
    # an editable install or a checkout has no mzforecast/_bundled: the top-level folders are the copy
    assert not (ROOT / "mzforecast" / "_bundled").exists()
    assert data_dir() == ROOT / "data"
    assert runner.notebooks_dir() == ROOT / "notebooks"
    assert runner.params_dir() == ROOT / "params"


def test_environment_overrides_each_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("MZFORECAST_DATA", str(tmp_path / "d"))
    monkeypatch.setenv("MZFORECAST_NOTEBOOKS", str(tmp_path / "n"))
    monkeypatch.setenv("MZFORECAST_PARAMS", str(tmp_path / "p"))
    assert (data_dir(), runner.notebooks_dir(), runner.params_dir()) == (tmp_path / "d", tmp_path / "n", tmp_path / "p")


def test_installed_copy_wins_over_the_checkout(monkeypatch, tmp_path):
    """What a wheel install sees: mzforecast/_bundled/<name> beside the modules."""

    pkg = tmp_path / "mzforecast"
    (pkg / "_bundled" / "params").mkdir(parents=True)
    monkeypatch.setattr(resources, "files", lambda name: pkg)
    monkeypatch.delenv("MZFORECAST_PARAMS", raising=False)
    assert resources.params_dir() == pkg / "_bundled" / "params"
    assert resources.data_dir() == ROOT / "data"  # not bundled in this fake: falls back


def test_params_named_by_bundled_name_or_path(tmp_path):
    bundled = ROOT / "params" / "changchun-14th-rural-urban-dibao.yaml"
    assert resources.find_params("changchun-14th-rural-urban-dibao") == bundled
    assert resources.find_params("changchun-14th-rural-urban-dibao.yaml") == bundled
    own = tmp_path / "mine.yaml"
    own.write_text("plan: changchun-14th\n")
    assert resources.find_params(str(own)) == own
    with pytest.raises(DataError) as e:
        resources.find_params("no-such-params")
    assert "no-such-params" in str(e.value) and "changchun-14th-rural-urban-dibao" in str(e.value)
    with pytest.raises(DataError):  # a path that names a folder is not looked up among bundled names
        resources.find_params(str(tmp_path / "changchun-14th.yaml"))


def test_build_maps_whole_folders_into_the_package():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    st = cfg["tool"]["setuptools"]
    for name in resources.BUNDLED:
        pkg = f"mzforecast._bundled.{name}"
        assert st["package-dir"][pkg] == name and pkg in st["packages"]
        assert all("*" in pattern for pattern in st["package-data"][pkg]), "globs, not a file list"


def test_dependencies_are_what_the_library_imports():
    cfg = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {d.split(">")[0].split("=")[0].split("!")[0].split("<")[0].strip().lower() for d in cfg["dependencies"]}
    assert "jupyterlab" not in names and "statsmodels" not in names
    assert {"fonttools", "jupyter-client", "noto-cjk-sans-otc", "xlsxwriter"} <= names
    assert any(d.startswith("jupyterlab") for d in cfg["optional-dependencies"]["lab"])
    assert any(d.startswith("statsmodels") for d in cfg["optional-dependencies"]["dev"])
    src = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "mzforecast").glob("*.py"))
    assert "import statsmodels" not in src and "import jupyterlab" not in src


def test_version_comes_from_metadata():
    from importlib.metadata import version
    assert __version__ == version("mzforecast")
    r = subprocess.run([sys.executable, "-m", "mzforecast", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0 and r.stdout.strip() == f"mzforecast {__version__}"


def test_help_shows_defaults_and_an_example_per_subcommand(capsys):
    ap = build_parser()
    subs = next(a for a in ap._actions if a.__class__.__name__ == "_SubParsersAction").choices
    for name, p in subs.items():  # a new subcommand: add its example to cli.EXAMPLES (or pass epilog=)
        assert p.epilog and f"mzforecast {name}" in p.epilog, f"no example under `mzforecast {name} --help`"
    assert all(e.startswith(f"mzforecast {k}") for k, e in EXAMPLES.items())
    with pytest.raises(SystemExit):
        ap.parse_args(["run", "--help"])
    text = capsys.readouterr().out
    assert "(default: 300)" in text and "(default: 60)" in text and "--kernel NAME" in text
    assert "(default: None)" not in text
    assert "example:" in text


def test_python_dash_m_runs_the_cli():
    r = subprocess.run([sys.executable, "-m", "mzforecast", "plans", "--format", "json"], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "changchun-14th" in {p["plan"] for p in json.loads(r.stdout)}


def test_unknown_params_name_exits_2_with_the_bundled_names(tmp_path):
    r = subprocess.run([sys.executable, "-m", "mzforecast", "run", "--out", str(tmp_path / "o"), "nope"],
                       capture_output=True, text=True, cwd=tmp_path)
    assert r.returncode == 2
    assert "nope: params file not found" in r.stderr and "jilin-2021" in r.stderr
    assert not (tmp_path / "o").exists()


@pytest.fixture
def hijacking_kernelspec(tmp_path, monkeypatch):
    """A `python3` kernelspec of an interpreter that dies at once, first on Jupyter's path."""
    spec = tmp_path / "jp" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": ["/bin/false", "{connection_file}"],
                                                  "display_name": "broken", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jp"))
    return tmp_path


@pytest.mark.slow
def test_another_python3_kernelspec_cannot_hijack_the_run(hijacking_kernelspec, monkeypatch):
    tmp = hijacking_kernelspec
    monkeypatch.chdir(tmp)
    _, results = runner.run(["changchun-14th-rural-urban-dibao"], tmp / "out", jobs=1, timeout=120)
    assert results[0]["ok"], results[0]["error"]
    html = (tmp / "out" / "changchun-14th-rural-urban-dibao.html").read_text(encoding="utf-8")
    assert re.search(r'<img [^>]*src="data:image/png;base64,', html), "the page holds its charts"
    # the notebook ran in the output folder: it wrote nothing where the command was started
    assert sorted(p.name for p in tmp.iterdir()) == ["jp", "out"]
    # naming the kernelspec uses it: the broken interpreter fails, as a failed page, not a crash
    _, results = runner.run(["changchun-14th-rural-urban-dibao"], tmp / "out2", jobs=1, timeout=120,
                            kernel="python3", start_timeout=5)
    assert not results[0]["ok"] and results[0]["error"]
