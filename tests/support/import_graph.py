"""The import graph of a source tree, read with the AST, and the two rules it must keep.

Every ``import`` counts wherever it stands: at module level, inside a function, under
``if TYPE_CHECKING:``. An import inside a function still ties the two modules together; it only
hides the tie from whoever reads the top of the file.

Rules: no loop (a strongly connected set of modules), and no import from a lower layer to a
higher one. Layers are listed top first; each is a list of module names or prefixes (a prefix
covers its sub-modules). A module belongs to the layer of its longest matching name, and a
module that matches none is reported, so a new package has to be placed on purpose.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    """``importer`` imports ``imported`` at ``line`` of ``path``."""

    importer: str
    imported: str
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.importer} -> {self.imported} ({self.path}:{self.line})"


def modules_under(root: Path, packages: list[str]) -> dict[str, Path]:
    """Module name → file, for every ``.py`` file of the given top-level packages (or modules)."""
    found = {}
    for package in packages:
        if (root / f"{package}.py").is_file():
            found[package] = root / f"{package}.py"
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    drop = node.level - 1 if is_package else node.level
    base = base[: len(base) - drop]
    return ".".join(base + ([node.module] if node.module else []))


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The module of ours that importing ``name`` executes last (its longest known prefix)."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def imported_names(module: str, path: Path) -> list[tuple[str, int]]:
    """(absolute name, line) of every import in the file, wherever it stands.

    ``from pkg import name`` gives ``pkg.name``: the name may be a sub-module or an attribute.
    """
    tree = ast.parse(path.read_text(), str(path))
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package)
            found += [(f"{base}.{alias.name}", node.lineno) for alias in node.names]
    return found


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    """Every import of ``module`` that lands in ``modules``."""
    found = []
    for target, line in imported_names(module, path):
        known = _known(target, modules)
        if known is not None and known != module:
            found.append(Import(module, known, path, line))
    return found


def import_graph(root: Path, packages: list[str]) -> list[Import]:
    modules = modules_under(root, packages)
    return [imp for name, path in modules.items() for imp in imports_of(name, path, modules)]


def loops(edges: list[Import]) -> list[list[Import]]:
    """The imports inside each loop (each strongly connected set of two or more modules)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, set()).add(edge.imported)
        graph.setdefault(edge.imported, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def visit(start: str) -> None:
        # Tarjan's algorithm without recursion: a package tree can be deeper than the stack.
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [
        sorted(
            (e for e in edges if e.importer in component and e.imported in component),
            key=str,
        )
        for component in components
        if len(component) > 1
    ]


def layer_of(module: str, layers: list[list[str]]) -> tuple[int, str] | None:
    """(layer index, 0 = top; the name that placed it) for ``module``, by its longest match."""
    best: tuple[int, str] | None = None
    for position, names in enumerate(layers):
        for name in names:
            matches = module == name or module.startswith(name + ".")
            if matches and (best is None or len(name) > len(best[1])):
                best = (position, name)
    return best


def unplaced(edges: list[Import], layers: list[list[str]]) -> list[str]:
    """Modules that take part in an import but belong to no layer."""
    modules = {e.importer for e in edges} | {e.imported for e in edges}
    return sorted(m for m in modules if layer_of(m, layers) is None)


def violations(edges: list[Import], layers: list[list[str]]) -> list[Import]:
    """Imports that do not run down: to a higher layer, or across to another name of the same
    layer (the names of one layer are independent of each other)."""
    found = []
    for edge in edges:
        importer, imported = layer_of(edge.importer, layers), layer_of(edge.imported, layers)
        if importer is None or imported is None:
            continue
        if imported[0] < importer[0] or (imported[0] == importer[0] and imported[1] != importer[1]):
            found.append(edge)
    return sorted(found, key=str)
