"""Property: every per-parent read behind a detail window's tabs — a customer's contacts,
opportunities, contracts and payments; a contract's payment plans and payments; an
opportunity's contacts — returns exactly the children the reference model of
``test_scope_property`` lets the actor see, on SQLite and on PostgreSQL.

Unlike ``test_scope_property`` (one child per customer, sharing its owner and team), each
child here has an owner, team and bin state of its own, each module its own scope per role,
and a role may lack a module's view permission — so a parent can be visible while its
children are not, and the other way round. A parent the actor cannot see gives NotFound where
the service checks the parent, and the actor's visible children of it where it does not.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crm_desktop.db import Database
from crm_desktop.models import (
    Contact,
    Contract,
    Customer,
    Opportunity,
    OpportunityContact,
    Payment,
    PaymentPlan,
    Role,
    RoleDataScope,
    RolePermission,
    TeamMember,
    utcnow,
)
from crm_desktop.services.customers import contacts as contact_ops
from crm_desktop.services.errors import NotFound, PermissionDenied
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.sales import opportunities as opportunity_ops
from crm_desktop.services.sales import payments as payment_ops

# The customer window's related tabs, loaders and all: importing them needs no QApplication.
from crm_desktop.ui.records.details.tab_kinds import RELATED_TABS
from tests.test_scope_property import (
    World,
    add_organisation,
    clear_organisation,
    reference_visible,
    worlds,
)

#: The child modules, each with its own scope and view permission per role.
CHILDREN = ("contact", "opportunity", "contract", "payment")

#: Whether each RELATED_TABS loader checks that the customer is visible (NotFound if not) or
#: just filters the child module by customer (the actor's visible children of any customer id).
#: A tab added to RELATED_TABS fails the test until it is named here.
CUSTOMER_CHECKED = {"opportunities": True, "contracts": False, "payments": False}
#: The related tabs of other parents: the contact's opportunities (through the opportunity's
#: contacts), the opportunity's contracts (a filtered contract list).
OTHER_PARENTS = {"contact_opportunities": "contact", "opportunity_contracts": "opportunity"}


@dataclass
class Kids:
    """Records of one module: each one's parent index, owner, team and bin state."""

    parent: list[int]
    owner: list[int]
    team: list[tuple[int, int, str]]
    deleted: list[bool]


@dataclass
class Related:
    org: World  # departments, users, roles; org.role_scope is the customer scope
    customers: Kids  # parent unused
    kids: dict[str, Kids]  # contact/opportunity/contract → customer index; payment → contract index
    scope: dict[str, list[DataScope]]  # module → scope of each role
    view: dict[str, list[bool]]  # module → whether each role grants "view"
    links: list[tuple[int, int]]  # (opportunity, contact) pairs
    plans: list[int]  # the contract of each payment plan


def kids_of(draw: st.DrawFn, parents: int, users: int, most: int) -> Kids:
    n = draw(st.integers(0, most)) if parents else 0
    parent = [draw(st.integers(0, parents - 1)) for _ in range(n)]
    owner = [draw(st.integers(0, users - 1)) for _ in range(n)]
    team = draw(st.lists(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, users - 1),
                                   st.sampled_from(["read", "write"])), max_size=4, unique_by=lambda t: (t[0], t[1])))
    team = [t for t in team if n and owner[t[0]] != t[1]]
    deleted = [draw(st.booleans()) and draw(st.booleans()) for _ in range(n)]
    return Kids(parent, owner, team, deleted)


@st.composite
def related_worlds(draw: st.DrawFn) -> Related:
    org = draw(worlds())
    users, roles = len(org.user_dept), len(org.role_scope)
    customers = kids_of(draw, 1, users, 4)
    kids: dict[str, Kids] = {}
    for module in ("contact", "opportunity", "contract"):
        kids[module] = kids_of(draw, len(customers.owner), users, 5)
    kids["payment"] = kids_of(draw, len(kids["contract"].owner), users, 5)
    scope = {"customer": org.role_scope,
             **{m: [draw(st.sampled_from(list(DataScope))) for _ in range(roles)] for m in CHILDREN}}
    # Mostly granted: a module nobody may view would hide everything else the property checks.
    view = {m: [draw(st.integers(0, 4)) > 0 for _ in range(roles)] for m in ("customer", *CHILDREN)}
    n_opp, n_contact = len(kids["opportunity"].owner), len(kids["contact"].owner)
    links = sorted(draw(st.sets(st.tuples(st.integers(0, n_opp - 1), st.integers(0, n_contact - 1)), max_size=6))
                   ) if n_opp and n_contact else []
    n_contract = len(kids["contract"].owner)
    plans = draw(st.lists(st.integers(0, n_contract - 1), max_size=4)) if n_contract else []
    return Related(org, customers, kids, scope, view, links, plans)


