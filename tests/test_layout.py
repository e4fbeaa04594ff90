"""The package's import graph, read with `ast`: no import circle, no package import in a function.

Why: an import written inside a function is how a circle is held open (it runs after both
modules have loaded), and it hides from the reader what a module depends on. Optional
third-party libraries may still be imported lazily; modules of the package may not.

KNOWN_LAZY and KNOWN_CIRCLES are today's exceptions, listed exactly: a new one fails, and one
that is gone fails too until it is taken off the list, so the lists only shrink.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "voice_guide"

#: (importer, imported): package imports still written inside a function. Empty: a heavy stage
#: stays out of light commands by importing its third-party library lazily, inside the adapter
#: or stage that uses it (voice_guide.extras.require), never by a lazy package import.
KNOWN_LAZY: set[tuple[str, str]] = set()

#: Circles still open, each as the set of its modules. live.py takes `sinks_for` from the CLI
#: (it lives in voice_guide.session.sinks now; the import in live.py changes with the package move).
KNOWN_CIRCLES: list[set[str]] = []


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported(node: ast.Import | ast.ImportFrom, here: str, is_package: bool,
             known: dict[str, Path]) -> set[str]:
    """The package modules an import statement loads (a name of a package that is a module
    of it counts as that module: `from voice_guide import grammar`)."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in known}
    base = node.module or ""
    if node.level:
        parts = here.split(".")[: len(here.split(".")) - node.level + (1 if is_package else 0)]
        base = ".".join([*parts, base] if base else parts)
    found = set()
    for alias in node.names:
        if f"{base}.{alias.name}" in known:
            found.add(f"{base}.{alias.name}")
        elif base in known:
            found.add(base)
    return found


def in_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_edges() -> list[tuple[str, str, bool, int]]:
    """(importer, imported, inside a function, line) for every package-internal import."""
    known = modules()
    edges = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"

        def walk(node: ast.AST, in_function: bool, name=name, is_package=is_package) -> None:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.If) and in_type_checking(child):
                    continue  # annotations only: never imported at run time
                if isinstance(child, (ast.Import, ast.ImportFrom)):
                    for target in sorted(imported(child, name, is_package, known) - {name}):
                        edges.append((name, target, in_function, child.lineno))
                inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef,
                                                          ast.Lambda))
                walk(child, inner)

        walk(tree, False)
    return edges


