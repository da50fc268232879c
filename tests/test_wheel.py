"""The wheel works outside the repository (issue 13): build it, install it into a fresh venv,
run the commands a pip user runs from an empty folder, check the pages hold their charts."""
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT

pytestmark = pytest.mark.slow

JUNK = shutil.ignore_patterns(".git", ".venv*", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                              ".hypothesis", "reports", "out")


def _source_copy(dest: Path) -> Path:
    """What a clean clone holds (tracked and new files, not ignored ones), so the build leaves
    nothing behind in the checkout and ships no stale files from an old build/ folder."""
    r = subprocess.run(["git", "-C", str(ROOT), "ls-files", "-z", "-co", "--exclude-standard"],
                       capture_output=True)
    if r.returncode != 0:  # not a git checkout (an unpacked sdist): copy the tree
        shutil.copytree(ROOT, dest, ignore=JUNK)
        return dest
    for name in filter(None, r.stdout.decode().split("\0")):
        src = ROOT / name
        if src.is_file():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def _run(cmd, cwd, env, timeout=600):
    r = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert r.returncode == 0, f"{cmd}: exit {r.returncode}\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r.stdout


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    base = tmp_path_factory.mktemp("wheel")
    assert ROOT not in base.parents
    src = _source_copy(base / "src")
    # a user's shell: no checkout on the path, no overrides (a PYTHONPATH to a checkout would make
    # pip see mzforecast as installed already)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MZFORECAST_", "PYTHON", "JUPYTER", "VIRTUAL_ENV"))}
    dist = base / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(src), "-w", str(dist)], base, env)
    (wheel,) = dist.glob("mzforecast-*.whl")
    venv = base / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], base, env)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)], base, env)
    # and a python3 kernelspec of a dead interpreter on Jupyter's path
    spec = base / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({"argv": ["/bin/false", "{connection_file}"],
                                                  "display_name": "not this one", "language": "python"}))
    env["JUPYTER_PATH"] = str(base / "jupyter")
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    empty = base / "empty"  # each test works in its own new folder below this one
    empty.mkdir()
    return wheel, venv / "bin", env, empty


def test_wheel_carries_every_bundled_file_and_lean_metadata(installed):
    wheel = installed[0]
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        meta = z.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    for folder, pattern in [("data", "**/*"), ("notebooks", "*.ipynb"), ("params", "*.yaml")]:
        files = [p for p in (ROOT / folder).glob(pattern) if p.is_file()]
        assert files
        for p in files:
            assert f"mzforecast/_bundled/{folder}/{p.relative_to(ROOT / folder).as_posix()}" in names, p
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    requires = [line.split(":", 1)[1].strip() for line in meta.splitlines() if line.startswith("Requires-Dist:")]
    hard = [r for r in requires if "extra ==" not in r]
    assert not [r for r in hard if re.match(r"(jupyterlab|statsmodels)\b", r, re.I)], hard
    assert [r for r in requires if r.startswith("jupyterlab") and 'extra == "lab"' in r]
    assert "License-Expression: MIT" in meta


def test_commands_work_from_an_empty_folder(installed):
    _, bin_, env, base = installed
    empty = base / "commands"
    empty.mkdir()
    plans = _run([str(bin_ / "mzforecast"), "plans"], empty, env)
    assert "changchun-14th" in plans and "jilin-2021" in plans
    rows = json.loads(_run([str(bin_ / "mzforecast"), "assess", "--plan", "changchun-14th", "--format", "json"],
                           empty, env))
    assert rows and {r["plan"] for r in rows} == {"changchun-14th"}
    assert any(r["probability"] is not None or r["probability_nowcast"] is not None for r in rows)  # 2025 targets in 2026: nowcasts
    version = _run([str(bin_ / "python"), "-m", "mzforecast", "--version"], empty, env).strip()
    where = _run([str(bin_ / "python"), "-c", "import mzforecast, importlib.metadata as m; "
                  "print(mzforecast.__file__); print(m.version('mzforecast'))"], empty, env).split()
    assert version == f"mzforecast {where[1]}"
    assert "site-packages" in where[0] and ROOT.as_posix() not in where[0]
    assert sorted(empty.iterdir()) == []


def test_run_builds_pages_with_charts_from_an_empty_folder(installed):
    _, bin_, env, base = installed
    empty = base / "run"
    empty.mkdir()
    site = Path(_run([str(bin_ / "python"), "-c", "import mzforecast, os; print(os.path.dirname(mzforecast.__file__))"],
                     empty, env).strip())
    before = sorted(p.relative_to(site) for p in site.rglob("*") if "__pycache__" not in p.parts)
    out = _run([str(bin_ / "mzforecast"), "run", "--out", "out", "--jobs", "1", "changchun-14th-rural-urban-dibao"],
               empty, env)
    assert "1/1 notebooks ok" in out
    page = (empty / "out" / "changchun-14th-rural-urban-dibao.html").read_text(encoding="utf-8")
    assert re.search(r'<img [^>]*src="data:image/png;base64,', page), "the page holds its charts"
    assert "@font-face" in page
    assert sorted(p.name for p in empty.iterdir()) == ["out"], "nothing written beside the output folder"
    after = sorted(p.relative_to(site) for p in site.rglob("*") if "__pycache__" not in p.parts)
    assert after == before, "nothing written into site-packages"


def test_three_line_api_from_the_readme(installed):
    _, bin_, env, empty = installed
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    code = re.search(r"## Three lines in a notebook\s+```python\n(.*?)```", readme, re.S).group(1)
    lines = [line.split("#")[0].rstrip() for line in code.splitlines() if line.strip()]
    assert len(lines) == 4 and lines[0] == "import mzforecast as mzf"
    script = "\n".join(lines[:2] + [f"a = {lines[2]}", f"b = {lines[3]}",
                                    "print(a.to_json()); print(b.to_json(orient='records'))"])
    out = _run([str(bin_ / "python"), "-c", script], empty, env).splitlines()
    summary, plan = json.loads(out[0]), json.loads(out[1])
    assert {"mean", "lo95", "hi95"} <= set(summary)
    assert plan and {r["plan"] for r in plan} == {"changchun-14th"}
