"""Live refresh in the UI (issue 17): other PCs' saves reach the app's one change signal,
who is editing a record is shown, and the status bar follows the server connection.

``start_live(ctx)`` starts one hub per logged-in session: it runs the live listener
(``crm_desktop.live.listener``, a background thread with its own connection) and re-emits
what it hears on the GUI thread:

- a change by another client → ``ctx.signals.changed(entity, id)`` (lists and detail windows
  refresh as for a local save) and ``remote_changed(entity, id, version, actor_id)``;
- presence → ``presence_changed(entity, id)``; ``editors(entity, id)`` names the users;
- the connection → ``connection_changed(online, retry_in_s)``.

Windows find the hub with ``hub_for(ctx)`` (None when live refresh is not running, e.g. in
most tests), so nothing breaks without it. Thread rule: GUI thread, except the listener's
callbacks, which only emit queued signals.
"""
from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QDialog, QFrame, QHBoxLayout, QLabel, QPushButton, QWidget
from shiboken6 import isValid

from crm_desktop.live.listener import Listener
from crm_desktop.services.org import users
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op

PRESENCE_STYLE = "color: #8a5a00; background: #fff4d6; border-radius: 4px; padding: 3px 8px;"

_hubs: dict[int, LiveHub] = {}


class LiveHub(QObject):
    """The session's live refresh (see the module docstring). Public for tests: ``listener``,
    ``online``, ``editors``, ``changed_by``, ``user_name``, ``announce``, ``stop``."""

    remote_changed = Signal(str, int, int, int)
    presence_changed = Signal(str, int)
    connection_changed = Signal(bool, float)
    names_loaded = Signal()
    _heard_change = Signal(str, int, int, int)
    _heard_presence = Signal(str, int)
    _heard_state = Signal(bool, float)

    def __init__(self, ctx: AppContext, **listener_options: Any) -> None:
        super().__init__()
        self.ctx = ctx
        #: (entity, id) → (who saved it last on another PC, the version it made), for "changed by …".
        self._last_save: dict[tuple[str, int], tuple[int, int]] = {}
        self._names: dict[int, str] = {}
        self.online: bool | None = None
        queued = Qt.ConnectionType.QueuedConnection
        self._heard_change.connect(self._on_change, queued)
        self._heard_presence.connect(self.presence_changed, queued)
        self._heard_state.connect(self._on_state, queued)
        self.listener = Listener(
            ctx.db,
            on_change=lambda n: self._heard_change.emit(n.entity, n.record_id, n.version, n.actor_id),
            on_presence=self._presence_from_thread,
            on_state=lambda online, retry: self._heard_state.emit(online, retry),
            **listener_options,
        )
        self.load_names()

    def start(self) -> None:
        _hubs[id(self.ctx.signals)] = self
        self.listener.start()

    def stop(self) -> None:
        """End the listener (announcing this client's editing windows as closed)."""
        if _hubs.get(id(self.ctx.signals)) is self:
            del _hubs[id(self.ctx.signals)]
        self.listener.stop()

    # --- what windows ask ---------------------------------------------------------------

    def editors(self, entity: str, record_id: int) -> list[int]:
        """Users editing the record on other PCs (ids; ``user_name`` names them)."""
        return self.listener.editors(entity, record_id)

    def changed_by(self, entity: str, record_id: int, version: int) -> int | None:
        """Who saved ``version`` of the record on another PC, when a note said so."""
        actor_id, saved = self._last_save.get((entity, record_id), (0, 0))
        return actor_id if actor_id and saved == version else None

    def user_name(self, user_id: int) -> str:
        """The user's name ("" until the names are read)."""
        return self._names.get(user_id, "")

    def announce(self, entity: str, record_id: int, *, editing: bool) -> None:
        """This session opened (``editing``) or closed an editing window of the record."""
        self.listener.announce(entity, record_id, self.ctx.actor.user_id, editing=editing)

    def load_names(self) -> None:
        db, actor = self.ctx.db, self.ctx.actor

        def loaded(found: list[users.UserDTO]) -> None:
            if isValid(self):
                self._names = {u.id: u.name for u in found}
                self.names_loaded.emit()

        op(None, lambda: users.list_users(db, actor)).success(loaded).failure(lambda _exc: None).run()

    # --- from the listener --------------------------------------------------------------

    def _presence_from_thread(self, keys: set[tuple[str, int]]) -> None:
        for entity, record_id in keys:
            self._heard_presence.emit(entity, record_id)

    def _on_change(self, entity: str, record_id: int, version: int, actor_id: int) -> None:
        if actor_id:
            self._last_save[(entity, record_id)] = (actor_id, version)
            if actor_id not in self._names:
                self.load_names()  # a user added since the session began
        if entity == "user":
            self.load_names()
        self.remote_changed.emit(entity, record_id, version, actor_id)
        self.ctx.signals.changed.emit(entity, record_id)

    def _on_state(self, online: bool, retry_in: float) -> None:
        self.online = online
        self.connection_changed.emit(online, retry_in)


