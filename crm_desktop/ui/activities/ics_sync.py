"""Keeping an .ics of my calendar up to date in a folder I chose (Outlook or a phone subscribed
to the file, or a synced folder, then follows my schedule).

``IcsFolderSync`` remembers the folder per server and user (a small JSON file in the
configuration folder), writes the file at start and again a moment after any event changes
(``ctx.signals.changed``; a burst of changes is one write), off the GUI thread
(services.activities.calendar.sync_ics, which leaves an unchanged file untouched).

Public for tests: ``folder``, ``set_folder()``, ``sync()``, ``synced`` (signal: path, written),
``last_error``.
"""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal
from shiboken6 import isValid

from crm_desktop.config import config_dir
from crm_desktop.services.activities import calendar as calendar_ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op

SETTINGS_FILE = "calendar-sync.json"
#: Changes arriving within this many milliseconds are written once.
DEBOUNCE_MS = 1500


def _key(ctx: AppContext) -> str:
    return f"{hashlib.sha256(ctx.db.url.encode()).hexdigest()[:10]}:{ctx.actor.user_id}"


def _read_settings() -> dict[str, str]:
    try:
        data = json.loads((config_dir() / SETTINGS_FILE).read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _write_settings(settings: dict[str, str]) -> None:
    path = config_dir() / SETTINGS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    part = path.with_name(path.name + ".part")
    part.write_text(json.dumps(settings, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(part, path)


class IcsFolderSync(QObject):
    synced = Signal(object, bool)

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        saved = _read_settings().get(_key(ctx))
        self.folder: Path | None = Path(saved) if saved else None
        self.last_error = ""
        self.last_path: Path | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self.sync)
        ctx.signals.changed.connect(self._on_changed)
        if self.folder is not None:
            self._timer.start()

    def set_folder(self, folder: Path | None) -> None:
        """Keep the file in ``folder`` from now on (None: stop; the last file stays)."""
        settings = _read_settings()
        if folder is None:
            settings.pop(_key(self.ctx), None)
        else:
            settings[_key(self.ctx)] = str(folder)
        _write_settings(settings)
        self.folder = folder
        if folder is not None:
            self.sync()

    def _on_changed(self, entity: str, _record_id: int) -> None:
        if self.folder is not None and entity in ("event", "*"):
            self._timer.start()  # restarts: a burst of changes is written once

    def sync(self) -> None:
        """Write the file now (off the GUI thread)."""
        folder = self.folder
        if folder is None:
            return
        db, actor = self.ctx.db, self.ctx.actor
        op(None, lambda: calendar_ops.sync_ics(db, actor, folder)).success(self._done).failure(self._failed).run()

    def _done(self, result: tuple[Path, bool]) -> None:
        if isValid(self):
            self.last_error = ""
            self.last_path = result[0]
            self.synced.emit(*result)

    def _failed(self, exc: BaseException) -> None:
        if isValid(self):
            self.last_error = error_text(exc)  # shown on the calendar's status line


__all__ = ["IcsFolderSync"]