def circles(edges: list[tuple[str, str, bool, int]]) -> list[set[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    graph: dict[str, set[str]] = {}
    for src, dst, _, _ in edges:
        graph.setdefault(src, set()).add(dst)
        graph.setdefault(dst, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    comp = set()
                    while True:
                        top = stack.pop()
                        on_stack.discard(top)
                        comp.add(top)
                        if top == node:
                            break
                    if len(comp) > 1:
                        found.append(comp)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_the_graph_is_read():
    """Guards the two tests below against passing on an empty graph."""
    edges = import_edges()
    assert len(modules()) > 40 and len(edges) > 100
    pairs = {(src, dst) for src, dst, _, _ in edges}
    assert ("voice_guide.session.core", "voice_guide.dialogue.core") in pairs


def test_no_import_circle():
    found = circles(import_edges())
    new = [sorted(c) for c in found if c not in KNOWN_CIRCLES]
    gone = [sorted(c) for c in KNOWN_CIRCLES if c not in found]
    assert not new, f"import circles (break each: move the shared part down a level): {new}"
    assert not gone, f"these circles are closed now; take them off KNOWN_CIRCLES: {gone}"


def test_no_package_import_inside_a_function():
    lazy = {(src, dst): line for src, dst, inside, line in import_edges() if inside}
    new = sorted(f"{modules()[src]}:{line} imports {dst}" for (src, dst), line in lazy.items()
                 if (src, dst) not in KNOWN_LAZY)
    gone = sorted(KNOWN_LAZY - set(lazy))
    assert not new, "package imports inside a function (import at the top):\n" + "\n".join(new)
    assert not gone, f"these are top-level imports now; take them off KNOWN_LAZY: {gone}"


def test_a_circle_and_a_lazy_import_are_caught(tmp_path):
    """The checks themselves, on two modules that import each other (one of them lazily)."""
    a = ast.parse("from voice_guide.b import x\n")
    b = ast.parse("def f():\n    from voice_guide.a import y\n")
    known = {"voice_guide.a": tmp_path, "voice_guide.b": tmp_path}
    assert imported(a.body[0], "voice_guide.a", False, known) == {"voice_guide.b"}
    inner = b.body[0].body[0]
    assert imported(inner, "voice_guide.b", False, known) == {"voice_guide.a"}
    rel = ast.parse("from . import b\n").body[0]
    assert imported(rel, "voice_guide.a", False, known) == {"voice_guide.b"}
    edges = [("a", "b", False, 1), ("b", "c", True, 2), ("c", "a", False, 3), ("c", "d", False, 4)]
    assert circles(edges) == [{"a", "b", "c"}]
    assert circles(edges[1:]) == []


def is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_names(tree: ast.AST) -> set[str]:
    """The `_names` a module defines: functions, classes, variables, attributes it assigns."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {n for n in names if is_private(n)}


def private_crossings(trees: dict[str, ast.AST]) -> list[str]:
    """Where a module uses another package module's private name: `from m import _x`, or
    `._x` read on anything when `_x` is defined by another module and not by this one (a
    third-party private such as `os._exit` is not the package's and is not counted)."""
    defined = {name: private_names(tree) for name, tree in trees.items()}
    elsewhere: dict[str, set[str]] = {}
    for name, names in defined.items():
        for private in names:
            elsewhere.setdefault(private, set()).add(name)
    found = []
    for name, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "")
                                                     .startswith(PACKAGE.name)):
                found += [f"{name}:{node.lineno} imports {a.name} from {node.module}"
                          for a in node.names if is_private(a.name)]
            elif isinstance(node, ast.Attribute) and is_private(node.attr) and \
                    node.attr not in defined[name] and elsewhere.get(node.attr, set()) - {name}:
                owners = ", ".join(sorted(elsewhere[node.attr]))
                found.append(f"{name}:{node.lineno} uses {node.attr} of {owners}")
    return found


def test_no_private_name_crosses_a_module():
    """A `_name` is its module's own business: another module needing it means it is part of
    an interface, so it gets a public name (or the caller gets a public method)."""
    trees = {name: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
             for name, path in modules().items()}
    found = private_crossings(trees)
    assert not found, "private names used across modules (make them public):\n" + \
        "\n".join(found)


def test_a_private_crossing_is_caught():
    trees = {
        "voice_guide.a": ast.parse("_LIMIT = 3\nclass A:\n    def _end(self):\n        pass\n"),
        "voice_guide.b": ast.parse("from voice_guide.a import _LIMIT\n"),
        "voice_guide.c": ast.parse("def f(d):\n    d._end()\n"),
        "voice_guide.d": ast.parse("import os\nclass D:\n    def _end(self):\n        pass\n"
                                   "def g(d):\n    d._end()\n    os._exit(0)\n"),
    }
    found = private_crossings(trees)
    assert found == ["voice_guide.b:1 imports _LIMIT from voice_guide.a",
                     "voice_guide.c:2 uses _end of voice_guide.a, voice_guide.d"]


def test_argparse_stops_at_the_cli():
    """Below voice_guide.cli the runners take frozen option dataclasses (runners/options.py,
    RecordOptions), never the parsed arguments: no module outside cli/ imports argparse."""
    outside = []
    for name, path in modules().items():
        if name.startswith(f"{PACKAGE.name}.cli"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import) and any(a.name == "argparse" for a in node.names) \
                    or isinstance(node, ast.ImportFrom) and node.module == "argparse":
                outside.append(f"{name}:{node.lineno}")
    assert not outside, f"argparse below the CLI: {outside}"