def start_live(ctx: AppContext, **listener_options: Any) -> LiveHub:
    """Start live refresh for the session ``ctx``; stop it with ``hub.stop()`` at log-out."""
    hub = LiveHub(ctx, **listener_options)
    hub.start()
    return hub


def hub_for(ctx: AppContext) -> LiveHub | None:
    return _hubs.get(id(ctx.signals))


class PresenceLabel(QLabel):
    """"张三 is editing this customer": shown while other PCs have the record open for
    editing, hidden otherwise (and when live refresh is off)."""

    def __init__(self, ctx: AppContext, entity: str, record_id: int, *, noun: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entity, self.record_id, self.noun = entity, record_id, noun
        self.setStyleSheet(PRESENCE_STYLE)
        self.setWordWrap(True)
        self.hide()
        self._hub = hub_for(ctx)
        if self._hub is not None:
            self._hub.presence_changed.connect(self._on_presence)
            self._hub.names_loaded.connect(self.update_text)
            self.update_text()

    def _on_presence(self, entity: str, record_id: int) -> None:
        if isValid(self) and (entity, record_id) == (self.entity, self.record_id):
            self.update_text()

    def update_text(self) -> None:
        if not isValid(self) or self._hub is None:
            return
        self.show_names([self._hub.user_name(u) or self.tr("Another user")
                         for u in self._hub.editors(self.entity, self.record_id)])

    def show_names(self, names: list[str]) -> None:
        """Say that ``names`` are editing the record (none: hide)."""
        if names:
            self.setText(self.tr("{names} is editing this {thing}").format(names="、".join(names), thing=self.noun))
        self.setVisible(bool(names))


class EditForm(Protocol):
    """What ``FormWatch`` needs of an edit form (``RecordDialog``)."""

    @property
    def version(self) -> int: ...
    def has_changes(self) -> bool: ...
    def is_saving(self) -> bool: ...
    def load_record(self, record: Any) -> None: ...


class FormWatch(QObject):
    """Keeps an open edit form of an existing record in step with other people's saves.

    When the record changes (a note from another PC, or a save in another window), the form
    reads it again; a newer version replaces the shown values if the user typed nothing, and
    otherwise ``banner`` says "Changed by 张三 since you opened this form" with Reload (take
    theirs, drop mine) and Keep mine (hide the banner; saving then opens the per-field
    conflict dialog, since the form still holds the version it was opened at). Typed values
    are never replaced without the user's click. It also announces the form as "editing"
    while open and shows who else is (``presence``).
    """

    def __init__(self, dialog: QDialog, ctx: AppContext, service: Any, record_id: int) -> None:
        super().__init__(dialog)
        self._dialog = dialog
        self._form: EditForm = dialog  # type: ignore[assignment]
        self._ctx = ctx
        self._service = service
        self.entity: str = service.module
        self.record_id = record_id
        self._fresh: Any = None
        self._announced = False

        self.banner = QFrame()
        self.banner.setObjectName("liveBanner")
        self.banner.setStyleSheet("#liveBanner { background: #fdecea; border: 1px solid #f5c2bd; border-radius: 4px; }")
        self.banner_label = QLabel()
        self.banner_label.setWordWrap(True)
        self.reload_button = QPushButton(self.tr("Reload"))
        self.reload_button.setToolTip(self.tr("Show their version; what you typed here is dropped."))
        self.keep_button = QPushButton(self.tr("Keep mine"))
        self.keep_button.setToolTip(self.tr("Keep your entries; saving will show both versions field by field."))
        self.reload_button.setAutoDefault(False)
        self.keep_button.setAutoDefault(False)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.banner_label, 1)
        row.addWidget(self.reload_button)
        row.addWidget(self.keep_button)
        self.banner.hide()
        self.reload_button.clicked.connect(self.take_theirs)
        self.keep_button.clicked.connect(self.keep_mine)
        self.presence = PresenceLabel(ctx, self.entity, record_id, noun=self.tr("record"))

        ctx.signals.changed.connect(self._on_changed)
        hub = hub_for(ctx)
        if hub is not None:
            hub.announce(self.entity, record_id, editing=True)
            self._announced = True
            dialog.finished.connect(self._closed)
            # No argument taken: the half-destroyed dialog is not wrapped for Python.
            dialog.destroyed.connect(lambda: self._closed())

    def _closed(self, *_args: object) -> None:
        if self._announced:
            self._announced = False
            hub = hub_for(self._ctx)
            if hub is not None:
                hub.announce(self.entity, self.record_id, editing=False)

    def _on_changed(self, entity: str, record_id: int) -> None:
        if not isValid(self) or not isValid(self._dialog) or self._form.is_saving():
            return
        if entity == "*" or (entity == self.entity and record_id in (self.record_id, 0)):
            db, actor, service, rid = self._ctx.db, self._ctx.actor, self._service, self.record_id
            op(None, lambda: service.get(db, actor, rid)).success(self._compare).failure(lambda _exc: None).run()

    def _compare(self, record: Any) -> None:
        if not isValid(self) or not isValid(self._dialog) or record.version <= self._form.version:
            return
        if self._form.is_saving():
            return
        if not self._form.has_changes():
            self._form.load_record(record)  # nothing typed: just show the new values
            return
        hub = hub_for(self._ctx)
        who = hub.changed_by(self.entity, self.record_id, record.version) if hub is not None else None
        self.show_changed(hub.user_name(who) if hub is not None and who is not None else "", record)

    def show_changed(self, name: str, record: Any) -> None:
        """Offer reload / keep mine: ``record`` (the newer version) was saved by ``name`` ("":
        unknown — another window of this PC, or SQLite, which does not say who)."""
        self._fresh = record
        if name:
            text = self.tr("Changed by {name} since you opened this form.").format(name=name)
        else:
            text = self.tr("This record was changed since you opened this form.")
        self.banner_label.setText(text)
        self.banner.show()

    def take_theirs(self) -> None:
        if self._fresh is not None:
            self._form.load_record(self._fresh)
        self._fresh = None
        self.banner.hide()

    def keep_mine(self) -> None:
        self._fresh = None
        self.banner.hide()


class ConnectionStatus(QLabel):
    """The status bar's word on the server connection: hidden while all is well, red while
    the server cannot be reached (with the next retry), green for a moment when it is back."""

    BACK_SHOWN_MS = 6000

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("connectionStatus")
        self.hide()
        self._was_lost = False
        self._hide_timer = QTimer(self)
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(self.BACK_SHOWN_MS)
        self._hide_timer.timeout.connect(self.hide)
        hub = hub_for(ctx)
        if hub is not None:
            hub.connection_changed.connect(self.show_state)

    def show_state(self, online: bool, retry_in: float) -> None:
        if not isValid(self):
            return
        if online:
            if self._was_lost:
                self._was_lost = False
                self.setStyleSheet("color: #1b6e2a;")
                self.setText(self.tr("Connected to the server again."))
                self.setToolTip("")
                self.show()
                self._hide_timer.start()
            return
        self._was_lost = True
        self._hide_timer.stop()
        self.setStyleSheet("color: #c0392b; font-weight: 600;")
        self.setText(self.tr("Server unreachable — trying again in {seconds} s").format(seconds=max(1, round(retry_in))))
        self.setToolTip(self.tr("Open forms keep what you typed; nothing can be saved until the connection is back."))
        self.show()
