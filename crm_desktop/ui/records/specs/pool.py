"""The public pool's list of customers (公海): its columns (the pool service's rows)."""
from __future__ import annotations

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.ui.records.specs.base import Column, ViewSpec

#: The pool service sorts by name, level and the time put in; the other columns it adds itself.
POOL = ViewSpec(
    entity="customer",
    actions=("claim", "assign"),
    columns=(
        Column("name", 280, label=QT_TRANSLATE_NOOP("PoolTab", "Customer"), context="PoolTab"),
        Column("level", 120),  # "B（普通客户）": the dictionary's label, as in the customer list
        Column("industry", 120, sortable=False),
        Column("previous_owner_name", 110, label=QT_TRANSLATE_NOOP("PoolTab", "Previous owner"), context="PoolTab",
               sortable=False),
        Column("pooled_at", 140, label=QT_TRANSLATE_NOOP("PoolTab", "Put in"), context="PoolTab", sortable=True),
        Column("days_in_pool", 100, label=QT_TRANSLATE_NOOP("PoolTab", "Days in pool"), context="PoolTab",
               sortable=False),
        Column("reason", 200, label=QT_TRANSLATE_NOOP("PoolTab", "Reason"), context="PoolTab", sortable=False),
    ),
)
