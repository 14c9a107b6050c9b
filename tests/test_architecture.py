"""The house rules of ARCHITECTURE.md, checked on the source so they cannot erode:
packages import only earlier ones on the candidate's path, no import cycle between files,
no app import hidden inside a function, no module over 600 lines, no view over 30 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.config import SOURCE_ROOT

APP = SOURCE_ROOT / "app"
# The candidate's path. Everything not named here (top-level modules, models/, domain/)
# is the floor, which imports no package.
ORDER = ["accounts", "bank", "practice", "learning", "coach", "admin", "privacy", "home"]
FLOOR = "floor"
# The factory and its command registration see every package (ARCHITECTURE.md).
FACTORY = {"app", "app.cli"}
MAX_MODULE_LINES = 600
MAX_VIEW_LINES = 30


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ORDER else FLOOR


SOURCES = {module_name(path): path for path in sorted(APP.rglob("*.py"))}
TREES = {name: ast.parse(path.read_text(), str(path)) for name, path in SOURCES.items()}


def app_imports(tree: ast.AST, module: str):
    """(imported module, node, inside a function?) for every import of an app module."""

    def visit(node, in_function):
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            targets = []
            if isinstance(child, ast.Import):
                targets = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                targets = [child.module] + [f"{child.module}.{a.name}" for a in child.names]
            for target in targets:
                if target == "app" or target.startswith("app."):
                    while target not in SOURCES and "." in target:
                        target = target.rsplit(".", 1)[0]
                    if target in SOURCES and target != module:
                        yield target, child, in_function
            yield from visit(child, nested)

    yield from visit(tree, False)


def test_packages_import_only_earlier_ones():
    rank = {name: index for index, name in enumerate([FLOOR, *ORDER])}
    upward = set()
    for module, tree in TREES.items():
        if module in FACTORY:
            continue
        for target, node, _ in app_imports(tree, module):
            if target == "app":
                continue
            if rank[layer(target)] > rank[layer(module)]:
                upward.add(f"{module}:{node.lineno} -> {target}")
    assert not upward, "imports pointing up the candidate's path:\n" + "\n".join(sorted(upward))


def test_no_app_import_inside_a_function():
    blueprints = next(
        node
        for node in TREES["app"].body
        if isinstance(node, ast.FunctionDef) and node.name == "register_blueprints"
    )
    allowed = range(blueprints.lineno, blueprints.end_lineno + 1)  # the one exception
    hidden = {
        f"{module}:{node.lineno} imports {target}"
        for module, tree in TREES.items()
        for target, node, in_function in app_imports(tree, module)
        if in_function and not (module == "app" and node.lineno in allowed)
    }
    assert not hidden, "\n".join(sorted(hidden))


def test_no_import_cycle_between_files():
    graph = {m: {t for t, _, f in app_imports(tree, m) if not f} for m, tree in TREES.items()}
    graph["app"] = set()  # importing the package `app` runs the factory module only
    state: dict[str, int] = {}
    cycles = []

    def walk(node, stack):
        state[node] = 1
        stack.append(node)
        for target in graph.get(node, ()):
            if state.get(target) == 1:
                cycles.append(" -> ".join(stack[stack.index(target) :] + [target]))
            elif target not in state:
                walk(target, stack)
        stack.pop()
        state[node] = 2

    for node in graph:
        if node not in state:
            walk(node, [])
    assert not cycles, "\n".join(cycles)


@pytest.mark.parametrize("module", sorted(SOURCES))
def test_no_module_over_600_lines(module):
    lines = len(SOURCES[module].read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines: split it by responsibility"


def test_no_view_over_30_lines():
    long_views = []
    for module, tree in TREES.items():
        if not module.endswith("routes"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call)
                and isinstance(d.func, ast.Attribute)
                and d.func.attr in ("get", "post", "route", "put", "delete")
                for d in node.decorator_list
            ):
                body = node.end_lineno - node.body[0].lineno + 1
                if body > MAX_VIEW_LINES:
                    long_views.append(f"{module}.{node.name}: {body} lines")
    assert not long_views, "\n".join(long_views)


def test_no_merge_conflict_markers_are_committed():
    """A merge left half-resolved (a Makefile that no longer parses) must fail here."""
    import subprocess

    files = subprocess.run(
        ["git", "ls-files"], cwd=SOURCE_ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    marked = []
    for name in files:
        path = SOURCE_ROOT / name
        if path.suffix in (".wasm", ".zip", ".png", ".jar") or not path.is_file():
            continue
        try:
            lines = path.read_text().splitlines()
        except UnicodeDecodeError:
            continue
        marked += [
            f"{name}:{n}"
            for n, line in enumerate(lines, 1)
            if line.startswith(("<<<<<<< ", ">>>>>>> "))
        ]
    assert not marked, "conflict markers: " + ", ".join(marked)
