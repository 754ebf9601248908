"""Each schema field type's editor: values round-trip as the service accepts them."""
from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from crm_desktop.services.records.schema import FieldSpec, FieldType
from crm_desktop.ui.records.shared.field_editors import (
    AttachmentEditor,
    ChoiceEditor,
    DateEditor,
    EditorOptions,
    FieldEditor,
    MultiSelectEditor,
    NumberEditor,
    RegionEditor,
    make_editor,
)

OPTIONS = EditorOptions(
    users=((1, "管理员"), (2, "销售小王")),
    departments=((1, "总公司", 0), (2, "销售部", 1)),
    dictionaries={"industry": (("it", "IT/互联网"), ("finance", "金融")),
                  "source": (("referral", "客户介绍"), ("website", "官网"), ("ads", "广告投放"))},
)


def spec(type_: FieldType, **kw: Any) -> FieldSpec:
    kw.setdefault("builtin", False)
    return FieldSpec(entity="customer", name=kw.pop("name", "cf_f1"), label="Field", type=type_, **kw)


def editor(qtbot: QtBot, type_: FieldType, **kw: Any) -> FieldEditor:
    widget = make_editor(spec(type_, **kw), OPTIONS)
    qtbot.addWidget(widget)
    return widget


AWARE = dt.datetime(2026, 3, 1, 14, 30, tzinfo=dt.timezone.utc)

ROUND_TRIPS: list[tuple[FieldType, dict[str, Any], Any, Any]] = [
    # (type, spec options, value set, value read back)
    (FieldType.TEXT, {}, "厦门星辰", "厦门星辰"),
    (FieldType.TEXTAREA, {}, "第一行\n第二行", "第一行\n第二行"),
    (FieldType.PHONE, {}, "0592-1234567", "0592-1234567"),
    (FieldType.EMAIL, {}, "a@b.cn", "a@b.cn"),
    (FieldType.URL, {}, "https://example.com", "https://example.com"),
    (FieldType.INTEGER, {}, 42, 42),
    (FieldType.INTEGER, {}, None, None),
    (FieldType.DECIMAL, {}, "12345678901234.123456", "12345678901234.123456"),
    (FieldType.DECIMAL, {}, decimal.Decimal("0.1"), "0.1"),
    (FieldType.DECIMAL, {}, 0.1, "0.1"),  # a float never turns into 0.1000000000000000055…
    (FieldType.MONEY, {}, "1234.5", "1234.50"),
    (FieldType.MONEY, {}, None, None),
    (FieldType.PERCENT, {}, "12.5", "12.5"),
    (FieldType.DATE, {}, dt.date(2026, 3, 1), dt.date(2026, 3, 1)),
    (FieldType.DATE, {}, "2026-03-01", dt.date(2026, 3, 1)),
    (FieldType.DATE, {}, None, None),
    (FieldType.DATETIME, {}, AWARE, AWARE),
    (FieldType.DATETIME, {}, AWARE.isoformat(), AWARE),
    (FieldType.DATETIME, {}, None, None),
    (FieldType.SELECT, {"dictionary": "industry"}, "finance", "finance"),
    (FieldType.SELECT, {"dictionary": "industry"}, "", ""),
    (FieldType.SELECT, {"dictionary": "industry"}, "gone", "gone"),  # old value kept, not lost
    (FieldType.MULTISELECT, {"dictionary": "source"}, ["website", "referral"], ["referral", "website"]),
    (FieldType.MULTISELECT, {"dictionary": "source"}, "ads,website", ["website", "ads"]),
    (FieldType.MULTISELECT, {"dictionary": "source"}, None, []),
    (FieldType.BOOLEAN, {}, True, True),
    (FieldType.BOOLEAN, {}, False, False),
    (FieldType.USER, {}, 2, 2),
    (FieldType.USER, {}, None, None),
    (FieldType.USER, {}, 99, 99),  # a disabled user stays the value
    (FieldType.DEPARTMENT, {}, 2, 2),
    (FieldType.REGION, {}, "福建省 / 厦门市 / 思明区", "福建省 / 厦门市 / 思明区"),
    (FieldType.REGION, {"name": "province", "builtin": True}, "福建省", "福建省"),
    (FieldType.ATTACHMENT, {}, 7, 7),
    (FieldType.ATTACHMENT, {}, None, None),
]


