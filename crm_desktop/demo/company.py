"""Demo data: a realistic Chinese sales company for trying the app, screenshots and benchmarks.

``create_demo_company`` builds 厦门星辰科技有限公司 on an empty database through the ordinary
services (departments, roles, users), so the organisation is exactly as valid as one an
administrator would build by hand. The generated data then follows in bulk, each part in its
own module: customers (``demo_customers.fill_customers``: a million rows must not go through
one ORM object each); their contacts, follow-ups and leads in proportion, and the public pool
公海 with the customers left quiet in it (``demo_related.fill_related``); the product catalogue,
opportunities, contracts, payment plans and payments in proportion (``demo_sales.fill_sales``).
The search index is rebuilt once at the very end.

All or nothing: the whole company is built in one database transaction
(``db.one_transaction``; every unit of work inside is a savepoint of it). An error, or a
killed ``crm-admin demo-data``, leaves the database as empty as it was, so running the
command again simply starts over; there is never half a company that refuses to be completed.

This module is the demo's public face (``crm-admin demo-data``, screenshots, benchmarks, tests):
it also offers ``fill_customers`` and ``HISTORY_DAYS`` of ``demo_customers``.

Thread rule: plain service code; run it off the GUI thread (each batch is its own unit of work).
"""
from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crm_desktop.db import one_transaction
from crm_desktop.demo.common import GIVEN_FEMALE, GIVEN_MALE, SURNAMES, random_mobile
from crm_desktop.demo.customers import HISTORY_DAYS, INDUSTRIES, fill_customers
from crm_desktop.demo.flows import install_demo_flows
from crm_desktop.demo.related import fill_related
from crm_desktop.demo.sales import fill_sales
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.services.customers import pool as pool_service
from crm_desktop.services.errors import RuleViolation
from crm_desktop.services.org import auth, departments, roles
from crm_desktop.services.org import users as user_service
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import MODULES, DataScope
from crm_desktop.services.records.schema import DictionaryItemDTO, get_dictionary
from crm_desktop.services.records.schema_admin import set_dictionary
from crm_desktop.services.records.search import reindex_all
from crm_desktop.services.uow import read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database

COMPANY = "厦门星辰科技有限公司"
ADMIN_MOBILE = "13800000000"
ADMIN_PASSWORD = "admin1234"
#: Every demo user other than the super administrator logs in with this password.
DEMO_PASSWORD = "demo1234"
EMAIL_DOMAIN = "xingchen-tech.cn"

Progress = Callable[[int, int, str], None]

# --- the organisation -------------------------------------------------------------------

#: (name, parent name); parents come first. The company itself is the top department.
DEPARTMENTS: tuple[tuple[str, str], ...] = (
    ("总经办", COMPANY),
    ("销售部", COMPANY),
    ("华南大区", "销售部"),
    ("福建分部", "华南大区"),
    ("广东分部", "华南大区"),
    ("华东大区", "销售部"),
    ("上海分部", "华东大区"),
    ("市场部", COMPANY),
    ("财务部", COMPANY),
    ("客服部", COMPANY),
)


@dataclass(frozen=True)
class RoleSpec:
    name: str
    description: str
    #: Actions granted on every record module (those a module does not have are skipped).
    record_actions: tuple[str, ...]
    scope: DataScope
    #: Grants outside the record modules (organisation, public pool): (module, action) pairs.
    admin: tuple[tuple[str, str], ...] = ()


_ORG_ADMIN = tuple(
    (module, action)
    for module in ("department", "user", "role")
    for action in ("view", "create", "edit", "delete", "disable", "reset_password")
    if module in MODULES and action in MODULES[module].actions
)

