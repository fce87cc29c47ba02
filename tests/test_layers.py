"""The layers: every import (lazy ones included) points down, and no module imports itself in a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "handlers", "config")

# Bottom first. A module may import its own layer or any layer below it, never one above.
LAYERS: list[tuple[str, ...]] = [
    ("app.settings", "app.logs"),
    ("app.template",),
    ("config",),
    ("app.rules",),
    ("app.infer",),  # the config inferred from a letter: pure, over the rules
    ("app.commands",),  # the `/undersigned ...` comment commands, parsed (pure)
    ("app.jobs",),
    ("app.github",),
    ("app.affiliations",),  # verified affiliations: GitHub's facts in, marks on a verdict out
    ("app.review",),
    ("app.landing",),
    ("app.worker",),
    ("handlers",),
    ("app.action",),  # the GitHub Action's front door: an event in, the App's jobs run in one process
    ("app.runtime",),
    ("app.web",),
    ("app.server", "app.cli"),
]


def layer_of(module: str) -> int:
    if module == "app":
        return 0  # the package's own __init__: a docstring, no imports
    best, found = -1, -1
    for index, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), index
    return found


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """Every project module `path` imports, anywhere in the file (function bodies included)."""
    out: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(path, name, set(found)) for name, path in found.items()}


def test_every_module_has_a_layer() -> None:
    assert [m for m in graph() if layer_of(m) < 0] == []


def test_imports_point_down() -> None:
    upward = [
        f"{module} (layer {layer_of(module)}) imports {target} (layer {layer_of(target)})"
        for module, targets in graph().items()
        for target in sorted(targets)
        if layer_of(target) > layer_of(module) and not module.startswith(target + ".")
    ]
    assert upward == []


def test_no_import_cycle() -> None:
    edges = graph()
    # A package's __init__ importing its own submodules is how a package re-exports: not a cycle in the layers.
    for module, targets in edges.items():
        edges[module] = {t for t in targets if not t.startswith(module + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*trail[trail.index(target) :], target] if target in trail else [node, target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert cycles == []


def test_the_walk_sees_lazy_and_upward_imports(tmp_path: Path) -> None:
    """The check can fail: an import inside a function body is found and judged like any other."""
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from app.web.factory import create_app\n    return create_app\n")
    found = imports(source, "app.rules.m", {"app.web.factory", "app.rules.m"})
    assert found == {"app.web.factory"}
    assert layer_of("app.web.factory") > layer_of("app.rules.m")
