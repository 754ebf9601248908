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
