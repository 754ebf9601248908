"""Global search and its index: substring, pinyin initials, phone digits, short terms, data
scope, field permissions, deletion, and the triggers that keep the index current — on SQLite
(FTS5 trigram) and PostgreSQL (pg_trgm)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, insert, select, update
from sqlalchemy import text as sa_text

from crm_desktop.db import Database
from crm_desktop.models import (
    Contact,
    Customer,
    Lead,
    Pool,
    RecordMixin,
    TeamMember,
    utcnow,
)
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records import search
from crm_desktop.services.records.pinyin import initials
from crm_desktop.services.records.schema import Access
from crm_desktop.services.records.schema_admin import set_field_permissions
from crm_desktop.services.uow import read_only, unit_of_work

ENTITIES = ("customer", "lead", "contact")


def _user(db: Database, admin: Actor, mobile: str, name: str, *, scope: DataScope = DataScope.SELF,
          modules: tuple[str, ...] = ENTITIES) -> tuple[Actor, int]:
    role = roles.create_role(db, admin, RoleInput(
        name=f"role-{mobile}", permissions=frozenset((m, a) for m in modules for a in RECORD_ACTIONS),
        scopes={m: scope for m in modules}))
    users.create_user(db, admin, UserInput(mobile=mobile, name=name, department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    return auth.login(db, mobile, "abc12345"), role.id


def _add(db: Database, owner: Actor, model: type[RecordMixin], **values: Any) -> int:
    """Write a record as the record services do: the row, then its search initials."""
    with unit_of_work(db, None) as uow:
        row = model(owner_id=owner.user_id, creator_id=owner.user_id, **values)
        uow.session.add(row)
        uow.session.flush()
        search.index_record(uow.session, model.entity, row)
        return row.id


def _customer(db: Database, owner: Actor, name: str, **values: Any) -> int:
    return _add(db, owner, Customer, name=name, **values)


def _found(db: Database, actor: Actor, text: str, entity: str = "customer") -> list[str]:
    return [h.name for h in search.search(db, actor, text).hits.get(entity, ())]


def _index_rows(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    with read_only(db, None) as uow:
        out = {}
        for entity in ENTITIES:
            table = search.index_table(uow.session, entity)
            key = list(table.c)[0]
            out[entity] = [tuple(r) for r in uow.session.execute(select(*table.c).order_by(key))]
        return out


def test_pinyin_initials_follow_words_not_single_characters() -> None:
    assert initials("厦门星辰科技有限公司") == "xmxckjyxgs"  # 厦门 is "xia men", not "sha"
    assert initials("重庆长安汽车") == "cqcaqc"
    assert initials("ACME（厦门）2号") == "acmexm2h"
    assert initials("Acme Trading") == ""


@pytest.mark.parametrize("text", [
    "中国银行厦门分行", "银行行长", "单雄信", "曾经的曾先生", "乐山乐器行", "朝阳朝霞", "Ｘ厦门ｋ科技", "α星辰",
    "厦门-星辰/科技 co.", "长沙长城长安重工", "和平和睦", "南京恒安信息技术有限公司", "𠮷野家",
])
def test_cached_word_initials_equal_pypinyin_on_the_whole_text(text: str) -> None:
    import unicodedata

    from pypinyin import Style, lazy_pinyin

    whole = lazy_pinyin(unicodedata.normalize("NFKC", text), style=Style.FIRST_LETTER)
    assert initials(text) == "".join(ch for part in whole for ch in part.lower() if ch.isascii() and ch.isalnum())


def test_substring_search_long_and_short_terms(db: Database, admin: Actor) -> None:
    _customer(db, admin, "厦门星辰科技有限公司")
    _customer(db, admin, "福州海蓝贸易有限公司")
    _customer(db, admin, "Acme Trading Co., Ltd.")
    assert _found(db, admin, "星辰科技") == ["厦门星辰科技有限公司"]  # trigram index
    assert _found(db, admin, "星辰") == ["厦门星辰科技有限公司"]  # two characters: LIKE fallback
    assert _found(db, admin, "辰") == ["厦门星辰科技有限公司"]
    assert _found(db, admin, "有限公司") == ["福州海蓝贸易有限公司", "厦门星辰科技有限公司"]  # newest first
    assert _found(db, admin, "acme trading") == ["Acme Trading Co., Ltd."]  # case-insensitive
    assert _found(db, admin, "ＡＣＭＥ") == ["Acme Trading Co., Ltd."]  # full-width typed
    assert _found(db, admin, "星海") == []
    assert search.search(db, admin, "  ").total == 0


def test_pinyin_initials_find_chinese_names(db: Database, admin: Actor) -> None:
    cid = _customer(db, admin, "厦门科技发展有限公司")
    _customer(db, admin, "福州海蓝贸易有限公司")
    lid = _add(db, admin, Lead, name="厦门科技园物业")
    kid = _add(db, admin, Contact, name="张三丰", customer_id=cid)
    result = search.search(db, admin, "xmkj")
    assert [(h.entity, h.id, h.matched) for h in result.all()] == [
        ("customer", cid, "initials"), ("lead", lid, "initials")]
    assert [h.id for h in search.search(db, admin, "XMKJ").all()] == [cid, lid]
    assert [(h.entity, h.id) for h in search.search(db, admin, "zs").all()] == [("contact", kid)]  # short
    assert _found(db, admin, "hlmy") == ["福州海蓝贸易有限公司"]


def test_renaming_updates_initials_and_text(db: Database, admin: Actor) -> None:
    cid = _customer(db, admin, "厦门科技发展有限公司")
    with unit_of_work(db, None) as uow:
        row = uow.session.get(Customer, cid)
        row.name = "泉州海洋渔业有限公司"
        search.index_record(uow.session, "customer", row)
    assert _found(db, admin, "xmkj") == [] and _found(db, admin, "科技") == []
    assert _found(db, admin, "qzhy") == ["泉州海洋渔业有限公司"]
    # A rename by a path that forgets index_record leaves no stale initials behind.
    with unit_of_work(db, None) as uow:
        uow.session.execute(update(Customer).where(Customer.id == cid).values(name="漳州茶叶有限公司"))
    assert _found(db, admin, "qzhy") == [] and _found(db, admin, "漳州茶叶") == ["漳州茶叶有限公司"]


def test_keep_initials_fills_them_for_every_orm_write(db: Database, admin: Actor) -> None:
    search.keep_initials(db.sessions)
    search.keep_initials(db.sessions)  # idempotent
    with unit_of_work(db, None) as uow:  # no index_record anywhere below
        customer = Customer(name="厦门科技发展有限公司", owner_id=admin.user_id, creator_id=admin.user_id)
        uow.session.add(customer)
        uow.session.flush()
        uow.session.add(Contact(name="张三丰", customer_id=customer.id, owner_id=admin.user_id,
                                creator_id=admin.user_id))
        uow.session.add(Lead(name="泉州海洋渔业", owner_id=admin.user_id, creator_id=admin.user_id))
    assert [(h.entity, h.name) for h in search.search(db, admin, "xmkj").all()] == [("customer", "厦门科技发展有限公司")]
    assert [h.entity for h in search.search(db, admin, "zsf").all()] == ["contact"]
    assert [h.entity for h in search.search(db, admin, "qzhy").all()] == ["lead"]
    with unit_of_work(db, None) as uow:
        uow.session.get(Customer, customer.id).name = "漳州茶叶有限公司"
    with unit_of_work(db, None) as uow:  # a save that leaves the name alone keeps its initials
        uow.session.get(Customer, customer.id).phone = "0596-1234567"
    assert _found(db, admin, "xmkj") == [] and _found(db, admin, "zzcy") == ["漳州茶叶有限公司"]


def test_phone_mobile_and_email(db: Database, admin: Actor) -> None:
    cid = _customer(db, admin, "星辰科技", phone="0592-123 4567", mobile="+86 138-0000-1234", email="Info@XC.cn")
    kid = _add(db, admin, Contact, name="李四", customer_id=cid, mobile="139 0000 5678")
    lid = _add(db, admin, Lead, name="海蓝", phone="(0592) 765-4321")
    hits = search.search(db, admin, "05921234567").all()
    assert [(h.entity, h.id, h.matched) for h in hits] == [("customer", cid, "phone")]
    assert hits[0].phone == "0592-123 4567"  # shown as stored
    assert [h.id for h in search.search(db, admin, "138 0000 1234").all()] == [cid]
    assert [h.id for h in search.search(db, admin, "1234").all()] == [cid]
    assert [(h.entity, h.id) for h in search.search(db, admin, "13900005678").all()] == [("contact", kid)]
    assert [(h.entity, h.id) for h in search.search(db, admin, "765-43").all()] == [("lead", lid)]
    assert [(h.entity, h.matched) for h in search.search(db, admin, "info@xc").all()] == [("customer", "email")]
    assert [h.id for h in search.search(db, admin, "78").all()] == [kid]  # two digits: LIKE fallback


def test_scope_decides_what_is_found(db: Database, admin: Actor) -> None:
    rep, _ = _user(db, admin, "13700000001", "王芳")
    other, _ = _user(db, admin, "13700000002", "李雷")
    _customer(db, rep, "厦门星辰科技有限公司")
    theirs = _customer(db, other, "厦门星海科技有限公司")
    _add(db, other, Lead, name="厦门星空科技")
    assert _found(db, rep, "厦门") == ["厦门星辰科技有限公司"]
    assert _found(db, rep, "厦门星海科技") == []
    assert _found(db, rep, "xmxh") == []
    assert _found(db, rep, "科技", "lead") == []
    assert _found(db, admin, "厦门") == ["厦门星海科技有限公司", "厦门星辰科技有限公司"]
    # A team member sees the record regardless of scope, so search finds it too.
    with unit_of_work(db, None) as uow:
        uow.session.add(TeamMember(entity="customer", record_id=theirs, user_id=rep.user_id, access="read"))
    assert _found(db, rep, "厦门星海科技") == ["厦门星海科技有限公司"]
    boss, _ = _user(db, admin, "13700000003", "赵总", scope=DataScope.ALL)
    assert len(_found(db, boss, "厦门")) == 2


def test_modules_without_view_permission_are_not_searched(db: Database, admin: Actor) -> None:
    rep, _ = _user(db, admin, "13700000004", "孙丽", modules=("customer",))
    _customer(db, rep, "星辰科技")
    _add(db, rep, Lead, name="星辰科技")
    result = search.search(db, rep, "星辰科技")
    assert set(result.hits) == {"customer"} and result.total == 1


def test_hidden_fields_are_neither_matched_nor_shown(db: Database, admin: Actor) -> None:
    rep, role_id = _user(db, admin, "13700000005", "周杰")
    _customer(db, rep, "星辰科技", phone="0592-1234567", email="info@xc.cn")
    set_field_permissions(db, admin, role_id, "customer", {"phone": Access.HIDDEN})
    assert _found(db, rep, "05921234567") == []
    [hit] = search.search(db, rep, "星辰科技").hits["customer"]
    assert (hit.phone, hit.email) == ("", "info@xc.cn")
    assert _found(db, admin, "05921234567") == ["星辰科技"]


def test_deleted_and_pooled_records_are_not_found(db: Database, admin: Actor) -> None:
    cid = _customer(db, admin, "星辰科技有限公司")
    gone = _customer(db, admin, "星辰软件有限公司")
    with unit_of_work(db, None) as uow:
        uow.session.get(Customer, gone).deleted_at = utcnow()
        pool = Pool(name="公海")
        uow.session.add(pool)
        uow.session.flush()
        uow.session.get(Customer, cid).pool_id = pool.id
        uow.session.get(Customer, cid).owner_id = None
    assert _found(db, admin, "星辰") == []
    with unit_of_work(db, None) as uow:  # restored from the recycle bin: found again, no re-index
        uow.session.get(Customer, gone).deleted_at = None
    assert _found(db, admin, "xcrj") == ["星辰软件有限公司"]
    with unit_of_work(db, None) as uow:  # a hard delete removes the index row
        uow.session.execute(delete(Customer).where(Customer.id == gone))
    assert [r[0] for r in _index_rows(db)["customer"]] == [cid]


def test_limit_and_more(db: Database, admin: Actor) -> None:
    for i in range(5):
        _customer(db, admin, f"星辰科技{i}号")
    result = search.search(db, admin, "星辰科技", limit_per_entity=3)
    assert [h.name for h in result.hits["customer"]] == ["星辰科技4号", "星辰科技3号", "星辰科技2号"]
    assert result.more == frozenset({"customer"})
    assert search.search(db, admin, "星辰科技").more == frozenset()


@pytest.mark.parametrize("text", ['"', "%", "_", "a OR b", "NEAR(x y)", "{name}: x", "\\", "*", "星辰%", "x_c"])
def test_query_syntax_in_the_text_is_literal(db: Database, admin: Actor, text: str) -> None:
    _customer(db, admin, "星辰科技")
    _customer(db, admin, "x_c 50% \"quoted\"")
    result = search.search(db, admin, text)
    assert all(text.lower() in h.name.lower() for h in result.all())


#: Names holding LIKE's wildcards and escape, and decoys a wildcard would match.
LITERAL_NAMES = ("%", "_", "百分之100%折扣", "a_b贸易", "路径\\备份", "1000台机床", "a1b贸易", "ab贸易", "普通公司")


@pytest.mark.parametrize("text", ["%", "_", "\\", "0%", "_b", "\\备", "100%", "a_b", "径\\备", "%折扣", "a_b贸"])
def test_wildcards_find_exactly_the_names_holding_them(db: Database, admin: Actor, text: str) -> None:
    """One, two and three or more characters: the scan, FTS5 trigram and pg_trgm paths."""
    for name in LITERAL_NAMES:
        _customer(db, admin, name)
    expected = {n for n in LITERAL_NAMES if text in n}
    assert expected and set(_found(db, admin, text)) == expected


def test_bulk_core_inserts_are_indexed_and_reindex_matches_the_triggers(db: Database, admin: Actor) -> None:
    rows = [{"name": f"厦门星辰{i}号科技有限公司", "phone": f"0592-55{i:05d}", "email": f"A{i}@XC.cn",
             "mobile": f"+86 138 {i:08d}", "credit_code": f" 91350200ma{i:08d} ", "owner_id": admin.user_id,
             "creator_id": admin.user_id, "version": 1, "custom": {}} for i in range(30)]
    with unit_of_work(db, None) as uow:
        uow.session.execute(insert(Customer), rows)
    cid = _customer(db, admin, "泉州海洋渔业")
    _add(db, admin, Contact, name="张三 (Zhang)", customer_id=cid, phone=" 0595/888.999 ", email="ZS@Example.COM")
    _add(db, admin, Lead, name="海蓝", mobile="(0592) 765-4321")
    assert _found(db, admin, "星辰12号") == ["厦门星辰12号科技有限公司"]  # the triggers indexed the text
    assert _found(db, admin, "xmxc") == []  # initials need Python
    written_by_triggers = _index_rows(db)
    assert search.reindex_all(db) == {"customer": 31, "lead": 1, "contact": 1}
    rebuilt = _index_rows(db)
    strip = lambda rows: [r[:-1] for r in rows]  # noqa: E731 - initials differ: reindex fills them
    assert {e: strip(r) for e, r in rebuilt.items()} == {e: strip(r) for e, r in written_by_triggers.items()}
    assert len(_found(db, admin, "xmxc")) == 20 and search.search(db, admin, "xmxc").more
    if db.backend == "sqlite":  # a bulk load leaves the planner fresh statistics (lists rely on them)
        with read_only(db, None) as uow:
            analysed = set(uow.session.scalars(select(sa_text("tbl")).select_from(sa_text("sqlite_stat1"))))
        assert {"customers", "leads", "contacts"} <= analysed


def test_alembic_comparisons_can_skip_the_index() -> None:
    assert not search.alembic_include_name("search_customers_idx", "table", {})
    assert search.alembic_include_name("customers", "table", {})
