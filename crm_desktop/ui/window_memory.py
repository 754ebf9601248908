"""Windows fit the screen and come back the size they were left: the main window (with its
position), the detail windows and the dialogs.

``WindowMemory`` is one application-wide event filter (installed by the app with the user's
``Config``): when a window of ours is shown for the first time it takes the size remembered under
its key (its class name, or the ``windowMemoryKey`` property) and is kept inside the screen it
opens on — a window remembered on a big monitor opens whole on a 1366×768 laptop, its status bar
and buttons visible. When it is hidden its size is remembered (the main window: its position and
whether it was maximized too) and the configuration is written. A ``Config`` without a file
(``path`` None: screenshots, tests) remembers nothing on disk.

``fit_rect`` is the arithmetic (a rectangle moved and shrunk into another); ``fit_on_screen``
applies it to a widget; ``default_size`` is what a window asks for before anything is remembered.
``cascade_position`` places a new window beside the previous one (detail windows are not opened
exactly on top of each other).

Thread rule: GUI thread only.
"""
from __future__ import annotations

import itertools
import logging

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtGui import QGuiApplication, QScreen
from PySide6.QtWidgets import QDialog, QMainWindow, QWidget

from crm_desktop import config
from crm_desktop.config import Config

log = logging.getLogger(__name__)

#: The offset between cascaded windows (a title bar's height: each title stays readable).
CASCADE_STEP = 32
#: Dialogs of Qt's own (message boxes, file and colour pickers) size themselves.
_QT_OWN = ("QMessageBox", "QFileDialog", "QColorDialog", "QFontDialog", "QInputDialog", "QProgressDialog")


def fit_rect(rect: QRect, available: QRect) -> QRect:
    """``rect`` shrunk to fit ``available`` and moved inside it (its size kept where it fits)."""
    width = min(rect.width(), available.width())
    height = min(rect.height(), available.height())
    x = min(max(rect.x(), available.left()), available.left() + available.width() - width)
    y = min(max(rect.y(), available.top()), available.top() + available.height() - height)
    return QRect(x, y, width, height)


def screen_of(widget: QWidget, point: QPoint | None = None) -> QScreen | None:
    """The screen showing ``point`` (default: the widget's centre), else the widget's, else the primary."""
    if point is not None:
        found = QGuiApplication.screenAt(point)
        if found is not None:
            return found
    return widget.screen() or QGuiApplication.primaryScreen()


def fit_on_screen(widget: QWidget, pos: QPoint | None = None, size: QSize | None = None) -> None:
    """Move ``widget`` to ``pos`` (its frame's top left; default: where it is) with ``size`` (its
    inside; default: its own), frame and all kept inside the available area of the screen it is
    on; never below the widget's minimum size."""
    pos = QPoint(pos) if pos is not None else widget.pos()
    size = QSize(size) if size is not None else widget.size()
    # The window manager's frame (title bar, borders) must fit too.
    extra = widget.frameGeometry().size() - widget.geometry().size()
    extra = QSize(max(extra.width(), 0), max(extra.height(), 0))
    outer = QRect(pos, size + extra)
    screen = screen_of(widget, outer.center())
    if screen is None:
        return
    fitted = fit_rect(outer, screen.availableGeometry())
    widget.resize((fitted.size() - extra).expandedTo(widget.minimumSize()))
    widget.move(fitted.topLeft())


