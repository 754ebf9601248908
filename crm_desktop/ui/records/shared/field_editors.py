"""One editor widget per schema field type, for the generated record form.

Every editor is a ``FieldEditor``: ``value()`` gives what the record service accepts for the
field (text as ``str``; integers as ``int``; decimal, money and percent as a ``str`` holding
the exact decimal, never a float; dates as ``datetime.date``; times as an aware local
``datetime``; selects as the stored option value; multi-selects as a list; users and
departments as ids; empty as ``None`` or ``""``), ``set_value(v)`` accepts what the service
returns (including the ISO strings custom fields are stored as), ``changed`` fires when the
user edits the value (some editors also on ``set_value``) and ``set_read_only(True)`` disables
the editor. ``make_editor`` picks the editor.
Thread rule: GUI thread only; option lists (users, departments, dictionaries) are loaded
beforehand, off the GUI thread, into ``EditorOptions``.
"""
from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QDateTime,
    QRegularExpression,
    Qt,
    QTime,
    Signal,
)
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QWidget,
)

from crm_desktop.services.org.departments import list_departments
from crm_desktop.services.org.users import list_users
from crm_desktop.services.records.schema import (
    EntitySchema,
    FieldSpec,
    FieldType,
    get_dictionary,
)

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

Options = tuple[tuple[Any, str], ...]

#: Province-level divisions offered by the region editor (typing anything else is allowed).
PROVINCES = (
    "北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省 浙江省 安徽省 福建省 江西省 "
    "山东省 河南省 湖北省 湖南省 广东省 海南省 四川省 贵州省 云南省 陕西省 甘肃省 青海省 台湾省 "
    "内蒙古自治区 广西壮族自治区 西藏自治区 宁夏回族自治区 新疆维吾尔自治区 香港特别行政区 澳门特别行政区"
).split()
#: How a custom region field joins its parts into the one stored text.
REGION_SEPARATOR = " / "


@dataclass(frozen=True)
class EditorOptions:
    """Option lists the editors need, loaded before the form is built.

    ``users``: enabled users as (id, name); ``departments``: (id, name, depth) in tree order;
    ``dictionaries``: dictionary name → ((value, label), ...) of enabled items.
    """

    users: tuple[tuple[int, str], ...] = ()
    departments: tuple[tuple[int, str, int], ...] = ()
    dictionaries: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


def load_editor_options(db: Database, actor: Actor, specs: EntitySchema | Sequence[FieldSpec]) -> EditorOptions:
    """Read the option lists the editors of ``specs`` need (only those). Service calls: run it
    off the GUI thread (inside an ``op``)."""
    fields = specs.fields if isinstance(specs, EntitySchema) else tuple(specs)
    types = {f.type for f in fields}
    users: tuple[tuple[int, str], ...] = ()
    departments: tuple[tuple[int, str, int], ...] = ()
    if FieldType.USER in types:
        users = tuple((u.id, u.name) for u in list_users(db, actor, include_disabled=False))
    if FieldType.DEPARTMENT in types:
        rows = list_departments(db, actor)
        depth: dict[int, int] = {}
        for d in rows:  # parents come before their children
            depth[d.id] = depth[d.parent_id] + 1 if d.parent_id in depth else 0
        departments = tuple((d.id, d.name, depth[d.id]) for d in rows)
    names = sorted({f.dictionary for f in fields if f.dictionary and not f.choices
                    and f.type in (FieldType.SELECT, FieldType.MULTISELECT)})
    dictionaries = {n: tuple((i.value, i.label) for i in get_dictionary(db, actor, n)) for n in names}
    return EditorOptions(users=users, departments=departments, dictionaries=dictionaries)


class FieldEditor(QWidget):
    """Base of every editor: one inner widget in a zero-margin row."""

    changed = Signal()

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(0, 0, 0, 0)
        self._row.setSpacing(4)
        self._read_only = False

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def set_read_only(self, read_only: bool) -> None:
        # Disabled rather than merely read-only: the user sees at once that it is not theirs to change.
        self._read_only = read_only
        self.setEnabled(not read_only)

    def is_read_only(self) -> bool:
        return self._read_only

    def _emit(self, *_args: object) -> None:
        self.changed.emit()


