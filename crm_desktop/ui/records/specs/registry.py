"""The one registry of view specs: each entity with a list has exactly one, found here.

List tabs, detail windows and forms all read ``view_spec(entity)``; the public pool's list
of customers is ``view_spec("pool")``. Importing this module also names every spec's fields
in messages (``ui.i18n.field_label``), in one place rather than as each tab module loads.
"""
from __future__ import annotations

from collections.abc import Mapping

from crm_desktop.ui.records.specs.base import ViewSpec
from crm_desktop.ui.records.specs.contact import CONTACT
from crm_desktop.ui.records.specs.contract import CONTRACT
from crm_desktop.ui.records.specs.customer import CUSTOMER
from crm_desktop.ui.records.specs.lead import LEAD
from crm_desktop.ui.records.specs.opportunity import OPPORTUNITY
from crm_desktop.ui.records.specs.payment import PAYMENT
from crm_desktop.ui.records.specs.pool import POOL
from crm_desktop.ui.records.specs.product import PRODUCT

VIEW_SPECS: Mapping[str, ViewSpec] = {
    "customer": CUSTOMER, "lead": LEAD, "contact": CONTACT, "opportunity": OPPORTUNITY, "product": PRODUCT,
    "contract": CONTRACT, "payment": PAYMENT, "pool": POOL,
}
#: The entities whose records open in a detail window.
DETAIL_ENTITIES: tuple[str, ...] = tuple(key for key, spec in VIEW_SPECS.items() if spec.detail_tabs)


def view_spec(key: str) -> ViewSpec:
    """The spec of an entity (or "pool"); a KeyError names an entity without screens."""
    return VIEW_SPECS[key]


for _spec in VIEW_SPECS.values():
    _spec.register_message_labels()

__all__ = ["DETAIL_ENTITIES", "VIEW_SPECS", "view_spec"]
