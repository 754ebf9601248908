"""The screens render to real PNG pictures, in both languages, from the demo company."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from crm_desktop.ui import i18n
from crm_desktop.ui.layout_check import SCREENS as SCREEN_SIZES
from crm_desktop.ui.layout_check import ScreenChecker
from crm_desktop.ui.screenshots import SCREENS, SIZE, render_screens, settle

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def distinct_colours(image: QImage, step: int = 16) -> int:
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})


def test_every_screen_in_both_languages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, qapp: QApplication) -> None:
    monkeypatch.setenv("CRM_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    before = i18n.current_language()
    # One rendering serves two checks: the pictures below, and the layout of every screen at
    # every promised screen size (1280×800, 1366×768) in both languages.
    checker = ScreenChecker(lambda: settle(qapp))
    files = render_screens(tmp_path / "shots", inspect=checker)

    expected = {f"{language}-{screen}.png" for language in ("zh_CN", "en") for screen in SCREENS}
    assert {f.name for f in files} == expected
    for path in files:
        data = path.read_bytes()
        assert data[:8] == PNG_MAGIC, path.name
        assert len(data) > 10_000, path.name  # a blank picture compresses to almost nothing
        image = QImage(str(path))
        assert (image.width(), image.height()) == SIZE, path.name
        assert distinct_colours(image) >= 8, path.name
    assert i18n.current_language() == before
    assert set(checker.screens) == {f.stem for f in files}, "a screen was saved without the layout check"
    assert len(SCREEN_SIZES) == 2
    assert not checker.problems, "layout problems:\n" + checker.report()
    assert not (tmp_path / "cfg" / "config.json").exists()  # rendering remembers nothing
