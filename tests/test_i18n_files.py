"""Translations ship complete and in step with the code.

The .ts files are what translators edit; the .qm files are what the app loads. Both are
committed, so these checks catch a new string without a Chinese translation, a .ts that
lupdate would change, and a .qm that was not rebuilt.
"""
from __future__ import annotations

import ast
import re
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import i18n as i18n_tool  # noqa: E402

TS = ROOT / "resources" / "i18n" / "crm_desktop_zh_CN.ts"
QM = ROOT / "resources" / "i18n" / "crm_desktop_zh_CN.qm"


def test_marker_contexts_are_literals() -> None:
    """lupdate only sees QT_TRANSLATE_NOOP("context", "text") with literal strings."""
    bad = []
    for path in (ROOT / "crm_desktop").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "QT_TRANSLATE_NOOP":
                if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in node.args[:2]):
                    bad.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert bad == []


def test_ts_is_up_to_date_and_fully_translated(tmp_path: Path) -> None:
    fresh = tmp_path / TS.name
    shutil.copy(TS, fresh)
    i18n_tool.update(ts_dir=tmp_path)
    text = fresh.read_text(encoding="utf-8")
    sources = re.findall(r"<source>(.*?)</source>", text, re.S)
    assert len(sources) > 200
    unfinished = re.findall(r"<source>(.*?)</source>\s*(?:<comment>.*?</comment>\s*)?<translation type=\"unfinished\"", text, re.S)
    assert unfinished == [], f"{len(unfinished)} strings lack a Chinese translation, e.g. {unfinished[:5]}"
    assert fresh.read_text(encoding="utf-8") == TS.read_text(encoding="utf-8"), "run: python tools/i18n.py update"


def test_qm_is_built_from_the_ts(tmp_path: Path) -> None:
    i18n_tool.release(ts_dir=TS.parent, qm_dir=tmp_path)
    assert (tmp_path / QM.name).read_bytes() == QM.read_bytes(), "run: python tools/i18n.py release"


@pytest.mark.parametrize("context,source,expected", [
    ("", "Cancel", "取消"),
    ("errors", "Wrong mobile number or password.", "手机号或密码错误。"),
    ("permissions", "Self and subordinates", "本人及下属"),
])
def test_translations_load_at_run_time(qapp: object, context: str, source: str, expected: str) -> None:
    from PySide6.QtCore import QCoreApplication

    from crm_desktop.ui.i18n import install_language

    try:
        assert install_language("zh_CN")
        assert QCoreApplication.translate(context, source) == expected
    finally:
        install_language("en")


def test_service_errors_read_fully_in_chinese(qapp: object) -> None:
    from crm_desktop.services.errors import NotFound, ValidationError
    from crm_desktop.ui.i18n import error_text, install_language, register_field_labels

    register_field_labels({"name": "Customer name"})  # what the customer form registers
    try:
        assert install_language("zh_CN")
        assert error_text(NotFound("customer", 5)).startswith("客户 5")
        assert error_text(ValidationError({"name": "Required."})) == "客户名称：必填。"
    finally:
        install_language("en")
    assert error_text(NotFound("customer", 5)).startswith("The customer 5 does not exist")


def test_translate_wrappers_are_given_marked_texts() -> None:
    """lupdate sees only ``tr(…)``, ``translate(…)`` and ``QT_TRANSLATE_NOOP(…)``: a module's own
    ``_t("…")`` wrapper around ``QCoreApplication.translate`` hides its literal, which then never
    reaches the .ts file and shows in English (the rules table did). Wrap the literal in a marker."""
    import ast
    from pathlib import Path

    bare = []
    for path in sorted((Path(__file__).resolve().parent.parent / "crm_desktop").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_t"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                bare.append(f"{path.name}:{node.lineno}")
    assert not bare, bare
