"""Names for the numbers a record row stores: its customer's name, its contract's number, its
opportunity's stage, a product category's path. Lists, forms and detail tabs show a name
where a person would otherwise see an id.

Each list reader makes one read per page of rows (never one per row on the GUI thread); a
record the actor may not see reads as ``#id`` there. ``reference_names`` names every reference
of one record (a detail window's header and basic info): a record the actor may not see reads
as "" there, which the window words as "not in your data scope".
Thread rule: any thread (like the services).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from crm_desktop.services.customers import contacts as contact_ops
from crm_desktop.services.customers import customers as customer_ops
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.sales import contracts as contract_ops
from crm_desktop.services.sales import opportunities as opportunity_ops
from crm_desktop.services.sales import payments as payment_ops
from crm_desktop.services.sales import products as product_ops
from crm_desktop.services.sales import stages as stage_ops
from crm_desktop.services.sales.products import CategoryNode

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor


def customer_names(db: Database, actor: Actor, records: Sequence[RecordDTO]) -> dict[int, str]:
    """The names of the records' customers, in one read."""
    wanted = {int(r.values["customer_id"]) for r in records if r.values.get("customer_id") is not None}
    try:
        names = customer_ops.names_of(db, actor, wanted)
    except ServiceError:  # no customer view permission: still say which one
        names = {}
    return {i: names.get(i, f"#{i}") for i in wanted}


def with_customer_names(db: Database, actor: Actor, rows: Sequence[RecordDTO], *,
                        key: str = "customer_name") -> tuple[RecordDTO, ...]:
    """``rows`` with each one's customer name added under ``key`` (``customer_id`` itself for an
    export, where a spreadsheet reader cannot look the number up)."""
    names = customer_names(db, actor, rows)
    return tuple(
        dataclasses.replace(r, values={**r.values, key: names.get(int(r.values["customer_id"]), "")})
        if r.values.get("customer_id") is not None else r
        for r in rows
    )


def contract_numbers(db: Database, actor: Actor, ids: set[int]) -> dict[int, str]:
    """Number of each contract (one read per distinct contract)."""
    found: dict[int, str] = {}
    for contract_id in ids:
        try:
            found[contract_id] = str(contract_ops.contracts.get(db, actor, contract_id).values.get("number")
                                     or contract_id)
        except ServiceError:
            found[contract_id] = f"#{contract_id}"
    return found


def name_payments(db: Database, actor: Actor, rows: Sequence[RecordDTO]) -> tuple[RecordDTO, ...]:
    """``rows`` with ``customer_name`` and ``contract_number`` added."""
    names = customer_names(db, actor, rows)
    numbers = contract_numbers(db, actor, {int(r.values["contract_id"]) for r in rows
                                           if r.values.get("contract_id") is not None})
    return tuple(dataclasses.replace(r, values={
        **r.values,
        "customer_name": names.get(int(r.values["customer_id"]), "") if r.values.get("customer_id") else "",
        "contract_number": numbers.get(int(r.values["contract_id"]), "") if r.values.get("contract_id") else "",
    }) for r in rows)


def with_stage_names(db: Database, actor: Actor, rows: list[RecordDTO]) -> list[RecordDTO]:
    """The rows with each one's stage name added as ``stage_name`` (one read)."""
    names = stage_ops.stage_names(db, actor) if rows else {}
    return [dataclasses.replace(r, values={**r.values, "stage_name": names.get(int(r.values["stage_id"]), "")})
            if r.values.get("stage_id") is not None else r for r in rows]


#: The record a reference field points at, by field name (the schema stores them as integers).
REFERENCES = {"customer_id": "customer", "opportunity_id": "opportunity", "customer_signer_id": "contact",
              "contract_id": "contract", "plan_id": "payment plan", "stage_id": "stage", "category_id": "category"}


def reference_names(db: Database, actor: Actor, record: RecordDTO, *,
                    plan_text: Callable[[payment_ops.PlanDTO], str]) -> dict[str, str]:
    """How each filled reference of ``record`` reads: a customer, opportunity or contact by its
    name, a contract by "number · name", a payment plan by ``plan_text(plan)``, a stage by its
    name, a category by its path. "" for a record the actor may not see (or may not list)."""
    values = record.values
    found: dict[str, str] = {}

    def named(field: str, read: Callable[[int], str]) -> None:
        value = values.get(field)
        if value is None or value == "":
            return
        try:
            found[field] = read(int(value))
        except ServiceError:  # outside the actor's scope, or no right to that module
            found[field] = ""

    def contract_text(contract_id: int) -> str:
        contract = contract_ops.contracts.get(db, actor, contract_id).values
        return " · ".join(str(v) for v in (contract.get("number"), contract.get("name")) if v)

    def plan(plan_id: int) -> str:
        contract_id = values.get("contract_id")
        plans = payment_ops.list_plans(db, actor, int(contract_id)) if contract_id is not None else []
        return next((plan_text(p) for p in plans if p.id == plan_id), "")

    named("customer_id", lambda i: customer_ops.names_of(db, actor, [i]).get(i, ""))
    named("opportunity_id", lambda i: str(opportunity_ops.opportunities.get(db, actor, i).values.get("name") or ""))
    named("customer_signer_id", lambda i: str(contact_ops.contacts.get(db, actor, i).values.get("name") or ""))
    named("contract_id", contract_text)
    named("plan_id", plan)
    named("stage_id", lambda i: stage_ops.stage_names(db, actor).get(i, ""))
    named("category_id", lambda i: category_paths(product_ops.category_tree(db, actor)).get(i, ""))
    return found


def category_paths(tree: Sequence[CategoryNode], prefix: str = "") -> dict[int, str]:
    """Each category's path by id ("硬件 / 服务器"), for lists, pickers and the detail page."""
    paths: dict[int, str] = {}
    for node in tree:
        path = f"{prefix}{node.name}"
        paths[node.id] = path
        paths |= category_paths(node.children, f"{path} / ")
    return paths


def category_choices(tree: Sequence[CategoryNode], depth: int = 0) -> list[tuple[str, str]]:
    """(id, name indented by depth) in tree order: the product form's category picker."""
    found: list[tuple[str, str]] = []
    for node in tree:
        found.append((str(node.id), "\u3000" * depth + node.name))
        found += category_choices(node.children, depth + 1)
    return found


__all__ = ["REFERENCES", "category_choices", "category_paths", "contract_numbers", "customer_names", "name_payments",
           "reference_names", "with_customer_names", "with_stage_names"]
