"""What the activity screens share: a checkable user list, local time helpers, labels."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from PySide6.QtCore import QCoreApplication, QDate, QDateTime, Qt, QTime, Signal
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from crm_desktop.services.activities.common import zone
from crm_desktop.services.org import users as user_ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.dirty import GuardedDialog
from crm_desktop.ui.i18n import error_text
from crm_desktop.ui.ops import op

#: Where "now" comes from: tests inject a fixed clock (the screens never read the time themselves).
Clock = Callable[[], dt.datetime]


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_zone() -> dt.tzinfo:
    return zone()


def to_local(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(local_zone())


def qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())


def qdatetime(moment: dt.datetime) -> QDateTime:
    local = to_local(moment)
    return QDateTime(qdate(local.date()), QTime(local.hour, local.minute))


def pydatetime(value: QDateTime) -> dt.datetime:
    d, t = value.date(), value.time()
    return dt.datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=local_zone()).astimezone(dt.UTC)


def service_label(context: str, text: str) -> str:
    """A label the services mark with QT_TRANSLATE_NOOP, in the user's language."""
    return QCoreApplication.translate(context, text)


class UserChecklist(QListWidget):
    """Enabled users with a tick box each (participants). ``checked_ids()`` / ``set_checked()``;
    ``filled`` once the users are read (a dialog then counts the ticks as read, not typed)."""

    filled = Signal()

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._wanted: set[int] = set()
        self.loaded = False
        db, actor = ctx.db, ctx.actor
        op(self, lambda: [(u.id, u.name) for u in user_ops.list_users(db, actor, include_disabled=False)]).success(
            self._fill).run()

    def _fill(self, users: Sequence[tuple[int, str]]) -> None:
        self.clear()
        for uid, name in users:
            if uid == self.ctx.actor.user_id:
                continue
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, uid)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if uid in self._wanted else Qt.CheckState.Unchecked)
            self.addItem(item)
        self.loaded = True
        self.filled.emit()

    def set_checked(self, user_ids: Iterable[int]) -> None:
        self._wanted = set(user_ids)
        for i in range(self.count()):
            item = self.item(i)
            item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in self._wanted
                               else Qt.CheckState.Unchecked)

    def checked_ids(self) -> tuple[int, ...]:
        if not self.loaded:
            return tuple(sorted(self._wanted))
        return tuple(int(self.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.count())
                     if self.item(i).checkState() == Qt.CheckState.Checked)

    def check_name(self, name: str) -> None:
        """Tick the user called ``name`` (tests, keyboard users typing a name)."""
        for i in range(self.count()):
            if self.item(i).text() == name:
                self.item(i).setCheckState(Qt.CheckState.Checked)


class ActivityDialog(GuardedDialog):
    """What the task and event forms share: a form on the left, lists on the right, an error
    line and Save / Cancel; ``saved(dto)`` then the dialog closes."""

    saved = Signal(object)

    def lay_out(self, form: QFormLayout, right: QVBoxLayout, on_save: Callable[[], None]) -> None:
        left = QVBoxLayout()
        left.addLayout(form)
        left.addStretch(1)  # the rows keep their height; spare room goes below them
        columns = QHBoxLayout()
        columns.addLayout(left, 3)
        columns.addLayout(right, 2)
        self.error_label = QLabel()
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b91c1c;")
        self.error_label.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("Save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        self.buttons.accepted.connect(on_save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(columns, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def participants_read(self) -> None:
        """The participant list was filled: its ticks were read, not typed."""
        self.mark_clean(self.participants)  # type: ignore[attr-defined]

    def saving(self) -> None:
        self.buttons.setEnabled(False)

    def _saved(self, dto: object) -> None:
        self.mark_clean()
        self.saved.emit(dto)
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.error_label.setText(error_text(exc))
        self.error_label.show()