def default_size(widget: QWidget, wanted: QSize) -> QSize:
    """``wanted``, or less on a screen that has less room (a 1366×768 laptop has 1366×728 or so)."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is None:
        return wanted
    return wanted.boundedTo(screen.availableGeometry().size())


def cascade_position(previous: QWidget, size: QSize) -> QPoint:
    """Where a new window of ``size`` goes after ``previous``: one step down and right, back to the
    top left of the screen when it would run off it."""
    screen = screen_of(previous)
    at = previous.pos() + QPoint(CASCADE_STEP, CASCADE_STEP)
    if screen is None:
        return at
    area = screen.availableGeometry()
    if at.x() + size.width() > area.right() or at.y() + size.height() > area.bottom():
        at = area.topLeft() + QPoint(CASCADE_STEP, CASCADE_STEP)
    return at


def memory_key(widget: QWidget) -> str:
    key = widget.property("windowMemoryKey")
    return str(key) if key else type(widget).__name__


#: The dynamic property naming the WindowMemory that restored a window (its serial).
_RESTORED = "crmWindowMemory"


def _ours(widget: QObject) -> bool:
    return (isinstance(widget, (QDialog, QMainWindow)) and widget.isWindow()  # type: ignore[union-attr]
            and type(widget).__name__ not in _QT_OWN and type(widget).__module__.startswith("crm_desktop"))


class WindowMemory(QObject):
    """The application-wide event filter (see the module docstring). ``settings.windows`` maps a
    window's key to [width, height] — the main window's to [x, y, width, height, maximized]
    (x, y: the frame's top left, as ``QWidget.pos()``; width, height: the inside)."""

    _serials = itertools.count(1)

    def __init__(self, settings: Config, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        #: Marks, on each window it restored, that this memory did (a dynamic property on the
        #: C++ object). Not a set of Python ids kept in step through ``destroyed``: ids of
        #: wrappers are reused, and a slot run from a half-destroyed widget's ``destroyed``
        #: signal crashed the test run twice (a segfault while the next window was built).
        self.serial = next(self._serials)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        kind = event.type()
        if kind in (QEvent.Type.Show, QEvent.Type.Hide) and _ours(watched):
            widget = watched
            assert isinstance(widget, QWidget)
            mine = widget.property(_RESTORED) == self.serial
            if kind == QEvent.Type.Show and not mine:
                widget.setProperty(_RESTORED, self.serial)
                self.restore(widget)
            elif kind == QEvent.Type.Hide and mine:
                self.remember(widget)
        return False

    def restore(self, widget: QWidget) -> None:
        """The remembered size (and the main window's position), kept on the screen."""
        key = memory_key(widget)
        saved = self.settings.windows.get(key)
        pos, size, maximized = widget.pos(), widget.size(), False
        if saved and len(saved) == 5 and isinstance(widget, QMainWindow):
            pos, size, maximized = QPoint(saved[0], saved[1]), QSize(saved[2], saved[3]), bool(saved[4])
        elif saved and len(saved) == 2:
            size = QSize(saved[0], saved[1])
        fit_on_screen(widget, pos, size)
        if maximized:
            widget.setWindowState(widget.windowState() | Qt.WindowState.WindowMaximized)

    def remember(self, widget: QWidget) -> None:
        key = memory_key(widget)
        if isinstance(widget, QMainWindow):
            if widget.isMaximized():  # keep the size it had before, for when it is restored
                saved = self.settings.windows.get(key) or [widget.x(), widget.y(), 1280, 800, 1]
                value = [*saved[:4], 1]
            else:
                value = [widget.x(), widget.y(), widget.width(), widget.height(), 0]
        else:
            value = [widget.width(), widget.height()]
        if self.settings.windows.get(key) == value:
            return
        self.settings.windows[key] = value
        save(self.settings)


def save(settings: Config) -> None:
    """Write the configuration, when it has a file (a failure costs only the remembered sizes)."""
    if settings.path is None:
        return
    try:
        config.save_config(settings)
    except OSError as exc:
        log.warning("cannot remember window sizes: %s", exc)


def install(settings: Config) -> WindowMemory:
    """Watch every window of the running application (call once, after the QApplication exists)."""
    app = QGuiApplication.instance()
    assert app is not None
    memory = WindowMemory(settings, app)
    app.installEventFilter(memory)
    return memory


__all__ = ["CASCADE_STEP", "WindowMemory", "cascade_position", "default_size", "fit_on_screen", "fit_rect",
           "install", "memory_key", "save"]
