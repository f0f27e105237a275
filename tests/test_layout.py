"""The package's architecture, held to the code: no import cycles, and each layer imports only downward.

The import graph is read from the source with ``ast`` (every import, including those inside
functions and under ``TYPE_CHECKING``), so a new upward edge fails here before it becomes a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "server"
SHARED = {"config", "errors", "formats", "negotiation", "addressing", "httpheaders", "graphs", "querytext",
          "queryerrors", "caching", "protocol", "project", "display", "literals", "contract", "__init__"}
VIEWS = {"api", "linkeddata", "endpoint", "dataset", "search"}
#: What each group may import besides itself (the same rules as the subpackages' docstrings).
ALLOWED: dict[str, set[str]] = {
    "shared": set(),
    "store": {"shared"},
    "validation": {"shared"},
    "changes": {"shared"},
    "operations": {"shared", "store"},
    "search": {"shared", "store", "linkeddata"},
    "api": {"shared", "store", "operations", "search"},
    "linkeddata": {"shared", "store"},
    "endpoint": {"shared", "store", "operations", "api"},
    "dataset": {"shared", "store", "changes", "linkeddata", "api"},
    "app": {"shared", "store", "operations"} | VIEWS,
    "production": {"shared", "store", "operations", "app"} | VIEWS,
    "harvest": {"shared", "validation", "changes"},
    "cli": {"shared", "store", "validation", "changes", "harvest", "operations", "app", "production"} | VIEWS,
}


def module_name(path: Path) -> str:
    """``server/store/pool.py`` -> ``server.store.pool``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``path`` imports, anywhere in the file."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            submodules = {f"{target}.{alias.name}" for alias in node.names} & known
            found.update(submodules)
            if target in known and len(submodules) < len(node.names):  # names defined by the module itself
                found.add(target)
    found.discard(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package modules it imports."""
    paths = modules()
    return {name: imports_of(name, path, set(paths)) for name, path in paths.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def group_of(name: str) -> str:
    """The layer a module belongs to: a subpackage, ``app``, ``cli`` or the shared top-level modules."""
    parts = name.split(".")
    if len(parts) == 1:
        return "shared"
    if parts[1] in SHARED:
        return "shared"
    return parts[1]


def test_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_is_read_from_the_code() -> None:
    graph = import_graph()
    assert "server.store" in graph["server.endpoint.sparql"]
    assert "server.production.gunicorn" in graph["server.cli"]  # an import inside a function counts


def test_no_import_cycles_between_modules() -> None:
    assert cycles(import_graph()) == []


def test_every_module_belongs_to_a_known_layer() -> None:
    unknown = {name for name in import_graph() if group_of(name) not in ALLOWED}
    assert unknown == set()


def test_layers_import_only_downward() -> None:
    upward = sorted(
        f"{name} -> {target}"
        for name, targets in import_graph().items()
        for target in targets
        if group_of(target) != group_of(name) and group_of(target) not in ALLOWED[group_of(name)]
    )
    assert upward == []


@pytest.mark.parametrize("package", sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py")))
def test_each_subpackage_says_what_it_owns_and_may_import(package: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert "May import:" in doc, f"server/{package}/__init__.py: say what the package may import"