@pytest.mark.parametrize(("type_", "kw", "given", "expected"), ROUND_TRIPS)
def test_round_trip(qtbot: QtBot, type_: FieldType, kw: dict[str, Any], given: Any, expected: Any) -> None:
    widget = editor(qtbot, type_, **kw)
    widget.set_value(given)
    assert widget.value() == expected
    # Setting what the editor read gives the same value again (the form's baseline relies on it).
    widget.set_value(widget.value())
    assert widget.value() == expected


def test_every_type_has_an_editor(qtbot: QtBot) -> None:
    for type_ in FieldType:
        kw = {"dictionary": "industry"} if type_ in (FieldType.SELECT, FieldType.MULTISELECT) else {}
        assert isinstance(editor(qtbot, type_, **kw), FieldEditor)


def test_number_editor_typing(qtbot: QtBot) -> None:
    money = editor(qtbot, FieldType.MONEY)
    assert isinstance(money, NumberEditor)
    qtbot.keyClicks(money.line, "1,234.56abc")
    assert money.value() == "1234.56"  # letters refused by the validator, thousands commas dropped
    assert isinstance(money.value(), str)
    number = editor(qtbot, FieldType.INTEGER)
    assert isinstance(number, NumberEditor)
    qtbot.keyClicks(number.line, "12.5")
    assert number.value() == 125  # an integer field takes no decimal point


def test_changed_signal_on_user_edit(qtbot: QtBot) -> None:
    text = editor(qtbot, FieldType.TEXT)
    with qtbot.waitSignal(text.changed, timeout=1000):
        qtbot.keyClicks(text.focusProxy(), "x")
    multi = editor(qtbot, FieldType.MULTISELECT, dictionary="source")
    assert isinstance(multi, MultiSelectEditor)
    with qtbot.waitSignal(multi.changed, timeout=1000):
        multi.list.item(1).setCheckState(Qt.CheckState.Checked)
    assert multi.value() == ["website"]


def test_date_can_be_emptied(qtbot: QtBot) -> None:
    date = editor(qtbot, FieldType.DATE)
    assert isinstance(date, DateEditor)
    assert date.value() is None and not date.edit.isEnabled()
    date.has_value.setChecked(True)
    assert date.value() == dt.date.today()
    date.set_value("2025-12-31")
    date.has_value.setChecked(False)
    assert date.value() is None


def test_select_options_and_empty_entry(qtbot: QtBot) -> None:
    optional = editor(qtbot, FieldType.SELECT, dictionary="industry")
    assert isinstance(optional, ChoiceEditor)
    assert optional.labels() == ["", "IT/互联网", "金融"]
    required = editor(qtbot, FieldType.SELECT, dictionary="industry", required=True)
    assert isinstance(required, ChoiceEditor)
    assert required.labels() == ["IT/互联网", "金融"]
    required.set_value(None)
    assert required.value() == ""  # nothing picked for the user
    fixed = make_editor(FieldSpec("contact", "gender", "Gender", FieldType.SELECT,
                                  choices=(("male", "Male"), ("female", "Female"))))
    qtbot.addWidget(fixed)
    assert isinstance(fixed, ChoiceEditor) and fixed.labels() == ["", "Male", "Female"]
    users = editor(qtbot, FieldType.USER)
    assert isinstance(users, ChoiceEditor) and users.labels() == ["", "管理员", "销售小王"]
    departments = editor(qtbot, FieldType.DEPARTMENT)
    assert isinstance(departments, ChoiceEditor) and departments.labels()[2].strip("\u3000") == "销售部"


def test_region_parts(qtbot: QtBot) -> None:
    region = editor(qtbot, FieldType.REGION)
    assert isinstance(region, RegionEditor) and len(region.parts) == 3
    region.parts[0].setEditText("福建省")
    region.parts[1].setEditText("厦门市")
    assert region.value() == "福建省 / 厦门市"
    assert region.parts[0].findText("广东省") >= 0


def test_read_only_disables(qtbot: QtBot) -> None:
    for type_ in (FieldType.TEXT, FieldType.MONEY, FieldType.DATE, FieldType.USER):
        widget = editor(qtbot, type_)
        widget.set_read_only(True)
        assert widget.is_read_only() and not widget.isEnabled()


def test_attachment_points_to_the_detail_page(qtbot: QtBot) -> None:
    widget = editor(qtbot, FieldType.ATTACHMENT)
    assert isinstance(widget, AttachmentEditor)
    assert "Attachments tab" in widget.label.text()
