"""The layout check finds what eyes missed, and finds nothing on a sound layout."""
from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from crm_desktop.ui.layout_check import check_window

SCREEN = QSize(1366, 728)


def kinds(widget: QWidget) -> list[str]:
    return sorted(p.kind for p in check_window(widget, screen=SCREEN))


def test_a_sound_layout_has_no_problem(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    box = QVBoxLayout(dialog)
    box.addWidget(QLabel("客户名称"))
    row = QHBoxLayout()
    row.addWidget(QPushButton("保存"))
    row.addWidget(QPushButton("取消"))
    box.addLayout(row)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert kinds(dialog) == []


def test_siblings_placed_over_each_other_are_an_overlap(qtbot: QtBot) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    page.resize(400, 200)
    first, second = QLabel("数据范围", page), QLabel("线索", page)
    first.setGeometry(0, 0, 200, 40)
    second.setGeometry(10, 10, 100, 40)
    page.show()
    qtbot.waitExposed(page)
    assert "overlap" in kinds(page)
    second.setProperty("layoutOverlay", True)  # drawn over its siblings on purpose
    assert "overlap" not in kinds(page)


def test_a_button_too_narrow_for_its_text_is_clipped(qtbot: QtBot) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    button = QPushButton("Save and create another customer", page)
    button.setGeometry(0, 0, 60, 30)
    page.resize(300, 100)
    page.show()
    qtbot.waitExposed(page)
    assert kinds(page) == ["clipped"]


def test_a_short_term_broken_over_two_lines_is_clipped(qtbot: QtBot) -> None:
    page = QWidget()
    qtbot.addWidget(page)
    label = QLabel("下单日期", page)
    label.setWordWrap(True)
    label.setGeometry(0, 0, label.fontMetrics().horizontalAdvance("下单日"), 60)
    page.resize(300, 100)
    page.show()
    qtbot.waitExposed(page)
    problems = check_window(page, screen=SCREEN)
    assert [p.kind for p in problems] == ["clipped"]
    assert "下单日期" in problems[0].detail


def test_a_window_taller_than_the_laptop_screen_is_too_big(qtbot: QtBot) -> None:
    dialog = QDialog()
    qtbot.addWidget(dialog)
    QVBoxLayout(dialog).addWidget(QLabel("x"))
    dialog.setMinimumHeight(800)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert "too-big" in kinds(dialog)
