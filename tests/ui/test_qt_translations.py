"""Qt's own dialogs and buttons speak the user's language: no English label in a file dialog or on
a standard button once Chinese is chosen (Qt's catalogue is loaded, and its gaps are ours)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QAbstractButton, QApplication, QDialogButtonBox, QFileDialog, QLabel, QMessageBox

from crm_desktop.ui import i18n


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    before = i18n.current_language()
    assert i18n.install_language("zh_CN")
    yield
    i18n.install_language(before)


def english_texts(widget: QFileDialog | QMessageBox | QDialogButtonBox) -> list[str]:
    found = []
    for child in widget.findChildren(QLabel) + widget.findChildren(QAbstractButton):
        text = child.text()
        if child.isVisibleTo(widget) and text and any(c.isalpha() for c in text) and text.isascii():
            found.append(text)
    return found


@pytest.mark.parametrize("mode", [QFileDialog.AcceptMode.AcceptOpen, QFileDialog.AcceptMode.AcceptSave])
def test_file_dialog_is_all_chinese(chinese: None, mode: QFileDialog.AcceptMode) -> None:
    dialog = QFileDialog(None, "选择文件", "/", "*.xlsx")
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # the one Qt draws itself (a plain Linux desktop)
    dialog.setAcceptMode(mode)
    dialog.show()
    QApplication.processEvents()
    try:
        assert english_texts(dialog) == []
    finally:
        dialog.close()
        dialog.deleteLater()


def test_standard_buttons_are_chinese(chinese: None) -> None:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
                           | QDialogButtonBox.StandardButton.Close)
    assert english_texts(box) == []
    question = QMessageBox(QMessageBox.Icon.Question, "t", "正文",
                           QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    assert [b.text() for b in question.buttons()] and english_texts(question) == []
