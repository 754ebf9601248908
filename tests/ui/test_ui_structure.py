"""The UI's structure: no import cycle, nothing loaded by a string name, lists / detail windows /
forms in folders that depend one way, and one view spec per entity that all three read.

The import graph is built from the source with ``ast``: imports inside functions and under
``if TYPE_CHECKING:`` count like any other (they hide a cycle, they do not remove it), and
importing ``a.b.c`` also imports the packages ``a.b`` and ``a``.
"""
from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from PySide6.QtWidgets import QWidget

from crm_desktop.db import Database
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.records.details.window import RecordDetailWindow
from crm_desktop.ui.records.forms.open import open_form
from crm_desktop.ui.records.forms.record_dialog import RecordDialog
from crm_desktop.ui.records.lists.contacts import ContactsTab
from crm_desktop.ui.records.lists.contracts import ContractsTab
from crm_desktop.ui.records.lists.customers import CustomersTab
from crm_desktop.ui.records.lists.leads import LeadsTab
from crm_desktop.ui.records.lists.opportunities import OpportunitiesTab
from crm_desktop.ui.records.lists.payments import PaymentsTab
from crm_desktop.ui.records.lists.pool import PoolTab
from crm_desktop.ui.records.lists.products import ProductsTab
from crm_desktop.ui.records.specs.registry import DETAIL_ENTITIES, VIEW_SPECS
from tests.ui_helpers import admin_context

ROOT = Path(__file__).resolve().parents[2]
UI = ROOT / "crm_desktop" / "ui"
RECORDS = "crm_desktop.ui.records"
#: The records folders from the bottom up: each may import only the ones before it.
LAYERS = ("shared", "specs", "forms", "details", "lists")
#: The list tabs the main window shows (every one must read a view spec).
LIST_TABS = (CustomersTab, LeadsTab, ContactsTab, OpportunitiesTab, ProductsTab, ContractsTab, PaymentsTab, PoolTab)


# --- the import graph ----------------------------------------------------------------------------