#: Sales people see the public pool and claim from it; managers also assign its customers.
_POOL_CLAIM = (("pool", "view"), ("pool", "claim"), ("product", "view"))
_POOL_ASSIGN = (*_POOL_CLAIM, ("pool", "assign"))
#: Managers and finance read the sales targets their dashboards measure against.
_TARGET_VIEW = (("target", "view"),)
#: The product catalogue has no data scope: who may see or maintain it is granted here.
_PRODUCT_VIEW = (("product", "view"),)
_PRODUCT_EDIT = (("product", "view"), ("product", "create"), ("product", "edit"), ("product", "export"))

ROLES: tuple[RoleSpec, ...] = (
    RoleSpec("销售代表", "一线销售：只看自己负责的客户", ("view", "create", "edit", "convert"), DataScope.SELF,
             _POOL_CLAIM),
    RoleSpec("销售经理", "分部经理：看本人及下属的客户，可转移、导出、放入公海",
             ("view", "create", "edit", "transfer", "export", "put_in_pool", "convert"), DataScope.SUBORDINATES,
             (*_POOL_ASSIGN, *_TARGET_VIEW)),
    RoleSpec("大区总监", "大区/销售负责人：看本部门及下级部门的客户",
             ("view", "create", "edit", "delete", "transfer", "import", "export", "put_in_pool", "convert"),
             DataScope.DEPARTMENT_TREE, (*_POOL_ASSIGN, *_TARGET_VIEW)),
    RoleSpec("财务", "财务：查看全部客户，可导出", ("view", "export"), DataScope.ALL, (*_PRODUCT_VIEW, *_TARGET_VIEW)),
    RoleSpec("客服", "客服：查看并维护全部客户资料", ("view", "edit"), DataScope.ALL, _PRODUCT_VIEW),
    RoleSpec("市场专员", "市场：录入和导入线索客户，维护产品目录，看本部门数据", ("view", "create", "import"),
             DataScope.DEPARTMENT, _PRODUCT_EDIT),
    RoleSpec("系统管理员", "IT 管理：部门、员工、角色维护", ("view",), DataScope.SELF, _ORG_ADMIN),
)


@dataclass(frozen=True)
class PersonSpec:
    key: str
    name: str
    gender: str
    mobile: str
    email: str
    department: str
    position: str
    role: str
    superior: str | None
    #: The province whose customers this person looks after ("" = owns no customers).
    territory: str = ""


_ADMIN = PersonSpec("gm", "林建华", "male", ADMIN_MOBILE, f"lin.jianhua@{EMAIL_DOMAIN}", "总经办", "总经理", "", None)

#: The fixed core; superiors come before their subordinates.
CORE: tuple[PersonSpec, ...] = (
    _ADMIN,
    PersonSpec("sales", "王志强", "male", "13850001001", f"wang.zhiqiang@{EMAIL_DOMAIN}", "销售部", "销售总监", "大区总监", "gm"),
    PersonSpec("south", "陈海峰", "male", "13850001002", f"chen.haifeng@{EMAIL_DOMAIN}", "华南大区", "大区总监", "大区总监", "sales"),
    PersonSpec("fj_mgr", "黄丽娟", "female", "13850001003", f"huang.lijuan@{EMAIL_DOMAIN}", "福建分部", "销售经理", "销售经理", "south", "福建"),
    PersonSpec("fj_rep", "郑伟", "male", "13850001004", f"zheng.wei@{EMAIL_DOMAIN}", "福建分部", "销售代表", "销售代表", "fj_mgr", "福建"),
    PersonSpec("gd_mgr", "刘洋", "male", "13850001005", f"liu.yang@{EMAIL_DOMAIN}", "广东分部", "销售经理", "销售经理", "south", "广东"),
    PersonSpec("east", "张明", "male", "13850001006", f"zhang.ming@{EMAIL_DOMAIN}", "华东大区", "大区总监", "大区总监", "sales"),
    PersonSpec("sh_rep", "周婷", "female", "13850001007", f"zhou.ting@{EMAIL_DOMAIN}", "上海分部", "销售代表", "销售代表", "east", "华东"),
    PersonSpec("finance", "许雅琪", "female", "13850001008", f"xu.yaqi@{EMAIL_DOMAIN}", "财务部", "财务专员", "财务", "gm"),
    PersonSpec("it", "杨帆", "male", "13850001009", f"yang.fan@{EMAIL_DOMAIN}", "总经办", "系统管理员", "系统管理员", "gm"),
    PersonSpec("market", "何静", "female", "13850001010", f"he.jing@{EMAIL_DOMAIN}", "市场部", "市场专员", "市场专员", "gm"),
    PersonSpec("service", "林芳", "female", "13850001011", f"lin.fang@{EMAIL_DOMAIN}", "客服部", "客服专员", "客服", "gm"),
)

