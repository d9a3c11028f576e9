"""Check the import structure of the runtime code: no module imports a layer above its own, and no import cycle.

Layers, lowest first (docs/architecture.md explains what each owns):

    rag.errors < rag.text < rag.documents < rag.search < rag.index < rag.duties < rag.answering
      < rag.evaluation, rag.library < ui < rag.cli

A module may import its own package and any lower layer. Every import counts, also those inside functions (they
run sooner or later). One edge is allowed upward on purpose: `rag bench` dispatches to the developer tooling.
Run: `python -m tools.check_imports` (exit 1 with the offending imports); `tests/unit/test_architecture.py` runs it.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["rag.errors", "rag.text", "rag.documents", "rag.search", "rag.index", "rag.duties", "rag.answering",
          ("rag.evaluation", "rag.library"), "rag.feedback", "ui", "rag.cli"]
ALLOWED_UP = {("rag.cli.main", "tools.bench")}  # `rag bench` runs the benchmark (developer tooling)


def _rank(module: str) -> tuple[int, str] | None:
    """(layer number, layer name) of a module of ours, None for a module outside the layers."""
    for number, layer in enumerate(LAYERS):
        for name in (layer if isinstance(layer, tuple) else (layer,)):
            if module == name or module.startswith(name + "."):
                return number, name
    return None


def modules() -> dict[str, Path]:
    """Every module of `rag` and `ui`, by dotted name."""
    found = {}
    for package in ("rag", "ui"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ours that `name` imports (relative imports resolved; `from x import y` counts y when y is a
    module)."""
    is_package = path.name == "__init__.py"
    base = name.split(".") if is_package else name.split(".")[:-1]
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                prefix = base[: len(base) - node.level + 1]
                module = ".".join(prefix + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [f"{module}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in targets:
            if target in known or target.startswith("tools."):
                out.add(target)
    out.discard(name)
    return out


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    return found


def problems() -> list[str]:
    """Every layering violation and every cycle, as readable lines (empty when the structure is sound)."""
    mods = modules()
    known = set(mods)
    graph = {name: imports_of(name, path, known) for name, path in mods.items()}
    out = []
    for name, targets in sorted(graph.items()):
        here = _rank(name)
        for target in sorted(targets):
            there = _rank(target)
            if here is None or any(name == a and (target == b or target.startswith(b + ".")) for a, b in ALLOWED_UP):
                continue
            if there is None or there[0] > here[0] or (there[0] == here[0] and there[1] != here[1]):
                out.append(f"{name} imports {target}: a layer above or beside it ({here[1]} may import only lower "
                           f"layers and itself)")
    for component in cycles(graph):
        out.append("import cycle: " + " -> ".join(component))
    return out


def main() -> int:
    found = problems()
    for line in found:
        print(line)
    print(f"{len(modules())} modules checked, {len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