class TextEditor(FieldEditor):
    """Single-line text, phone, e-mail and website."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.line = QLineEdit()
        if spec.type is FieldType.PHONE:
            # Digits and the usual separators; the service checks the number itself.
            self.line.setValidator(QRegularExpressionValidator(QRegularExpression(r"[+\d\s\-()转#,;]*"), self.line))
            self.line.setPlaceholderText(self.tr("e.g. 0592-1234567 or 13800001234"))
        elif spec.type is FieldType.EMAIL:
            self.line.setPlaceholderText(self.tr("name@example.com"))
        elif spec.type is FieldType.URL:
            self.line.setPlaceholderText(self.tr("https://"))
        self.line.textEdited.connect(self._emit)
        self._row.addWidget(self.line)
        self.setFocusProxy(self.line)

    def value(self) -> str:
        return self.line.text()

    def set_value(self, value: Any) -> None:
        self.line.setText("" if value is None else str(value))
        self.line.setCursorPosition(0)


class TextAreaEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.text = QPlainTextEdit()
        self.text.setTabChangesFocus(True)
        self.text.setFixedHeight(self.text.fontMetrics().lineSpacing() * 4 + 14)
        self.text.textChanged.connect(self._emit)
        self._row.addWidget(self.text)
        self.setFocusProxy(self.text)

    def value(self) -> str:
        return self.text.toPlainText()

    def set_value(self, value: Any) -> None:
        self.text.setPlainText("" if value is None else str(value))


class NumberEditor(FieldEditor):
    """Integer, decimal, money and percent: typed as text so no float ever rounds a value."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.line = QLineEdit()
        self.line.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        pattern = r"-?\d{0,18}" if spec.type is FieldType.INTEGER else r"-?[\d,]{0,24}(\.\d{0,10})?"
        self.line.setValidator(QRegularExpressionValidator(QRegularExpression(pattern), self.line))
        self.line.textEdited.connect(self._emit)
        self._row.addWidget(self.line, 1)
        if spec.type is FieldType.PERCENT:
            self._row.addWidget(QLabel("%"))
        elif spec.type is FieldType.MONEY:
            self.line.setPlaceholderText(self.tr("0.00"))
        self.setFocusProxy(self.line)

    def value(self) -> int | str | None:
        text = self.line.text().replace(",", "").strip()
        if not text or text == "-":
            return None
        if self.spec.type is FieldType.INTEGER:
            return int(text)
        try:
            return str(decimal.Decimal(text))
        except decimal.InvalidOperation:
            return text  # the service names the field and says why

    def set_value(self, value: Any) -> None:
        if value is None or value == "":
            self.line.clear()
            return
        if isinstance(value, float):
            value = decimal.Decimal(repr(value))  # repr keeps the shortest exact spelling
        text = str(value).strip().rstrip("%")
        if self.spec.type is FieldType.MONEY:
            try:
                text = str(decimal.Decimal(text.replace(",", "")).quantize(decimal.Decimal("0.01")))
            except decimal.InvalidOperation:
                pass
        self.line.setText(text)


def _as_date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip()[:10])


def _as_datetime(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time())
    else:
        moment = dt.datetime.fromisoformat(str(value).strip())
    # Naive times are local wall-clock times (that is how a user typed them).
    return moment.astimezone() if moment.tzinfo is not None else moment.replace(tzinfo=None).astimezone()