#: Extra sales representatives join these branches in turn: (department, superior key, territory).
_BRANCHES = (("福建分部", "fj_mgr", "福建"), ("广东分部", "gd_mgr", "广东"), ("上海分部", "east", "华东"))


def _extra_reps(count: int, rng: random.Random, taken_mobiles: set[str], taken_emails: set[str]) -> list[PersonSpec]:
    people: list[PersonSpec] = []
    for i in range(count):
        sur, sur_py = rng.choice(SURNAMES)
        gender = rng.choice(("male", "female"))
        given, given_py = rng.choice(GIVEN_MALE if gender == "male" else GIVEN_FEMALE)
        mobile = ""
        while not mobile or mobile in taken_mobiles:
            mobile = random_mobile(rng)
        taken_mobiles.add(mobile)
        email, n = f"{sur_py}.{given_py}@{EMAIL_DOMAIN}", 1
        while email in taken_emails:  # namesakes get a number, as a mail server would do
            n += 1
            email = f"{sur_py}.{given_py}{n}@{EMAIL_DOMAIN}"
        taken_emails.add(email)
        dept, superior, territory = _BRANCHES[i % len(_BRANCHES)]
        people.append(PersonSpec(f"rep{i}", sur + given, gender, mobile, email, dept, "销售代表", "销售代表",
                                 superior, territory))
    return people


# --- the whole company ------------------------------------------------------------------

def _grants(spec: RoleSpec) -> roles.RoleInput:
    permissions: set[tuple[str, str]] = set(spec.admin)
    scopes: dict[str, DataScope] = {}
    for key, module in MODULES.items():
        if not module.scoped:  # record modules: customers now, more as they are registered
            continue
        permissions.update((key, a) for a in spec.record_actions if a in module.actions)
        scopes[key] = spec.scope
    return roles.RoleInput(name=spec.name, description=spec.description,
                           permissions=frozenset(permissions), scopes=scopes)


def create_demo_company(
    db: Database,
    *,
    users: int = len(CORE),
    customers: int = 300,
    seed: int = 7,
    progress: Progress | None = None,
) -> Actor:
    """Set up the demo company on an empty database and return its super administrator.

    ``users`` counts everyone including the super administrator (mobile 13800000000,
    password ``admin1234``); beyond the fixed core of 12 the extra people are sales
    representatives spread over the branches. Every other user's password is ``demo1234``.
    Refused on a database that is already set up. ``progress(done, total, text)`` is called
    as the work advances (from the calling thread). One transaction: nothing of the company
    is visible to others, or left behind by a failure, before it is complete.
    """
    if users < len(CORE):
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The demo company needs at least {count} users."),
                            count=len(CORE))
    if customers < 0:
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The number of customers cannot be negative."))
    with one_transaction(db) as work:
        return _build_company(work, users=users, customers=customers, seed=seed,
                              report=progress or (lambda done, total, text: None))


