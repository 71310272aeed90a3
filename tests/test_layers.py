"""The layering of ``mtcheck/`` (ARCHITECTURE.md): no import circle, and no module importing a
layer above its own. Every import counts, the ones inside functions too (a lazy import is
still a dependency); only ``if TYPE_CHECKING:`` blocks are left out."""

from __future__ import annotations

import ast
import functools
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "mtcheck"

# Lowest first. A module may import its own layer and the layers below it. The first prefix
# that matches a module name decides its layer (so list packages' exceptions before them).
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("mtcheck", "mtcheck.findings", "mtcheck.document", "mtcheck.fsutil", "mtcheck.locations",
              "mtcheck.progress", "mtcheck.codec", "mtcheck.changes", "mtcheck.sourcemap",
              "mtcheck.baseline")),
    ("input", ("mtcheck.reader", "mtcheck.readers", "mtcheck.config")),
    ("resources", ("mtcheck.data", "mtcheck.lexicon", "mtcheck.translit", "mtcheck.gazetteer", "mtcheck.english_words",
                   "mtcheck.russian_lexicon")),
    ("models", ("mtcheck.neural", "mtcheck.quality", "mtcheck.rewrite.fixscore", "mtcheck.rewrite.protect")),
    ("engine", ("mtcheck.rules", "mtcheck.rewrite", "mtcheck.rewrite.repairs", "mtcheck.settings", "mtcheck.pipeline", "mtcheck.engine",
                "mtcheck.cache", "mtcheck.parallel", "mtcheck.distributed", "mtcheck.suppress")),
    ("apps", ("mtcheck.report", "mtcheck.render", "mtcheck.review", "mtcheck.gate", "mtcheck.lsp")),
    ("cli", ("mtcheck.cli", "mtcheck.__main__")),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(name: str) -> int:
    best, best_len = None, -1
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if (name == p or name.startswith(p + ".")) and len(p) > best_len:
                best, best_len = i, len(p)
    assert best is not None, f"{name} belongs to no layer: add it to LAYERS and ARCHITECTURE.md"
    return best


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imports_of(path: Path, modules: set[str]) -> set[str]:
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def resolve(target: str) -> str | None:
        while target and target not in modules:  # a name imported from a module: the module
            target = target.rpartition(".")[0]
        return target or None

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                for sub in child.orelse:
                    visit(sub)
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("mtcheck"):
                        found.add(resolve(alias.name))
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")
                    base = base[: len(base) - child.level + 1]
                    mod = ".".join(base + ([child.module] if child.module else []))
                else:
                    mod = child.module or ""
                if mod.startswith("mtcheck"):
                    for alias in child.names:
                        found.add(resolve(f"{mod}.{alias.name}") or resolve(mod))
            visit(child)

    visit(tree)
    found.discard(None)
    found.discard(name)
    return found


@functools.lru_cache(maxsize=1)
def graph() -> dict[str, set[str]]:
    files = [p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts]
    modules = {module_name(p) for p in files}
    return {module_name(p): imports_of(p, modules) for p in files}


def test_every_module_has_a_layer():
    for name in graph():
        layer_of(name)


def test_no_module_imports_a_layer_above_its_own():
    upward = []
    for name, deps in sorted(graph().items()):
        for dep in sorted(deps):
            if dep == "mtcheck":  # the package itself (its __version__) is at the bottom
                continue
            if layer_of(dep) > layer_of(name):
                upward.append(f"{name} ({LAYERS[layer_of(name)][0]}) imports {dep} ({LAYERS[layer_of(dep)][0]})")
    assert not upward, "\n".join(upward)


def test_no_import_circle():
    g = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    counter = [0]

    def strongconnect(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in g.get(v, ()):
            if w not in g:
                continue
            if w not in index:
                strongconnect(w)
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
                circles.append(sorted(component))

    for v in sorted(g):
        if v not in index:
            strongconnect(v)
    assert not circles, "import circles: " + "; ".join(" <-> ".join(c) for c in circles)


def test_click_lives_under_cli_only():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        name = module_name(path)
        if name.startswith("mtcheck.cli") or name == "mtcheck.__main__":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            mods = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(m == "click" or m.startswith("click.") for m in mods):
                offenders.append(name)
    assert not offenders, f"click imported outside mtcheck/cli: {sorted(set(offenders))}"
