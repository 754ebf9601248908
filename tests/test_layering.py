"""The layers of DESIGN.md, checked by walking every module's imports."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "crm_desktop"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def offenders(folder: str, forbidden: tuple[str, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        bad = sorted(n for n in imported_modules(path) if any(n == f or n.startswith(f + ".") for f in forbidden))
        if bad:
            found[str(path.relative_to(PACKAGE))] = bad
    return found


def test_ui_never_touches_the_database_directly() -> None:
    assert list((PACKAGE / "ui").rglob("*.py")), "no ui modules found: the walk is broken"
    assert offenders("ui", ("sqlalchemy", "crm_desktop.models", "psycopg", "sqlite3", "alembic")) == {}


def test_core_never_imports_qt() -> None:
    for folder in ("services", "models", "automation"):
        assert offenders(folder, ("PySide6", "shiboken6", "pyqtgraph", "crm_desktop.ui")) == {}, folder


def test_models_do_not_depend_on_services() -> None:
    assert offenders("models", ("crm_desktop.services", "crm_desktop.automation")) == {}


def test_the_walk_sees_imports() -> None:
    # Guard against a test that cannot fail: a known import must be found.
    assert "PySide6.QtCore" in imported_modules(PACKAGE / "ui" / "ops.py")
    assert "sqlalchemy" in imported_modules(PACKAGE / "db.py")


def test_the_database_layer_does_not_reach_up_into_the_services() -> None:
    # ast.walk also sees imports inside functions, so a lazy import counts too.
    for path in (PACKAGE / "db.py", PACKAGE / "bus.py"):
        bad = sorted(n for n in imported_modules(path) if n.startswith(("crm_desktop.services", "crm_desktop.ui")))
        assert bad == [], path.name


# --- one direction: no cycles, no loading by name ---------------------------------------------


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package under ``root`` by dotted name (packages by their own name)."""
    found: dict[str, Path] = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """The longest dotted prefix of ``name`` that is one of ``modules`` (``pkg.mod.Class`` → ``pkg.mod``)."""
    parts = name.split(".")
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts) or None


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module → the package's modules it imports, counting every import statement: at module
    level, inside functions and in ``if TYPE_CHECKING:`` blocks. Relative imports are resolved
    and ``from pkg import module`` is an import of the module. (That importing ``a.b.c`` runs the
    packages' ``__init__`` first is left out: a package re-exporting its modules, as
    ``crm_desktop.models`` does, would otherwise be one circle with each of them.)"""
    modules = module_names(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                else:
                    base = node.module or ""
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {known for target in targets if (known := _known(target, modules))} - {name}
    return graph


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, without
    recursion), each sorted, largest first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
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
    return sorted(found, key=lambda c: (-len(c), c))


def loads_by_name(path: Path) -> list[str]:
    """Where a module loads another by a string: importlib's import_module, ``__import__``, or a
    module-level ``__getattr__`` (PEP 562), which exists to hand out what it loads on demand."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if called in ("import_module", "__import__"):
                found.append(f"line {node.lineno}: {called}()")
        elif isinstance(node, ast.ImportFrom) and node.module == "importlib":
            found += [f"line {node.lineno}: from importlib import {a.name}" for a in node.names if a.name == "import_module"]
    found += [f"line {node.lineno}: module __getattr__" for node in tree.body
              if isinstance(node, ast.FunctionDef) and node.name == "__getattr__"]
    return found


def test_services_never_import_the_demo_company() -> None:
    """The demo company is written through the services; no business service depends on it."""
    assert offenders("services", ("crm_desktop.demo",)) == {}
    assert offenders("automation", ("crm_desktop.demo",)) == {}


def test_module_names_are_unique_across_the_service_packages() -> None:
    """Services are grouped by domain (org/, records/, customers/, sales/, workflow/,
    maintenance/); a module name says what it is wherever it sits."""
    names = [p.stem for p in (PACKAGE / "services").rglob("*.py") if p.stem != "__init__"]
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_services_never_import_automation() -> None:
    # Services record domain events; the automation package subscribes to them (bootstrap.py).
    assert offenders("services", ("crm_desktop.automation", "crm_desktop.bootstrap")) == {}
    assert offenders("models", ("crm_desktop.bootstrap",)) == {}


def test_no_import_cycles_in_the_package() -> None:
    cycles = import_cycles(import_graph(PACKAGE))
    assert cycles == [], "import cycles (strongly connected components):\n" + "\n".join(
        f"  {len(c)} modules: {', '.join(c)}" for c in cycles)


def test_no_module_is_loaded_by_name() -> None:
    found = {str(path.relative_to(PACKAGE)): hits for path in sorted(PACKAGE.rglob("*.py"))
             if (hits := loads_by_name(path))}
    assert found == {}


def test_the_cycle_walk_finds_cycles(tmp_path: Path) -> None:
    # Guard against a test that cannot fail: each kind of import that closes a circle counts.
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    files = {
        "__init__.py": "",
        "sub/__init__.py": "",
        "a.py": "from pkg import b\n",  # from a package import a module
        "b.py": "def f():\n    from .sub import c\n",  # relative, inside a function
        "sub/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n",
        "d.py": "from pkg.a import thing\n",  # outside the circle
        "e.py": "import importlib\nimportlib.import_module('pkg.d')\n",
        "f.py": "def __getattr__(name):\n    return name\n",
    }
    for name, text in files.items():
        (pkg / name).write_text(text, encoding="utf-8")
    graph = import_graph(pkg)
    assert graph["pkg.d"] == {"pkg.a"}
    assert import_cycles(graph) == [["pkg.a", "pkg.b", "pkg.sub.c"]]
    assert loads_by_name(pkg / "e.py") == ["line 2: import_module()"]
    assert loads_by_name(pkg / "f.py") == ["line 1: module __getattr__"]