def visible(r: Related, module: str, u: int) -> set[int]:
    """Indexes of the module's records user ``u`` may see, by the reference model."""
    k = r.customers if module == "customer" else r.kids[module]
    return reference_visible(dataclasses.replace(
        r.org, role_scope=r.scope[module], record_owner=k.owner, team=k.team, deleted=k.deleted), u)


def may_view(r: Related, module: str, u: int) -> bool:
    return any(r.view[module][role] for role in r.org.user_roles[u])


def build(db: Database, r: Related) -> tuple[list[int], dict[str, list[int]], list[int]]:
    """Write the world straight into the tables; user ids, record ids by module, plan ids."""
    w = r.org
    with db.sessions.begin() as s:
        clear_organisation(s, (OpportunityContact, PaymentPlan, Payment, Contract, Opportunity, Contact, Customer))
        roles = []
        for i in range(len(w.role_scope)):
            modules = ("customer", *CHILDREN)
            role = Role(name=f"r{i}", description="", is_super=False,
                        permissions=[RolePermission(module=m, action="view") for m in modules if r.view[m][i]],
                        scopes=[RoleDataScope(module=m, scope=r.scope[m][i].value) for m in modules])
            s.add(role)
            roles.append(role)
        user_ids = add_organisation(s, w, roles)

        ids: dict[str, list[int]] = {}

        def add(module: str, k: Kids, make: Callable[[int, dict[str, Any]], Any]) -> None:
            ids[module] = []
            for i, owner in enumerate(k.owner):
                row = make(i, {"owner_id": user_ids[owner], "creator_id": user_ids[owner], "custom": {},
                               "deleted_at": utcnow() if k.deleted[i] else None})
                s.add(row)
                s.flush()
                ids[module].append(row.id)
            for rec, member, access in k.team:
                s.add(TeamMember(entity=module, record_id=ids[module][rec], user_id=user_ids[member], access=access))

        def customer_of(module: str, i: int) -> int:
            return ids["customer"][r.kids[module].parent[i]]

        add("customer", r.customers, lambda i, base: Customer(**base, name=f"c{i} 客户"))
        add("contact", r.kids["contact"], lambda i, base: Contact(
            **base, name=f"p{i}", customer_id=customer_of("contact", i)))
        add("opportunity", r.kids["opportunity"], lambda i, base: Opportunity(
            **base, name=f"o{i} 商机", customer_id=customer_of("opportunity", i), amount=Decimal("100.00")))
        add("contract", r.kids["contract"], lambda i, base: Contract(
            **base, number=f"HT-{i}", name=f"k{i}", customer_id=customer_of("contract", i),
            amount=Decimal("100.00"), approval_status="approved"))
        pay = r.kids["payment"]
        add("payment", pay, lambda i, base: Payment(
            **base, number=f"HK-{i}", contract_id=ids["contract"][pay.parent[i]],
            customer_id=customer_of("contract", pay.parent[i]), amount=Decimal("10.00"),
            paid_date=dt.date(2026, 1, 5), approval_status="approved"))
        for o, c in r.links:
            s.add(OpportunityContact(opportunity_id=ids["opportunity"][o], contact_id=ids["contact"][c]))
        plan_ids: list[int] = []
        for n, k in enumerate(r.plans):
            plan = PaymentPlan(contract_id=ids["contract"][k], customer_id=customer_of("contract", k),
                               instalment=n + 1, amount=Decimal("50.00"), planned_date=dt.date(2026, 2, 1))
            s.add(plan)
            s.flush()
            plan_ids.append(plan.id)
    return user_ids, ids, plan_ids


Outcome = frozenset[int] | type[Exception]


def outcome(call: Callable[[], Iterable[Any]]) -> Outcome:
    """The ids a read returns (each once), or the kind of refusal."""
    try:
        rows = list(call())
    except (NotFound, PermissionDenied) as e:
        return type(e)
    found = frozenset(row.id for row in rows)
    assert len(found) == len(rows), "a row listed twice"
    return found


def expect(*, allowed: bool, parent_seen: bool | None, children: Iterable[int]) -> Outcome:
    """PermissionDenied without the module's view permission (checked first); NotFound for a
    parent the actor cannot see when the service checks it (``parent_seen`` not None); else
    the visible children."""
    if not allowed:
        return PermissionDenied
    if parent_seen is False:
        return NotFound
    return frozenset(children)