def _build_company(db: Database, *, users: int, customers: int, seed: int, report: Progress) -> Actor:
    if not auth.needs_setup(db):
        raise RuleViolation(QT_TRANSLATE_NOOP(
            "errors", "This database is already set up. Demo data can only be added to a new, empty database."))
    rng = random.Random(seed)
    people = list(CORE) + _extra_reps(users - len(CORE), rng, {p.mobile for p in CORE}, {p.email for p in CORE})
    steps = len(DEPARTMENTS) + len(ROLES) + len(people)
    step = 0

    def advance(text: str) -> None:
        nonlocal step
        step += 1
        report(step, steps, text)

    admin = auth.setup_company(db, company=COMPANY, admin_name=_ADMIN.name, admin_mobile=_ADMIN.mobile,
                               password=ADMIN_PASSWORD, super_role_name="超级管理员")
    # The demo company lists its own industries, as a company adapts the standard dictionary;
    # customers and leads then hold values that industry's select field offers.
    standard = get_dictionary(db, admin, "industry", include_disabled=True)
    set_dictionary(db, admin, "industry", [*standard, *(DictionaryItemDTO(name, name) for name in INDUSTRIES)])
    dept_ids = {COMPANY: admin.department_id}
    for name, parent in DEPARTMENTS:
        dept_ids[name] = departments.create_department(db, admin, name, parent_id=dept_ids[parent]).id
        advance(f"Department {name}")
    role_ids: dict[str, int] = {}
    for spec in ROLES:
        role_ids[spec.name] = roles.create_role(db, admin, _grants(spec)).id
        advance(f"Role {spec.name}")
    user_ids = {_ADMIN.key: admin.user_id}
    # The general manager is the super administrator: move them into 总经办 with their title.
    current = user_service.get_user(db, admin, admin.user_id)
    user_service.update_user(db, admin, admin.user_id, user_service.UserInput(
        mobile=_ADMIN.mobile, name=_ADMIN.name, department_id=dept_ids[_ADMIN.department], gender=_ADMIN.gender,
        email=_ADMIN.email, position=_ADMIN.position, role_ids=current.role_ids))
    advance(f"User {_ADMIN.name}")
    territories: dict[str, list[int]] = {}
    for person in people[1:]:
        dto = user_service.create_user(db, admin, user_service.UserInput(
            mobile=person.mobile, name=person.name, department_id=dept_ids[person.department],
            gender=person.gender, email=person.email, position=person.position,
            superior_id=user_ids[person.superior] if person.superior else None,
            role_ids=(role_ids[person.role],)), password=DEMO_PASSWORD)
        user_ids[person.key] = dto.id
        if person.territory:
            territories.setdefault(person.territory, []).append(dto.id)
        advance(f"User {person.name}")
    owners = [uid for ids in territories.values() for uid in ids]
    for done, total, text in fill_customers(db, count=customers, seed=seed, owner_ids=owners,
                                            owners_by_territory=territories, reindex=False):
        report(done, total, text)
    with read_only(db, admin) as uow:  # the actor as it is now (department moved)
        assert uow.actor is not None
        admin = uow.actor
    members = (pool_service.PoolMemberInput(department_id=dept_ids["销售部"]),
               pool_service.PoolMemberInput(user_id=user_ids["sales"], is_admin=True))
    for done, total, text in fill_related(db, admin, pool_members=members, seed=seed):
        report(done, total, text)
    # The catalogue belongs to 市场部 (its 市场专员 maintains it); the sales chain to customers' owners.
    for done, total, text in fill_sales(db, owner_id=user_ids["market"], seed=seed):
        report(done, total, text)
    # Once, after every bulk insert: the pinyin initials of customers, contacts and leads.
    report(customers, customers, "Indexing for search")
    reindex_all(db)
    install_demo_flows(db, admin)  # contracts and payments wait for their approvers, as in a real company
    return admin


__all__ = ["ADMIN_MOBILE", "ADMIN_PASSWORD", "COMPANY", "CORE", "DEMO_PASSWORD", "DEPARTMENTS", "HISTORY_DAYS", "ROLES",
           "PersonSpec", "Progress", "RoleSpec", "create_demo_company", "fill_customers"]