class DateEditor(FieldEditor):
    """A date or date-and-time with a check box in front: unticked means "no date"."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.has_value = QCheckBox()
        self.has_value.setToolTip(self.tr("Tick to enter a date; untick to leave it empty."))
        self.has_value.setAccessibleName(self.tr("Has a date"))
        with_time = spec.type is FieldType.DATETIME
        self.edit: QDateTimeEdit = QDateTimeEdit() if with_time else QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd HH:mm" if with_time else "yyyy-MM-dd")
        self.edit.setDateTime(QDateTime(QDate.currentDate(), QTime(9, 0)))
        self.edit.setEnabled(False)
        self.has_value.toggled.connect(self.edit.setEnabled)
        self.has_value.toggled.connect(self._emit)
        self.edit.dateTimeChanged.connect(self._emit)
        self._row.addWidget(self.has_value)
        self._row.addWidget(self.edit, 1)
        self.setFocusProxy(self.edit)

    def value(self) -> dt.date | dt.datetime | None:
        if not self.has_value.isChecked():
            return None
        if self.spec.type is FieldType.DATETIME:
            moment = self.edit.dateTime().toPython()
            assert isinstance(moment, dt.datetime)
            return moment.replace(tzinfo=None).astimezone()
        day = self.edit.date().toPython()
        assert isinstance(day, dt.date)
        return day

    def set_value(self, value: Any) -> None:
        if self.spec.type is FieldType.DATETIME:
            moment = _as_datetime(value)
            if moment is not None:
                local = moment.replace(tzinfo=None)
                self.edit.setDateTime(QDateTime(QDate(local.year, local.month, local.day),
                                                QTime(local.hour, local.minute, local.second)))
        else:
            moment = _as_date(value)  # type: ignore[assignment]
            if moment is not None:
                self.edit.setDate(QDate(moment.year, moment.month, moment.day))
        self.has_value.setChecked(moment is not None)


class ChoiceEditor(FieldEditor):
    """Single select, user and department: a combo of (stored value, label) options.

    The empty entry (value ``empty``) is there unless the field is required; a stored value
    that is no longer an option (a removed dictionary item, a disabled user) is shown as it is
    rather than lost.
    """

    def __init__(self, spec: FieldSpec, options: Options, *, empty: Any = "", parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self._empty = empty
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        if not spec.required:
            self.combo.addItem("", empty)
        for value, label in options:
            self.combo.addItem(label, value)
        self.combo.activated.connect(self._emit)
        self._row.addWidget(self.combo, 1)
        self.setFocusProxy(self.combo)

    def value(self) -> Any:
        data = self.combo.currentData() if self.combo.currentIndex() >= 0 else None
        return self._empty if data in (None, "") else data

    def set_value(self, value: Any) -> None:
        if value in (None, ""):
            # A required field has no empty entry: show nothing chosen rather than pick one.
            self.combo.setCurrentIndex(-1 if self.spec.required else 0)
            return
        at = self.combo.findData(value)
        if at < 0:
            self.combo.addItem(f"#{value}" if isinstance(value, int) else str(value), value)
            at = self.combo.count() - 1
        self.combo.setCurrentIndex(at)

    def labels(self) -> list[str]:
        return [self.combo.itemText(i) for i in range(self.combo.count())]


class MultiSelectEditor(FieldEditor):
    """A checkable list; ``value()`` lists the ticked values in option order."""

    def __init__(self, spec: FieldSpec, options: Options, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.list = QListWidget()
        for value, label in options:
            self._add(value, label)
        self.list.setFixedHeight(min(6, max(2, len(options))) * (self.list.fontMetrics().lineSpacing() + 6) + 6)
        self.list.itemChanged.connect(self._emit)
        self._row.addWidget(self.list, 1)
        self.setFocusProxy(self.list)

    def _add(self, value: str, label: str) -> QListWidgetItem:
        item = QListWidgetItem(label)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Unchecked)
        self.list.addItem(item)
        return item

    def _items(self) -> list[QListWidgetItem]:
        return [self.list.item(i) for i in range(self.list.count())]

    def value(self) -> list[str]:
        return [str(i.data(Qt.ItemDataRole.UserRole)) for i in self._items()
                if i.checkState() == Qt.CheckState.Checked]

    def set_value(self, value: Any) -> None:
        if value in (None, ""):
            wanted: list[str] = []
        elif isinstance(value, (list, tuple)):
            wanted = [str(v) for v in value]
        else:
            wanted = [v.strip() for v in str(value).split(",") if v.strip()]
        self.list.blockSignals(True)
        known = {str(i.data(Qt.ItemDataRole.UserRole)) for i in self._items()}
        for extra in wanted:
            if extra not in known:
                self._add(extra, extra)
        for item in self._items():
            checked = str(item.data(Qt.ItemDataRole.UserRole)) in wanted
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.list.blockSignals(False)


class BooleanEditor(FieldEditor):
    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self.box = QCheckBox(self.tr("Yes"))
        self.box.toggled.connect(self._emit)
        self._row.addWidget(self.box)
        self._row.addStretch(1)
        self.setFocusProxy(self.box)

    def value(self) -> bool:
        return self.box.isChecked()

    def set_value(self, value: Any) -> None:
        if isinstance(value, str):
            value = value.strip().lower() in ("1", "true", "yes", "y", "是")
        self.box.setChecked(bool(value))


class RegionEditor(FieldEditor):
    """Province / city / district. The built-in province, city and district fields each get one
    editable combo (provinces listed); a custom region field gets all three, stored as one text
    joined with " / "."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        if spec.builtin:
            parts = ("province",) if spec.name == "province" else (spec.name,)
        else:
            parts = ("province", "city", "district")
        placeholders = {"province": self.tr("Province"), "city": self.tr("City"), "district": self.tr("District")}
        self.parts: list[QComboBox] = []
        for part in parts:
            combo = QComboBox()
            combo.setEditable(True)
            combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            if part == "province":
                combo.addItems(["", *PROVINCES])
            combo.setCurrentIndex(-1)
            combo.lineEdit().setPlaceholderText(placeholders.get(part, ""))
            combo.currentTextChanged.connect(self._emit)
            self._row.addWidget(combo, 1)
            self.parts.append(combo)
        self.setFocusProxy(self.parts[0])

    def value(self) -> str:
        texts = [c.currentText().strip() for c in self.parts]
        return REGION_SEPARATOR.join(t for t in texts if t) if len(texts) > 1 else texts[0]

    def set_value(self, value: Any) -> None:
        text = "" if value is None else str(value)
        pieces = [p.strip() for p in text.split("/")] if len(self.parts) > 1 else [text]
        for at, combo in enumerate(self.parts):
            combo.setEditText(pieces[at] if at < len(pieces) else "")