def ui_modules() -> dict[str, Path]:
    found = {}
    for path in UI.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported_names(name: str, path: Path) -> Iterator[str]:
    """Every module name an import statement anywhere in the file names (absolute)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            yield module
            yield from (f"{module}.{alias.name}" for alias in node.names)  # "from pkg import module"


def ui_import_graph() -> dict[str, set[str]]:
    modules = ui_modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for target in imported_names(name, path):
            while target and target not in modules:  # "from m import function" names the module m
                target = target.rpartition(".")[0]
            while target:  # importing a.b.c runs a.b and a too
                if target in modules and target != name:
                    graph[name].add(target)
                target = target.rpartition(".")[0]
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
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

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for node in sorted(graph):
            if node not in index:
                visit(node)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_the_graph_sees_imports_inside_functions_and_type_checking(tmp_path: Path) -> None:
    """The graph builder itself: a cycle hidden in a function or a TYPE_CHECKING block is found."""
    source = ("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from crm_desktop.ui.b import B\n"
              "def f():\n    from crm_desktop.ui import c\n")
    path = tmp_path / "a.py"
    path.write_text(source, encoding="utf-8")
    assert {"crm_desktop.ui.b.B", "crm_desktop.ui.c"} <= set(imported_names("crm_desktop.ui.a", path))
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_in_the_ui() -> None:
    assert cycles(ui_import_graph()) == []


def test_records_folders_depend_one_way() -> None:
    """shared ← specs ← forms ← details ← lists: forms import neither lists nor details, and so on."""
    wrong = []
    for source, targets in ui_import_graph().items():
        if not source.startswith(RECORDS + "."):
            continue
        layer = source.split(".")[3]
        for target in targets:
            if target.startswith(RECORDS + ".") and layer in LAYERS:
                other = target.split(".")[3]
                if other in LAYERS and LAYERS.index(other) > LAYERS.index(layer):
                    wrong.append(f"{source} imports {target}")
    assert sorted(wrong) == []


def test_nothing_is_loaded_by_a_string_name() -> None:
    """No importlib, __import__ or import_module in ui/: every module is imported by name."""
    found = []
    for name, path in ui_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n.split(".")[0] in ("importlib", "pkgutil") or n == "import_module" for n in names):
                    found.append(f"{name}:{node.lineno}")
            elif isinstance(node, ast.Name) and node.id in ("__import__", "import_module"):
                found.append(f"{name}:{node.lineno}")
            elif isinstance(node, ast.Attribute) and node.attr in ("import_module", "__import__"):
                found.append(f"{name}:{node.lineno}")
    assert found == []


# --- one view spec per entity ----------------------------------------------------------------------


def test_no_view_data_outside_the_specs() -> None:
    """Columns and form fields of an entity are written in its spec only: no other module builds a
    column or form field for a named field, nor a table keyed by entity (facts, tabs, services)."""
    entities = {spec.entity for spec in VIEW_SPECS.values()} | set(VIEW_SPECS)
    found = []
    for name, path in ui_modules().items():
        if name.startswith(f"{RECORDS}.specs"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                callee = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                first = node.args[0] if node.args else None
                if callee in ("Column", "ColumnSpec", "FormField", "RelatedColumn") and isinstance(first, ast.Constant):
                    found.append(f"{name}:{node.lineno} {callee}({first.value!r})")
            elif isinstance(node, ast.Dict) and name.startswith(RECORDS):
                keys = {k.value for k in node.keys if isinstance(k, ast.Constant)}
                if len(keys & entities) >= 2:
                    found.append(f"{name}:{node.lineno} a table keyed by entity")
    assert found == []


def test_one_spec_per_entity_with_a_list() -> None:
    specs = list(VIEW_SPECS.values())
    assert len({id(s) for s in specs}) == len(specs)  # no spec serves two keys
    for key, spec in VIEW_SPECS.items():
        assert spec.columns, key
        assert key == "pool" or spec.entity == key
        if key != "pool":
            assert spec.form is not None and spec.texts is not None and spec.detail_tabs and spec.header_facts, key
    assert set(DETAIL_ENTITIES) == set(VIEW_SPECS) - {"pool"}


def test_every_action_a_spec_offers_is_read_by_a_screen() -> None:
    """An action in a spec is shown by the list, the detail window or a form (``offers("…")``)."""
    source = "\n".join(p.read_text(encoding="utf-8") for n, p in ui_modules().items()
                       if not n.startswith(f"{RECORDS}.specs"))
    unread = sorted({a for spec in VIEW_SPECS.values() for a in spec.actions if f'offers("{a}")' not in source})
    assert unread == []


@pytest.fixture
def ctx(sqlite_db: Database) -> AppContext:
    return admin_context(sqlite_db)


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: ops.running_count() == 0, timeout=15_000)


def test_every_list_tab_reads_its_spec(qtbot: QtBot, ctx: AppContext) -> None:
    read: set[str] = set()
    for tab_class in LIST_TABS:
        tab = tab_class(ctx)
        qtbot.addWidget(tab)
        key = "pool" if isinstance(tab, PoolTab) else tab.service.module
        assert tab.spec is VIEW_SPECS[key], tab_class.__name__
        columns = tab.spec.list_columns()
        assert tuple(tab.model.columns if isinstance(tab, PoolTab) else tab.columns) == columns
        read.add(key)
        settle(qtbot)
    assert read == set(VIEW_SPECS)


@pytest.mark.parametrize("entity", sorted(DETAIL_ENTITIES))
def test_detail_window_and_form_read_the_spec(qtbot: QtBot, ctx: AppContext, entity: str) -> None:
    spec = VIEW_SPECS[entity]
    window = RecordDetailWindow(ctx, entity, 999_999, parent=None)  # no such record: the frame is built
    qtbot.addWidget(window)
    assert window.spec is spec
    assert window.tab_keys() == list(spec.detail_tabs)  # the administrator may see every tab
    assert (window.header_part is not None) == (spec.header_part is not None)
    assert window.lock_button.isVisibleTo(window) == spec.offers("lock")
    settle(qtbot)

    host = QWidget()
    qtbot.addWidget(host)
    opened: list[RecordDialog] = []
    open_form(ctx, spec, host, record_id=None, title="New", on_opened=opened.append)
    qtbot.waitUntil(lambda: bool(opened), timeout=15_000)
    dialog = opened[0]
    assert spec.form is not None
    assert list(dialog.editors)[: len(spec.form.fields)] == list(spec.form.fields)
    for name in spec.form.fields:
        assert dialog.field_labels[name].text().startswith(spec.form_label(name)), name
    dialog.reject()
    settle(qtbot)
    ops.wait_idle()
