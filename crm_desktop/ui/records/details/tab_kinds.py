"""The kinds of detail tab and header part a view spec may name, and how each is made.

An entity's spec lists its tabs by key (``ViewSpec.detail_tabs``) and its header part by key
(``ViewSpec.header_part``); this module maps each key to the widget that shows it, with the
tab's title and the module whose "view" permission it needs (a tab that could only say "no
permission" is left out). A list of another module's records that belong to the shown one is
a ``RelatedList`` in ``RELATED_TABS`` (its columns are the listed entity's spec's).
Thread rule: GUI thread only; ``RelatedList.load`` runs on the op worker.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QWidget
from shiboken6 import isValid

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.sales import contracts as contract_ops
from crm_desktop.services.sales import opportunities as opportunity_ops
from crm_desktop.services.sales import payments as payment_ops
from crm_desktop.ui.activities.timeline_tab import ActivityTimelineTab
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.ops import op
from crm_desktop.ui.records.details.approvals import ApprovalsTab
from crm_desktop.ui.records.details.attachments import AttachmentsTab
from crm_desktop.ui.records.details.base import DetailTab, DetailTarget
from crm_desktop.ui.records.details.common_tabs import BasicInfoTab, LogTab, TeamTab
from crm_desktop.ui.records.details.contacts import CustomerContactsTab
from crm_desktop.ui.records.details.contract import (
    ContractHeaderBar,
    ContractLinesTab,
    ContractPaymentsTab,
)
from crm_desktop.ui.records.details.followups import FollowUpsTab
from crm_desktop.ui.records.details.opportunity import (
    OpportunityHeader,
    OpportunityLinesTab,
    StageHistoryTab,
)
from crm_desktop.ui.records.details.plans import PaymentPlansTab
from crm_desktop.ui.records.details.product import ProductPictures
from crm_desktop.ui.records.details.related import RelatedList, RelatedRecordsTab
from crm_desktop.ui.records.forms.contract_form import open_contract_form
from crm_desktop.ui.records.forms.opportunity_form import open_opportunity_form
from crm_desktop.ui.records.shared.record_names import name_payments, with_stage_names
from crm_desktop.ui.records.specs.contract import CONTRACT
from crm_desktop.ui.records.specs.opportunity import OPPORTUNITY
from crm_desktop.ui.records.specs.payment import PAYMENT

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

#: Tab titles are the window's words.
_WINDOW = "RecordDetailWindow"


# --- a customer's opportunities, contracts and payments -----------------------------------------


def customer_opportunities(db: Database, actor: Actor, customer_id: int) -> list[RecordDTO]:
    return with_stage_names(db, actor, opportunity_ops.list_for_customer(db, actor, customer_id))


def customer_contracts(db: Database, actor: Actor, customer_id: int) -> list[RecordDTO]:
    flt = Filter((Condition("customer_id", Op.EQ, customer_id),))
    return list(contract_ops.contracts.list_page(db, actor, filter=flt, sort="id", limit=500).rows)


def customer_payments(db: Database, actor: Actor, customer_id: int) -> list[RecordDTO]:
    flt = Filter((Condition("customer_id", Op.EQ, customer_id),))
    rows = payment_ops.payments.list_page(db, actor, filter=flt, sort="id", limit=500).rows
    return list(name_payments(db, actor, rows))


def contact_opportunities(db: Database, actor: Actor, contact_id: int) -> list[RecordDTO]:
    return with_stage_names(db, actor, opportunity_ops.list_for_contact(db, actor, contact_id))


def opportunity_contracts(db: Database, actor: Actor, opportunity_id: int) -> list[RecordDTO]:
    flt = Filter((Condition("opportunity_id", Op.EQ, opportunity_id),))
    return list(contract_ops.contracts.list_page(db, actor, filter=flt, sort="id", limit=500).rows)


def _new_opportunity(ctx: AppContext, parent: QWidget, customer_id: int) -> None:
    open_opportunity_form(ctx, parent, customer_id=customer_id)


def _new_contract(ctx: AppContext, parent: QWidget, customer_id: int) -> None:
    assert CONTRACT.texts is not None
    open_contract_form(ctx, parent, record_id=None, customer_id=customer_id,
                       title=QCoreApplication.translate(CONTRACT.texts.context, CONTRACT.texts.new_title))


def _contract_from_opportunity(ctx: AppContext, parent: QWidget, opportunity_id: int) -> None:
    """A draft contract of the opportunity, with its customer and product lines
    (``contracts.create_from_opportunity``), opened in its own window to be completed."""
    assert isinstance(parent, RelatedRecordsTab)
    db, actor = ctx.db, ctx.actor

    def made(contract: RecordDTO) -> None:
        if isValid(parent):  # the new window is the answer; the tab re-reads on the change
            parent.open_requested.emit("contract", contract.id)

    op(parent, lambda: contract_ops.create_from_opportunity(db, actor, opportunity_id), write=True).success(
        made).failure(parent.failed).run()


#: Tabs listing another module's records that belong to this one (see related.py).
RELATED_TABS: Mapping[str, RelatedList] = {
    "opportunities": RelatedList(
        entity="opportunity", title=QT_TRANSLATE_NOOP("fields", "Opportunities"), load=customer_opportunities,
        columns=OPPORTUNITY.related_columns["customer"],
        empty=QT_TRANSLATE_NOOP("fields", "This customer has no opportunities yet."),
        new_label=QT_TRANSLATE_NOOP("fields", "New opportunity…"), create=_new_opportunity,
    ),
    "contracts": RelatedList(
        entity="contract", title=QT_TRANSLATE_NOOP("fields", "Contracts"), load=customer_contracts,
        columns=CONTRACT.related_columns["customer"],
        empty=QT_TRANSLATE_NOOP("fields", "No contracts yet."), watched=("payment", "approval"),
        new_label=QT_TRANSLATE_NOOP("fields", "New contract…"), create=_new_contract,
    ),
    "payments": RelatedList(
        entity="payment", title=QT_TRANSLATE_NOOP("fields", "Payments"), load=customer_payments,
        columns=PAYMENT.related_columns["customer"],
        empty=QT_TRANSLATE_NOOP("fields", "No payments yet."), watched=("approval",),
    ),
    # The opportunities a contact takes part in (the opportunity form's contacts).
    "contact_opportunities": RelatedList(
        entity="opportunity", title=QT_TRANSLATE_NOOP("fields", "Opportunities"), load=contact_opportunities,
        columns=OPPORTUNITY.related_columns["customer"],
        empty=QT_TRANSLATE_NOOP("fields", "This contact takes part in no opportunity yet."),
    ),
    "opportunity_contracts": RelatedList(
        entity="contract", title=QT_TRANSLATE_NOOP("fields", "Contracts"), load=opportunity_contracts,
        columns=CONTRACT.related_columns["customer"],
        empty=QT_TRANSLATE_NOOP("fields", "No contracts of this opportunity yet."), watched=("payment", "approval"),
        new_label=QT_TRANSLATE_NOOP("fields", "New contract from this opportunity"),
        create=_contract_from_opportunity,
    ),
}


# --- tab kinds ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TabKind:
    """How one kind of tab is made: ``make(target)``, its untranslated title (context
    "RecordDetailWindow"), and the module whose "view" permission it needs (None: the record's)."""

    make: Callable[[DetailTarget], QWidget]
    title: str
    module: str | None = None


TAB_KINDS: Mapping[str, TabKind] = {
    "followups": TabKind(FollowUpsTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Follow-ups"), "followup"),
    # Follow-ups, tasks, schedule and approvals about the record, newest first (issue 16).
    "timeline": TabKind(ActivityTimelineTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Activities")),
    "info": TabKind(BasicInfoTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Basic info")),
    "contacts": TabKind(CustomerContactsTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Contacts"), "contact"),
    "team": TabKind(TeamTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Team")),
    "attachments": TabKind(AttachmentsTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Attachments")),
    "approvals": TabKind(ApprovalsTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Approvals")),
    "log": TabKind(LogTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Operation log")),
    "lines": TabKind(OpportunityLinesTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Product lines")),
    "stage_history": TabKind(StageHistoryTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Stage history")),
    "contract_lines": TabKind(ContractLinesTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Product lines")),
    "plans": TabKind(PaymentPlansTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Payment plans")),
    "contract_payments": TabKind(ContractPaymentsTab, QT_TRANSLATE_NOOP("RecordDetailWindow", "Payments"), "payment"),
}

#: A widget under an entity's header (``ViewSpec.header_part``), re-read with the tabs.
HEADER_PARTS: Mapping[str, Callable[[DetailTarget], DetailTab]] = {
    "stage_bar": OpportunityHeader, "contract_actions": ContractHeaderBar, "pictures": ProductPictures,
}


def tab_module(key: str) -> str | None:
    """The module whose "view" permission the tab ``key`` needs."""
    if key in RELATED_TABS:
        return RELATED_TABS[key].entity
    return TAB_KINDS[key].module


def make_tab(key: str, target: DetailTarget) -> tuple[QWidget, str]:
    """The tab ``key`` for ``target``'s record, with its translated title."""
    if key in RELATED_TABS:
        related = RelatedRecordsTab(target, RELATED_TABS[key])
        return related, related.title()
    kind = TAB_KINDS[key]
    return kind.make(target), QCoreApplication.translate(_WINDOW, kind.title)


__all__ = ["HEADER_PARTS", "RELATED_TABS", "TAB_KINDS", "TabKind", "contact_opportunities", "customer_contracts",
           "customer_opportunities", "customer_payments", "make_tab", "opportunity_contracts", "tab_module"]