@settings(max_examples=28, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(r=related_worlds())
def test_related_reads_match_the_reference_model(db: Database, r: Related) -> None:
    assert set(RELATED_TABS) == set(CUSTOMER_CHECKED) | set(OTHER_PARENTS), \
        "a new related tab: say whether it checks the customer, or which parent it has"
    user_ids, ids, plan_ids = build(db, r)
    pay = r.kids["payment"]
    for u, uid in enumerate(user_ids):
        with db.sessions() as s:
            actor: Actor = load_actor(s, uid)
        seen = {m: visible(r, m, u) for m in ("customer", *CHILDREN)}
        can = {m: may_view(r, m, u) for m in ("customer", *CHILDREN)}

        def check(where: str, got: Outcome, want: Outcome, *, lenient: bool = False) -> None:
            # ``lenient``: the read needs a permission the service does not ask for today
            # (another module's view); refusing for want of it would be no leak either.
            if lenient and got is PermissionDenied:
                return
            assert got == want, f"user {u}, {where}: got {got}, want {want}"

        def children(module: str, parent: int, of: Kids | None = None) -> set[int]:
            k = of or r.kids[module]
            return {ids[module][i] for i in seen[module] if k.parent[i] == parent}

        for p, customer_id in enumerate(ids["customer"]):
            shown = p in seen["customer"]
            # The customer window's Contacts tab (detail_contacts.ContactsTab reads this).
            check(f"contacts of customer {p}", outcome(lambda: contact_ops.list_for_customer(db, actor, customer_id)),
                  expect(allowed=can["contact"], parent_seen=shown, children=children("contact", p)),
                  lenient=not can["customer"])
            for key, spec in RELATED_TABS.items():
                if key in OTHER_PARENTS:
                    continue
                module = spec.entity
                if module == "payment":  # a payment's customer is its contract's
                    want = {ids["payment"][i] for i in seen["payment"]
                            if r.kids["contract"].parent[pay.parent[i]] == p}
                else:
                    want = children(module, p)
                got = outcome(lambda: spec.load(db, actor, customer_id))
                check(f"{key} tab of customer {p}", got,
                      expect(allowed=can[module], parent_seen=shown if CUSTOMER_CHECKED[key] else None, children=want),
                      lenient=not can["customer"])
            if can["payment"]:
                # The payments tab names each row's customer and contract: only those the actor
                # may see (and may view at all); the others as "#id".
                for row in RELATED_TABS["payments"].load(db, actor, customer_id):
                    i = ids["payment"].index(row.id)
                    k = pay.parent[i]
                    name = f"c{p} 客户" if can["customer"] and shown else f"#{customer_id}"
                    number = f"HT-{k}" if can["contract"] and k in seen["contract"] else f"#{ids['contract'][k]}"
                    assert (row.values["customer_name"], row.values["contract_number"]) == (name, number), \
                        f"user {u}, payment {i}"

        for k, contract_id in enumerate(ids["contract"]):
            shown = k in seen["contract"]
            # The contract window's Payment plans tab (detail_plans.PaymentPlansTab): plans have
            # no owner of their own, so a visible contract shows all of them.
            check(f"plans of contract {k}", outcome(lambda: payment_ops.list_plans(db, actor, contract_id)),
                  expect(allowed=can["contract"], parent_seen=shown,
                         children={plan_ids[n] for n, c in enumerate(r.plans) if c == k}))
            # The contract window's Payments tab (detail_contract.ContractPaymentsTab).
            check(f"payments of contract {k}", outcome(lambda: payment_ops.contract_payments(db, actor, contract_id)),
                  expect(allowed=can["payment"], parent_seen=shown, children=children("payment", k, pay)),
                  lenient=not can["contract"])

        for c, contact_id in enumerate(ids["contact"]):
            # The contact window's Opportunities tab: the visible opportunities it takes part in.
            got = outcome(lambda: RELATED_TABS["contact_opportunities"].load(db, actor, contact_id))
            check(f"opportunities of contact {c}", got,
                  expect(allowed=can["opportunity"], parent_seen=c in seen["contact"],
                         children={ids["opportunity"][o] for o, cc in r.links if cc == c and o in seen["opportunity"]}),
                  lenient=not can["contact"])

        for o, opportunity_id in enumerate(ids["opportunity"]):
            # The opportunity window's Contracts tab lists visible contracts only.
            got = outcome(lambda: RELATED_TABS["opportunity_contracts"].load(db, actor, opportunity_id))
            if can["contract"]:
                assert isinstance(got, frozenset) and got <= {ids["contract"][k] for k in seen["contract"]}, \
                    f"user {u}, contracts of opportunity {o}: {got}"
            else:
                assert got is PermissionDenied, f"user {u}, contracts of opportunity {o}: {got}"
            # The opportunity's contacts (opportunities_tab.open_opportunity_form preselects them).
            got = outcome(lambda: opportunity_ops.get_contacts(db, actor, opportunity_id))
            check(f"contacts of opportunity {o}", got,
                  expect(allowed=can["opportunity"], parent_seen=o in seen["opportunity"],
                         children={ids["contact"][c] for oo, c in r.links if oo == o and c in seen["contact"]}),
                  lenient=not can["contact"])