class AttachmentEditor(FieldEditor):
    """An attachment-type custom field stores an attachment id. Files are added and removed in
    the Attachments tab of the record's detail page (they need a saved record); the form only
    shows which one is linked and keeps the value."""

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(spec, parent)
        self._value: int | None = None
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setStyleSheet("color: #666;")
        self._row.addWidget(self.label, 1)
        self._show()

    def _show(self) -> None:
        hint = self.tr("Add files in the Attachments tab of the record's detail page.")
        linked = self.tr("Attachment #{id}").format(id=self._value) if self._value is not None else ""
        self.label.setText(f"{linked} — {hint}" if linked else hint)

    def value(self) -> int | None:
        return self._value

    def set_value(self, value: Any) -> None:
        self._value = int(value) if value not in (None, "") else None
        self._show()


def _translated(choices: Sequence[tuple[str, str]]) -> Options:
    return tuple((v, QCoreApplication.translate("fields", label)) for v, label in choices)


def select_options(spec: FieldSpec, options: EditorOptions) -> Options:
    """A select's (value, label) options: fixed choices (translated) or its dictionary's items
    (labels as the company typed them)."""
    if spec.choices:
        return _translated(spec.choices)
    if spec.dictionary:
        return tuple(options.dictionaries.get(spec.dictionary, ()))
    return ()


def make_editor(spec: FieldSpec, options: EditorOptions | None = None, parent: QWidget | None = None) -> FieldEditor:
    """The editor for ``spec``'s type, its options taken from ``options``."""
    options = options or EditorOptions()
    t = spec.type
    if t in (FieldType.TEXT, FieldType.PHONE, FieldType.EMAIL, FieldType.URL):
        return TextEditor(spec, parent)
    if t is FieldType.TEXTAREA:
        return TextAreaEditor(spec, parent)
    if t in (FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY, FieldType.PERCENT):
        return NumberEditor(spec, parent)
    if t in (FieldType.DATE, FieldType.DATETIME):
        return DateEditor(spec, parent)
    if t is FieldType.SELECT:
        return ChoiceEditor(spec, select_options(spec, options), parent=parent)
    if t is FieldType.MULTISELECT:
        return MultiSelectEditor(spec, select_options(spec, options), parent)
    if t is FieldType.BOOLEAN:
        return BooleanEditor(spec, parent)
    if t is FieldType.USER:
        return ChoiceEditor(spec, options.users, empty=None, parent=parent)
    if t is FieldType.DEPARTMENT:
        departments = tuple((d_id, "\u3000" * depth + name) for d_id, name, depth in options.departments)
        return ChoiceEditor(spec, departments, empty=None, parent=parent)
    if t is FieldType.REGION:
        return RegionEditor(spec, parent)
    if t is FieldType.ATTACHMENT:
        return AttachmentEditor(spec, parent)
    raise ValueError(f"no editor for field type {t!r}")
