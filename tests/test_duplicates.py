"""The duplicate-claim check (撞单): normalized names, phone keys, scope-blind candidates that
tell only name and owner, and the warn / block setting — on SQLite and PostgreSQL."""
from __future__ import annotations

from typing import Any

import pytest

from crm_desktop.db import Database
from crm_desktop.models import Customer, Lead, Pool, RecordMixin, utcnow
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records import search
from crm_desktop.services.records.duplicates import (
    DuplicateCandidate,
    DuplicateFound,
    check_before_save,
    claim_lock_keys,
    enforce,
    find_duplicates,
    get_duplicate_check_mode,
    normalize_company_name,
    phone_key,
    set_duplicate_check_mode,
)
from crm_desktop.services.uow import read_only, unit_of_work

# --- pure functions ------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "厦门星辰科技有限公司", "星辰科技（厦门）", "星辰科技(厦门)", "星辰科技（厦门市）", "福建省厦门市星辰科技股份有限公司",
    "福建星辰科技有限责任公司", "星辰（厦门）科技有限公司", "星辰科技集团", "星辰科技集团有限公司",
    "厦门星辰科技有限公司福州分公司", "  厦门 星辰-科技·有限公司 ", "厦门星辰科技股份", "星辰科技（集团）",
])
def test_spellings_of_one_company_share_a_key(name: str) -> None:
    assert normalize_company_name(name) == "星辰科技"


@pytest.mark.parametrize(("name", "key"), [
    ("ＡＣＭＥ　Trading Co., Ltd.", "acmetrading"),
    ("Acme Trading Inc.", "acmetrading"),
    ("ACME (China) Limited", "acme"),
    ("阿里巴巴（中国）网络技术有限公司", "阿里巴巴网络技术"),
    ("中国银行", "中国银行"),  # 中国 is a prefix only inside brackets
    ("厦门厂", "厦门"),  # never reduced below two characters
    ("厦门", "厦门"),
    ("Co., Ltd.", "coltd"),  # a name that is only a form ending is kept, not emptied
    ("", ""),
    ("星辰科技 2号店", "星辰科技2号"),
])
def test_normalization_keeps_identity(name: str, key: str) -> None:
    assert normalize_company_name(name) == key


def test_different_companies_keep_different_keys() -> None:
    assert normalize_company_name("厦门星辰科技有限公司") != normalize_company_name("厦门星海科技有限公司")


@pytest.mark.parametrize(("raw", "key"), [
    ("+86 138-0000-1234", "13800001234"), ("8613800001234", "13800001234"), ("0086 138 0000 1234", "13800001234"),
    ("138 0000 1234", "13800001234"), ("+86 592 1234567", "05921234567"), ("(0592) 123-4567", "05921234567"),
    ("０５９２－１２３４５６７", "05921234567"), ("", ""),
])
def test_phone_key_compares_digits_without_country_code(raw: str, key: str) -> None:
    assert phone_key(raw) == key


def test_values_the_check_finds_equal_lock_the_same_key() -> None:
    """Two saves lock a shared key exactly when the check could match one against the other."""
    def keys(**values: str) -> set[int]:
        return set(claim_lock_keys(values))

    assert keys(name="厦门星辰科技有限公司") == keys(name="星辰科技（厦门）")
    assert keys(phone="0592-5550001") == keys(mobile="+86 592 5550001")  # compared crosswise
    assert keys(email="Sales@Star.cn ") == keys(email="sales@star.cn")
    assert keys(credit_code=" 91350200mA2xyz ") == keys(credit_code="91350200MA2XYZ")
    assert len(keys(name="甲公司", phone="0592-5550001", email="a@b.cn", credit_code="X1")) == 4
    assert keys(name="甲公司").isdisjoint(keys(name="乙公司"))
    assert keys(phone="110", name="") == set()  # too short to be compared, so nothing to lock
    assert all(-2**31 <= k < 2**31 for k in keys(name="星辰", phone="13800001234"))  # PostgreSQL int4


