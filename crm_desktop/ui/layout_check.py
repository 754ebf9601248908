"""An automated look at a rendered window: overlapping widgets, clipped text, windows too big.

A picture looked at once is not a check (DESIGN.md, "UI habits"): ``crm-admin screenshot``
and the screenshot test run every screen they render through ``check_window`` at each screen
size the product promises (1280×800 and the 1366×768 office laptop), in both languages.

What counts as a problem:

- **overlap**: two visible sibling widgets whose rectangles intersect (more than a pixel or
  two — frames may touch). Layouts never overlap siblings; an overlap means a widget was
  placed by hand or a layout was replaced without removing the old one. A widget drawn over
  its siblings on purpose (a floating badge, a busy overlay) sets the dynamic property
  ``layoutOverlay`` to True.
- **clipped**: a label, button, check box, group box title or tab whose text needs more room
  than it has, so Qt cuts or elides it, and a wrapped label whose text needs more lines than
  its height shows. A short term (no spaces, at most ``SHORT_TERM`` characters) in a wrapped
  label must fit on one line: "下单日/期" broken over two lines reads as two words. A widget
  that elides on purpose (a long customer name in a header) sets ``layoutElides`` to True.
- **too-big**: a window (or dialog) larger than the screen, or whose minimum size is: some of
  it (the status bar, a dialog's Save button) would be off-screen.

Thread rule: GUI thread; reads geometry only, changes nothing.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from PySide6 import QtGui
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QCheckBox,
    QComboBox,
    QGroupBox,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollBar,
    QSizeGrip,
    QSplitterHandle,
    QTabBar,
    QToolButton,
    QWidget,
)

#: Pixels two siblings may share (frames drawn edge to edge) before it counts as an overlap.
OVERLAP_SLACK = 2
#: Pixels of text a widget may lack before it counts as clipped (rounding of font metrics).
CLIP_SLACK = 2
#: A wrapped label's text up to this many characters without a space must fit on one line.
SHORT_TERM = 8
#: The screens every window must fit: what is left for windows once a 40 px task bar is drawn.
SCREENS = {"1280x800": QSize(1280, 760), "1366x768": QSize(1366, 728)}


@dataclass(frozen=True)
class LayoutProblem:
    kind: str  # "overlap" · "clipped" · "too-big"
    where: str  # the widget's path from the window: Class#objectName/…
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.where}: {self.detail}"


def check_window(window: QWidget, *, screen: QSize | None = None) -> list[LayoutProblem]:
    """Every layout problem of ``window`` as it is laid out now (call after it was shown and
    its events processed). ``screen`` is the space the window must fit in."""
    problems: list[LayoutProblem] = []
    if screen is not None:
        problems += _too_big(window, screen)
    for widget in _visible_widgets(window):
        problems += _overlaps(window, widget)
        problems += _clipped(window, widget)
    return problems


# --- walking ---------------------------------------------------------------------------------

def _internal(widget: QWidget) -> bool:
    """Qt's own parts of a compound widget (scroll bars, viewports, splitter handles, the line
    edit inside a combo box) are laid out by their owner, not by a layout of ours."""
    return widget.objectName().startswith("qt_") or isinstance(widget, (QScrollBar, QSplitterHandle, QSizeGrip))


def _visible_widgets(window: QWidget) -> Iterator[QWidget]:
    stack = [window]
    while stack:
        widget = stack.pop()
        yield widget
        if isinstance(widget, (QComboBox,)):
            continue  # a combo box's popup and line edit are its own business
        for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
            # Qt's internal parts are not compared with their siblings, but what they hold
            # (a scroll area's viewport holds the page) is walked like everything else.
            if child.isWindow() or not child.isVisibleTo(window) or isinstance(child, (QScrollBar, QSplitterHandle)):
                continue
            stack.append(child)


def _path(window: QWidget, widget: QWidget) -> str:
    """The last few steps from the window to ``widget`` (enough to find it), with its text."""
    parts: list[str] = []
    current: QWidget | None = widget
    while current is not None and current is not window and len(parts) < 4:
        name = current.objectName()
        parts.append(type(current).__name__ + (f"#{name}" if name else ""))
        current = current.parentWidget()
    text = _text_of(widget)
    label = f" «{text[:40]}»" if text else ""
    return "/".join(reversed(parts)) + label


def _text_of(widget: QWidget) -> str:
    if isinstance(widget, (QLabel, QAbstractButton)):
        return widget.text()
    if isinstance(widget, QGroupBox):
        return widget.title()
    return ""


# --- the checks ------------------------------------------------------------------------------

def _too_big(window: QWidget, screen: QSize) -> list[LayoutProblem]:
    problems = []
    minimum = window.minimumSizeHint().expandedTo(window.minimumSize())
    if window.layout() is not None:
        minimum = minimum.expandedTo(window.layout().minimumSize())
    for what, size in (("minimum size", minimum), ("size", window.size())):
        if size.width() > screen.width() or size.height() > screen.height():
            problems.append(LayoutProblem(
                "too-big", type(window).__name__,
                f"{what} {size.width()}×{size.height()} exceeds the screen {screen.width()}×{screen.height()}"))
    return problems


def _overlaps(window: QWidget, parent: QWidget) -> list[LayoutProblem]:
    if isinstance(parent, QAbstractScrollArea):
        return []  # its viewport, bars and corner widget are placed by the scroll area
    children = [
        c for c in parent.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if not c.isWindow() and c.isVisibleTo(window) and not _internal(c) and not c.property("layoutOverlay")
        and c.width() > 0 and c.height() > 0
    ]
    problems = []
    for i, a in enumerate(children):
        for b in children[i + 1:]:
            shared: QRect = a.geometry().intersected(b.geometry())
            if shared.width() > OVERLAP_SLACK and shared.height() > OVERLAP_SLACK:
                problems.append(LayoutProblem(
                    "overlap", _path(window, a),
                    f"overlaps {_path(window, b)} by {shared.width()}×{shared.height()} px"))
    return problems


def _clipped(window: QWidget, widget: QWidget) -> list[LayoutProblem]:
    if widget.property("layoutElides"):
        return []
    if isinstance(widget, QLabel):
        return _clipped_label(window, widget)
    if isinstance(widget, (QPushButton, QCheckBox, QRadioButton, QToolButton)):
        if not widget.text():
            return []
        need = widget.sizeHint().width()
        if widget.width() + CLIP_SLACK < need:
            return [LayoutProblem("clipped", _path(window, widget),
                                  f"needs {need} px wide, has {widget.width()}")]
        return []
    if isinstance(widget, QGroupBox) and widget.title():
        need = widget.fontMetrics().horizontalAdvance(widget.title()) + 16
        if widget.width() + CLIP_SLACK < need:
            return [LayoutProblem("clipped", _path(window, widget), f"title needs {need} px, has {widget.width()}")]
        return []
    if isinstance(widget, QTabBar):
        return _clipped_tabs(window, widget)
    return []


def _clipped_label(window: QWidget, label: QLabel) -> list[LayoutProblem]:
    text = label.text()
    if not text or label.pixmap() is not None and not label.pixmap().isNull():
        return []
    rect = label.contentsRect()
    indent = max(label.indent(), 0) if label.indent() >= 0 else 0
    width = rect.width() - 2 * label.margin() - indent
    rich = label.textFormat() == Qt.TextFormat.RichText or (
        label.textFormat() == Qt.TextFormat.AutoText and QtGui.Qt.mightBeRichText(text))
    if rich:
        # Measure what a rich label lays out, not its markup.
        need = label.sizeHint()
        if label.wordWrap():
            height = label.heightForWidth(label.width())
            if height > label.height() + CLIP_SLACK:
                return [LayoutProblem("clipped", _path(window, label),
                                      f"wrapped text needs {height} px high, has {label.height()}")]
            return []
        if label.width() + CLIP_SLACK < need.width() and label.sizePolicy().horizontalPolicy() != 0:
            return [LayoutProblem("clipped", _path(window, label), f"needs {need.width()} px wide, has {label.width()}")]
        return []
    metrics = label.fontMetrics()
    lines = text.split("\n")
    if not label.wordWrap():
        need = max(metrics.horizontalAdvance(line) for line in lines)
        if width + CLIP_SLACK < need:
            return [LayoutProblem("clipped", _path(window, label), f"text needs {need} px wide, has {width}")]
        height = metrics.lineSpacing() * len(lines)
        if rect.height() + CLIP_SLACK < height - metrics.leading():
            return [LayoutProblem("clipped", _path(window, label), f"text needs {height} px high, has {rect.height()}")]
        return []
    problems = []
    short = [line for line in lines if line and " " not in line.strip() and len(line.strip()) <= SHORT_TERM]
    for line in short:
        need = metrics.horizontalAdvance(line.strip())
        if width + CLIP_SLACK < need:
            problems.append(LayoutProblem("clipped", _path(window, label),
                                          f"the term «{line.strip()}» breaks over lines: needs {need} px, has {width}"))
    height = label.heightForWidth(label.width())
    if height > label.height() + CLIP_SLACK:
        problems.append(LayoutProblem("clipped", _path(window, label),
                                      f"wrapped text needs {height} px high, has {label.height()}"))
    return problems


def _clipped_tabs(window: QWidget, bar: QTabBar) -> list[LayoutProblem]:
    problems = []
    for i in range(bar.count()):
        if not bar.isTabVisible(i):
            continue
        need, has = bar.tabSizeHint(i).width(), bar.tabRect(i).width()
        if has + CLIP_SLACK < need:
            problems.append(LayoutProblem("clipped", _path(window, bar),
                                          f"tab «{bar.tabText(i)}» needs {need} px, has {has}"))
    return problems


@dataclass
class ScreenChecker:
    """An inspector for ``screenshots.render_screens``: checks each screen at every size in
    ``SCREENS``. A main or detail window (``resizable``) is resized to each screen first; a
    dialog keeps the size it opened with and must fit each screen as it is."""

    settle: Callable[[], None]
    problems: dict[str, list[LayoutProblem]] = field(default_factory=dict)
    screens: list[str] = field(default_factory=list)

    def __call__(self, name: str, widget: QWidget, resizable: bool) -> None:
        self.screens.append(name)
        original = widget.size()
        # First as it is photographed: a window squeezed below its minimum size draws its
        # widgets over each other, which is what a user on a small screen sees.
        shown = [p for p in check_window(widget) if p.kind != "too-big"]
        if shown:
            self.problems.setdefault(f"{name}@shown", []).extend(shown)
        for label, size in SCREENS.items():
            if resizable:
                widget.resize(size)
                self.settle()
            found = check_window(widget, screen=size)
            if found:
                self.problems.setdefault(f"{name}@{label}", []).extend(found)
        if resizable:
            widget.resize(original)
            self.settle()

    def report(self) -> str:
        return "\n".join(f"{screen}: {problem}" for screen, found in self.problems.items() for problem in found)
