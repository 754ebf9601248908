"""Marks user-visible text in Qt-free code for translation.

``pyside6-lupdate`` collects ``QT_TRANSLATE_NOOP(context, text)`` calls by name, so the
services can name their messages without importing Qt; the UI translates them with
``QCoreApplication.translate(context, text)`` (see ui/i18n.py).
"""
from __future__ import annotations


def QT_TRANSLATE_NOOP(context: str, text: str) -> str:  # noqa: N802 - the name lupdate looks for
    return text
