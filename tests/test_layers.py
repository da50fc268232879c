"""The package's layers, read from the imports with `ast`: each module imports only modules of its
own layer or below, the import graph has no cycle, and no module reaches into another module's
`_private` names. The layer of a module is declared here; a new module must be placed in it.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "mzforecast"

# Lowest first. A module may import modules of its own layer (without a cycle) and of the layers
# below it, never above.
LAYERS = [
    ("leaves", {"errors", "units", "resources", "safe", "codes", "messages", "fmt", "_version", "chart", "columns",
                "clock"}),
    ("data", {"data", "io", "targets", "frames", "discover"}),
    ("models", {"calibration", "growth", "growth_paths", "models", "compare"}),
    ("engine", {"terms", "simulate", "closing", "rules", "attainment", "evaluation", "backtest", "propose",
                "draft_floors", "regional"}),
    ("plan", {"plan"}),
    ("presentation", {"html", "plots", "present", "pages", "assessment"}),
    ("running", {"running", "params", "kernel"}),
    ("cli", {"cli", "__main__", "__init__"}),
]
RANK = {name: i for i, (_, names) in enumerate(LAYERS) for name in names}
MAX_LINES = 450


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).with_suffix("")
        if rel.parts[0] == "_bundled":
            continue
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def top(mod: str) -> str:
    return mod.split(".")[0]


def layer(mod: str) -> int:
    name = top(mod)
    if name not in RANK:
        raise AssertionError(f"mzforecast/{mod}: not placed in a layer; add it to LAYERS in tests/test_layers.py")
    return RANK[name]


def resolve(mod: str, path: Path, node: ast.ImportFrom) -> str | None:
    """The mzforecast module an ImportFrom names, relative to `mod` ('' for the package itself)."""
    if node.level == 0:
        if not (node.module or "").startswith("mzforecast"):
            return None
        return (node.module or "")[len("mzforecast."):] if node.module != "mzforecast" else ""
    package = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    if mod == "__init__":
        package = []
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join(base + ([node.module] if node.module else []))


def imports(mods: dict[str, Path]) -> list[tuple[str, str, str, int]]:
    """(importer, imported module, imported name or '', line) for every mzforecast import."""
    found = []
    for mod, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("mzforecast."):
                        found.append((mod, a.name[len("mzforecast."):], "", node.lineno))
            elif isinstance(node, ast.ImportFrom):
                target = resolve(mod, path, node)
                if target is None:
                    continue
                for a in node.names:
                    sub = f"{target}.{a.name}" if target else a.name
                    if sub in mods:  # `from . import fmt` names a module
                        found.append((mod, sub, "", node.lineno))
                    else:
                        found.append((mod, target or "__init__", a.name, node.lineno))
    return found


MODS = modules()
IMPORTS = imports(MODS)


def test_every_module_has_a_layer():
    unplaced = sorted(m for m in MODS if top(m) not in RANK)
    assert not unplaced, f"not placed in a layer (add to LAYERS in tests/test_layers.py): {unplaced}"
    assert {"attainment", "plan", "cli", "messages"} <= {top(m) for m in MODS}, "the package was not found"


def test_no_import_of_a_higher_layer():
    bad = [f"mzforecast/{a}.py:{line} imports {b} ({LAYERS[layer(b)][0]} above {LAYERS[layer(a)][0]})"
           for a, b, _, line in IMPORTS if top(a) != top(b) and layer(b) > layer(a)]
    assert not bad, "\n".join(bad)


def test_no_private_names_across_modules():
    # a module's _private names are its own, also inside a package (data/__init__ may not take rows._X)
    bad = [f"mzforecast/{a}.py:{line} imports {b}.{name}" for a, b, name, line in IMPORTS
           if name.startswith("_") and not name.startswith("__") and a != b]
    assert not bad, "\n".join(bad)


def test_no_import_cycle():
    graph: dict[str, set[str]] = {}
    for a, b, _, _ in IMPORTS:
        if a != b and b in MODS and not a.startswith(b + ".") and a != "__init__":
            graph.setdefault(a, set()).add(b)
    state: dict[str, int] = {}
    stack: list[str] = []
    cycles = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                cycles.append(" -> ".join(stack[stack.index(m):] + [m]))
            elif m not in state:
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(graph):
        if n not in state:
            visit(n)
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("mod", sorted(MODS))
def test_module_size_and_docstring(mod):
    text = MODS[mod].read_text(encoding="utf-8")
    n = text.count("\n")
    assert n <= MAX_LINES, f"mzforecast/{mod}: {n} lines (at most {MAX_LINES}); split it by concept"
    if MODS[mod].stat().st_size > 200:
        assert ast.get_docstring(ast.parse(text)), f"mzforecast/{mod}: no module docstring saying what it owns"


def test_every_subpackage_ships_in_the_wheel():
    import tomllib
    listed = set(tomllib.loads((PKG.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    subpackages = {"mzforecast." + ".".join(p.parent.relative_to(PKG).parts) for p in PKG.rglob("__init__.py")
                   if p.parent != PKG and "_bundled" not in p.parts}
    missing = sorted(subpackages - listed)
    assert not missing, f"add to [tool.setuptools] packages in pyproject.toml: {missing}"