# --- helpers -------------------------------------------------------------------------------


def _user(db: Database, admin: Actor, mobile: str, name: str, *, scope: DataScope = DataScope.SELF,
          actions: tuple[str, ...] = RECORD_ACTIONS) -> Actor:
    role = roles.create_role(db, admin, RoleInput(
        name=f"role-{mobile}",
        permissions=frozenset((m, a) for m in ("customer", "lead") for a in actions),
        scopes={"customer": scope, "lead": scope}))
    users.create_user(db, admin, UserInput(mobile=mobile, name=name, department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    return auth.login(db, mobile, "abc12345")


def _add(db: Database, owner: Actor | None, model: type[RecordMixin], **values: Any) -> int:
    """Write a record as the record services do: the row, then its search initials."""
    with unit_of_work(db, None) as uow:
        if model is Customer:
            values.setdefault("normalized_name", normalize_company_name(values["name"]))
        creator = owner.user_id if owner else values.pop("creator_id")
        row = model(owner_id=owner.user_id if owner else None, creator_id=creator, **values)
        uow.session.add(row)
        uow.session.flush()
        search.index_record(uow.session, model.entity, row)
        return row.id


# --- the check -----------------------------------------------------------------------------


def test_acceptance_bracketed_region_finds_the_registered_company(db: Database, admin: Actor) -> None:
    """Issue 3, acceptance 3: 星辰科技（厦门） finds 厦门星辰科技有限公司 — owned by someone the
    entering rep cannot see, so only its name and owner are told."""
    wang = _user(db, admin, "13700000001", "王芳")
    li = _user(db, admin, "13700000002", "李雷")
    _add(db, wang, Customer, name="厦门星辰科技有限公司", phone="0592-5551234", address="软件园二期")
    found = find_duplicates(db, li, entity="customer", values={"name": "星辰科技（厦门）"})
    assert found == [DuplicateCandidate(
        entity="customer", record_id=None, name="厦门星辰科技有限公司", owner_name="王芳", field="name",
        fields=("name",), how="similar", in_pool=False, visible=False,
    )]


def test_exact_phone_matches_across_leads_and_customers(db: Database, admin: Actor) -> None:
    cid = _add(db, admin, Customer, name="星海贸易", phone="0592-123 4567")
    lid = _add(db, admin, Lead, name="海蓝商贸", mobile="+86 592 1234567")
    _add(db, admin, Customer, name="别家", phone="0592-1234568")  # one digit off
    found = find_duplicates(db, admin, entity="customer", values={"phone": "(0592) 1234567"})
    assert [(c.entity, c.record_id, c.field, c.how) for c in found] == [
        ("customer", cid, "phone", "exact"), ("lead", lid, "phone", "exact")]
    # A lead being entered with the mobile field finds the customer's phone field too.
    found = find_duplicates(db, admin, entity="lead", values={"mobile": "+86-592-123-4567"})
    assert [(c.entity, c.record_id, c.field) for c in found] == [("lead", lid, "mobile"), ("customer", cid, "mobile")]


def test_exact_name_email_and_credit_code(db: Database, admin: Actor) -> None:
    cid = _add(db, admin, Customer, name="星海贸易有限公司", email="Sales@XingHai.cn", credit_code="91350200MA2Y0001X1")
    by_name = find_duplicates(db, admin, entity="customer", values={"name": "星海贸易有限公司"})
    assert [(c.record_id, c.how) for c in by_name] == [(cid, "exact")]
    by_mail = find_duplicates(db, admin, entity="customer", values={"email": " sales@xinghai.CN "})
    assert [(c.record_id, c.field) for c in by_mail] == [(cid, "email")]
    assert find_duplicates(db, admin, entity="customer", values={"email": "sales@xinghai.cn.evil"}) == []
    by_code = find_duplicates(db, admin, entity="customer", values={"credit_code": "91350200ma2y0001x1"})
    assert [(c.record_id, c.field) for c in by_code] == [(cid, "credit_code")]
    several = find_duplicates(db, admin, entity="customer", values={
        "name": "星海贸易有限公司", "email": "sales@xinghai.cn", "credit_code": "91350200MA2Y0001X1"})
    assert [(c.field, c.fields) for c in several] == [("name", ("name", "email", "credit_code"))]


def test_similar_name_finds_leads_through_the_index(db: Database, admin: Actor) -> None:
    lid = _add(db, admin, Lead, name="厦门星辰科技有限公司")
    _add(db, admin, Lead, name="星辰科技园物业")  # contains the key but is another company
    found = find_duplicates(db, admin, entity="customer", values={"name": "福建星辰科技股份有限公司"})
    assert [(c.entity, c.record_id, c.how) for c in found] == [("lead", lid, "similar")]
    # A two-character key cannot use trigrams: the narrowing scans, and still finds it.
    short = _add(db, admin, Lead, name="厦门星海有限公司")
    found = find_duplicates(db, admin, entity="customer", values={"name": "星海（厦门）"})
    assert [(c.entity, c.record_id, c.how) for c in found] == [("lead", short, "similar")]


def test_the_record_itself_deleted_and_converted_are_not_candidates(db: Database, admin: Actor) -> None:
    cid = _add(db, admin, Customer, name="星辰科技", phone="13900000001")
    _add(db, admin, Customer, name="星辰科技有限公司", phone="13900000001", deleted_at=utcnow())
    _add(db, admin, Lead, name="星辰科技", phone="13900000001", status="converted")
    values = {"name": "星辰科技", "phone": "139 0000 0001"}
    assert find_duplicates(db, admin, entity="customer", values=values, exclude_id=cid) == []
    assert [c.record_id for c in find_duplicates(db, admin, entity="customer", values=values)] == [cid]
    # exclude_id is the edited record's own entity: a lead with the same id still counts.
    lid = _add(db, admin, Lead, name="星辰科技")
    assert {(c.entity, c.record_id) for c in find_duplicates(db, admin, entity="lead", values=values, exclude_id=lid)} \
        == {("customer", cid)}


def test_pool_customers_are_candidates_without_an_owner(db: Database, admin: Actor) -> None:
    with unit_of_work(db, None) as uow:
        pool = Pool(name="厦门公海")
        uow.session.add(pool)
        uow.session.flush()
        pool_id = pool.id
    _add(db, None, Customer, name="星辰科技有限公司", creator_id=admin.user_id, pool_id=pool_id, pooled_at=utcnow())
    rep = _user(db, admin, "13700000003", "韩梅梅")
    [found] = find_duplicates(db, rep, entity="customer", values={"name": "厦门星辰科技"})
    assert (found.in_pool, found.owner_name, found.visible, found.record_id) == (True, "", False, None)


def test_scope_decides_what_else_a_candidate_tells(db: Database, admin: Actor) -> None:
    rep = _user(db, admin, "13700000004", "张伟")
    other = _user(db, admin, "13700000005", "刘洋")
    mine = _add(db, rep, Customer, name="星辰科技", mobile="13900000002")
    _add(db, other, Customer, name="星辰科技（厦门）", mobile="13900000002")
    found = find_duplicates(db, rep, entity="customer", values={"mobile": "13900000002"})
    # Newest first; the other rep's record is named, not identified.
    assert [(c.record_id, c.visible, c.owner_name) for c in found] == [(None, False, "刘洋"), (mine, True, "张伟")]
    boss = _user(db, admin, "13700000006", "赵总", scope=DataScope.ALL)
    assert all(c.visible and c.record_id for c in find_duplicates(db, boss, entity="customer",
                                                                   values={"mobile": "13900000002"}))


def test_short_numbers_and_empty_values_match_nothing(db: Database, admin: Actor) -> None:
    _add(db, admin, Customer, name="报警中心", phone="110")
    assert find_duplicates(db, admin, entity="customer", values={"phone": "110", "email": "", "name": " "}) == []


def test_needs_create_or_edit_permission(db: Database, admin: Actor) -> None:
    viewer = _user(db, admin, "13700000007", "只读", actions=("view",))
    with pytest.raises(PermissionDenied):
        find_duplicates(db, viewer, entity="customer", values={"name": "星辰"})
    with pytest.raises(ValueError):
        find_duplicates(db, admin, entity="contact", values={"name": "星辰"})


def test_warn_returns_block_refuses(db: Database, admin: Actor) -> None:
    rep = _user(db, admin, "13700000008", "孙丽")
    _add(db, admin, Customer, name="厦门星辰科技有限公司")
    values = {"name": "星辰科技（厦门）"}
    assert get_duplicate_check_mode(db, rep) == "warn"
    warned = check_before_save(db, rep, entity="customer", values=values)
    assert [c.name for c in warned] == ["厦门星辰科技有限公司"]

    with pytest.raises(PermissionDenied):
        set_duplicate_check_mode(db, rep, "block")
    with pytest.raises(ValidationError):
        set_duplicate_check_mode(db, admin, "strict")
    set_duplicate_check_mode(db, admin, "block")
    assert get_duplicate_check_mode(db, rep) == "block"
    with pytest.raises(DuplicateFound) as err:
        check_before_save(db, rep, entity="customer", values=values)
    assert [c.name for c in err.value.candidates] == ["厦门星辰科技有限公司"]
    assert "厦门星辰科技有限公司 (管理员)" in str(err.value)
    # Inside a save's own unit of work the same rule holds; no match passes in block mode.
    with read_only(db, rep) as uow:
        with pytest.raises(DuplicateFound):
            enforce(uow.session, uow.actor, entity="customer", values=values)
        assert enforce(uow.session, uow.actor, entity="customer", values={"name": "海蓝商贸"}) == []
    set_duplicate_check_mode(db, admin, "warn")
    assert len(check_before_save(db, rep, entity="customer", values=values)) == 1


def test_block_mode_holds_for_service_saves_without_a_form(db: Database, admin: Actor) -> None:
    from crm_desktop.services.customers.customers import customers
    from crm_desktop.services.customers.leads import leads

    rep = _user(db, admin, "13700000009", "周敏")
    existing = customers.create(db, admin, {"name": "厦门星辰科技有限公司", "phone": "0592-5550001"})
    other = customers.create(db, rep, {"name": "海蓝商贸"})
    # Warn mode: saves go through (the form warns), block mode refuses create and edit alike.
    customers.create(db, rep, {"name": "星辰科技（厦门）"})
    set_duplicate_check_mode(db, admin, "block")
    with pytest.raises(DuplicateFound):
        customers.create(db, rep, {"name": "星辰科技有限公司（厦门）"})
    with pytest.raises(DuplicateFound):
        customers.update(db, rep, other.id, expected_version=other.version, changes={"phone": "0592 5550001"})
    with pytest.raises(DuplicateFound):
        leads.create(db, rep, {"name": "一条线索", "phone": "05925550001"})
    lead = leads.create(db, rep, {"name": "另一条线索"})
    with pytest.raises(DuplicateFound):
        leads.update(db, rep, lead.id, expected_version=lead.version, changes={"name": "星辰科技"})
    # A record never collides with itself, and unrelated fields are not checked at all.
    customers.update(db, admin, existing.id, expected_version=existing.version,
                     changes={"name": "厦门星辰科技有限公司", "remark": "老客户"})
    assert customers.update(db, rep, other.id, expected_version=other.version, changes={"remark": "x"}).version == 2
    assert leads.update(db, rep, lead.id, expected_version=lead.version, changes={"remark": "x"}).version == 2
