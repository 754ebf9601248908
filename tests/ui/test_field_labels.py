"""Field labels say what a field is, in both languages: no two fields of one entity share a label,
and a person's name never reads as a company's (a contact's name was labelled 客户名称)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from crm_desktop.services.records.schema import BUILTIN_FIELDS
from crm_desktop.ui import i18n
from crm_desktop.ui.records.specs.registry import VIEW_SPECS

#: Fields that hold a person's name (or pick a person), by entity.
PERSON_FIELDS = {"contact": ("name",), "lead": ("contact_name",), "contract": ("customer_signer_id", "our_signer_id")}
#: Fields that name a company (the customer, the lead's company) or point at one.
COMPANY_FIELDS = {"customer": ("name",), "lead": ("name",), "contact": ("customer_id",)}
#: How the administration names a user (a person) — (context, source).
USER_NAME_LABELS = (("UserTableModel", "Name"), ("UserDialog", "Name:"), ("TeamTab", "Name"))


@pytest.fixture(params=["en", "zh_CN"])
def language(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    before = i18n.current_language()
    assert i18n.install_language(request.param)
    yield request.param
    i18n.install_language(before)


def label(entity: str, name: str) -> str:
    spec = next(f for f in BUILTIN_FIELDS[entity] if f.name == name)
    return QCoreApplication.translate("fields", spec.label)


def bare(text: str) -> str:
    return text.rstrip(":：*").strip()


def test_no_two_fields_of_an_entity_share_a_label(language: str) -> None:
    for entity, fields in BUILTIN_FIELDS.items():
        seen: dict[str, str] = {}
        for spec in fields:
            text = QCoreApplication.translate("fields", spec.label)
            assert text not in seen, f"{language}: {entity}.{spec.name} and {entity}.{seen[text]} are both «{text}»"
            seen[text] = spec.name


def test_a_person_never_reads_as_a_company(language: str) -> None:
    company = {label(entity, name) for entity, names in COMPANY_FIELDS.items() for name in names}
    person = {f"{entity}.{name}": label(entity, name) for entity, names in PERSON_FIELDS.items() for name in names}
    # The screens word some fields themselves (forms, list columns): those too.
    contact = VIEW_SPECS["contact"]
    person["contact form"] = contact.form_label("name")
    person["contact list"] = next(c.header("contact") for c in contact.columns if c.field == "name")
    person |= {f"{ctx}/{src}": bare(QCoreApplication.translate(ctx, src)) for ctx, src in USER_NAME_LABELS}
    clashes = {where: text for where, text in person.items() if bare(text) in company}
    assert not clashes, f"{language}: person fields labelled like a company: {clashes}"
    if language == "zh_CN":
        assert person["contact.name"] == "姓名"
