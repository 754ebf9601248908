"""Field schema: custom fields, dictionaries, field permissions, filters and sorting —
on SQLite and PostgreSQL."""
from __future__ import annotations

import decimal

import pytest

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import ConflictError, ValidationError
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS, DataScope
from crm_desktop.services.org.roles import RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records.filters import Condition, Filter, Op
from crm_desktop.services.records.schema import (
    Access,
    DictionaryItemDTO,
    FieldType,
    get_dictionary,
    get_schema,
)
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
    set_dictionary,
    set_field_permissions,
    update_custom_field,
)


def _capital(db: Database, admin: Actor) -> str:
    return create_custom_field(db, admin, "customer", CustomFieldInput(
        label="注册资本", type=FieldType.MONEY, help_text="万元")).name


def test_new_company_has_the_standard_dictionaries(db: Database, admin: Actor) -> None:
    kinds = [i.value for i in get_dictionary(db, admin, "followup_kind")]
    assert kinds[:3] == ["phone", "email", "visit"]
    assert [i.label for i in get_dictionary(db, admin, "customer_level")][0].startswith("A")


def test_custom_fields_are_validated_and_stored(db: Database, admin: Actor) -> None:
    capital = _capital(db, admin)
    tags = create_custom_field(db, admin, "customer", CustomFieldInput(
        label="标签", type=FieldType.MULTISELECT, dictionary="tags")).name
    code = create_custom_field(db, admin, "customer", CustomFieldInput(
        label="ERP 编号", type=FieldType.TEXT, required=True, unique=True)).name
    set_dictionary(db, admin, "tags", [DictionaryItemDTO("vip", "VIP"), DictionaryItemDTO("gov", "政府")])
    schema = get_schema(db, admin, "customer")
    assert [f.name for f in schema.fields if f.is_custom] == [capital, tags, code]

    with pytest.raises(ValidationError) as err:
        customers.create(db, admin, {"name": "星辰", capital: "很多", tags: ["vip", "nope"]})
    assert set(err.value.field_errors) == {capital, tags, code}  # every problem at once
    c = customers.create(db, admin, {"name": "星辰", capital: "1,000.5", tags: ["vip"], code: "E-1"})
    assert c.custom == {capital: "1000.50", tags: ["vip"], code: "E-1"}
    with pytest.raises(ValidationError) as err:
        customers.create(db, admin, {"name": "另一家", code: "E-1"})
    assert err.value.field_errors == {code: "Another record already has this value."}
    updated = customers.update(db, admin, c.id, expected_version=1, changes={capital: "2000"})
    assert updated.custom[capital] == "2000.00" and updated.version == 2
    log = customers.operation_log(db, admin, c.id)
    assert {ch.field: (ch.old, ch.new) for ch in log[-1].changes} == {capital: ("1000.50", "2000.00")}
    with pytest.raises(ValidationError):
        update_custom_field(db, admin, 1, CustomFieldInput(label="注册资本", type=FieldType.TEXT))


def _seed(db: Database, admin: Actor, capital: str) -> dict[str, int]:
    rows = {
        "厦门星辰科技有限公司": {"level": "A", "address": "福建省厦门市", capital: "15000000"},
        "福州海峡贸易有限公司": {"level": "B", "address": "福建省福州市", capital: "8000000"},
        "上海东方物流有限公司": {"level": "A", "address": "上海市浦东新区", capital: None},
        "广州南方食品厂": {"level": "", "address": "", capital: "20000000"},
    }
    return {name: customers.create(db, admin, {"name": name, **values}).id for name, values in rows.items()}


@pytest.mark.parametrize("conditions,match,expected", [
    ([("level", Op.EQ, "A")], "all", {"厦门星辰科技有限公司", "上海东方物流有限公司"}),
    ([("level", Op.NE, "A")], "all", {"福州海峡贸易有限公司", "广州南方食品厂"}),
    ([("address", Op.CONTAINS, "厦门")], "all", {"厦门星辰科技有限公司"}),
    ([("address", Op.NOT_CONTAINS, "福建")], "all", {"上海东方物流有限公司", "广州南方食品厂"}),
    ([("level", Op.EMPTY, None)], "all", {"广州南方食品厂"}),
    ([("level", Op.NOT_EMPTY, None)], "all", {"厦门星辰科技有限公司", "福州海峡贸易有限公司", "上海东方物流有限公司"}),
    ([("capital", Op.GTE, "10000000")], "all", {"厦门星辰科技有限公司", "广州南方食品厂"}),
    ([("capital", Op.GT, "15000000")], "all", {"广州南方食品厂"}),
    ([("capital", Op.LT, "10000000")], "all", {"福州海峡贸易有限公司"}),
    ([("capital", Op.LTE, "8000000")], "all", {"福州海峡贸易有限公司"}),
    ([("capital", Op.BETWEEN, ["8000000", "15000000"])], "all", {"厦门星辰科技有限公司", "福州海峡贸易有限公司"}),
    ([("capital", Op.EMPTY, None)], "all", {"上海东方物流有限公司"}),
    ([("level", Op.IN, ["A", "B"])], "all", {"厦门星辰科技有限公司", "福州海峡贸易有限公司", "上海东方物流有限公司"}),
    ([("level", Op.EQ, "A"), ("capital", Op.GTE, "10000000")], "all", {"厦门星辰科技有限公司"}),
    ([("level", Op.EQ, "B"), ("address", Op.CONTAINS, "上海")], "any", {"福州海峡贸易有限公司", "上海东方物流有限公司"}),
    ([], "all", {"厦门星辰科技有限公司", "福州海峡贸易有限公司", "上海东方物流有限公司", "广州南方食品厂"}),
])
def test_filter_operators(db: Database, admin: Actor, conditions: list[tuple[str, Op, object]], match: str,
                          expected: set[str]) -> None:
    capital = _capital(db, admin)
    _seed(db, admin, capital)
    flt = Filter(match=match, conditions=tuple(
        Condition(capital if f == "capital" else f, op, value) for f, op, value in conditions))
    page = customers.list_page(db, admin, filter=flt, limit=50)
    assert {r.values["name"] for r in page.rows} == expected
    assert customers.count(db, admin, filter=flt) == len(expected)
    assert Filter.from_json(flt.to_json()) == flt  # saved views store filters as JSON


def test_bad_filters_are_refused_in_words(db: Database, admin: Actor) -> None:
    capital = _capital(db, admin)
    for flt in (Filter((Condition("nope", Op.EQ, "x"),)), Filter((Condition(capital, Op.GT, "lots"),)),
                Filter((Condition(capital, Op.CONTAINS, "1"),)), Filter((Condition(capital, Op.BETWEEN, ["1"]),))):
        with pytest.raises(ValidationError):
            customers.list_page(db, admin, filter=flt)


def test_keyset_pages_through_a_custom_sort_with_empty_values(db: Database, admin: Actor) -> None:
    capital = _capital(db, admin)
    values = [None if i % 4 == 0 else str((i * 7919) % 101) for i in range(57)]  # repeats and empties
    for i, v in enumerate(values):
        customers.create(db, admin, {"name": f"c{i:02d}", capital: v})
    for descending in (False, True):
        seen, cursor = [], None
        while True:
            page = customers.list_page(db, admin, sort=capital, descending=descending, after=cursor, limit=10)
            seen += [(r.custom.get(capital), r.id) for r in page.rows]
            cursor = page.next_cursor
            if cursor is None:
                break
        key = [(-1e300 if v is None else float(decimal.Decimal(v)), rid) for v, rid in seen]
        assert len(seen) == 57 and len({rid for _, rid in seen}) == 57  # nothing lost, nothing twice
        assert key == sorted(key, reverse=descending)


def _rep(db: Database, admin: Actor, mobile: str, *role_ids: int) -> Actor:
    users.create_user(db, admin, UserInput(mobile=mobile, name=f"销售{mobile[-1]}", department_id=admin.department_id,
                                           role_ids=role_ids), password="abc12345")
    return auth.login(db, mobile, "abc12345")


def test_hidden_fields_never_leave_the_service(db: Database, admin: Actor) -> None:
    capital = _capital(db, admin)
    role = roles.create_role(db, admin, RoleInput(
        name="销售", permissions=frozenset(("customer", a) for a in RECORD_ACTIONS), scopes={"customer": DataScope.ALL}))
    set_field_permissions(db, admin, role.id, "customer", {"phone": Access.HIDDEN, capital: Access.HIDDEN,
                                                           "level": Access.READ})
    rep = _rep(db, admin, "13700000001", role.id)
    c = customers.create(db, admin, {"name": "星辰", "phone": "0592-1", "level": "A", capital: "100"})
    got = customers.get(db, rep, c.id)
    assert "phone" not in got.values and capital not in got.custom and got.values["level"] == "A"
    row = customers.list_page(db, rep).rows[0]
    assert "phone" not in row.values and capital not in row.custom
    assert {f.name for f in get_schema(db, rep, "customer").fields}.isdisjoint({"phone", capital})
    for flt in (Filter((Condition("phone", Op.CONTAINS, "0592"),)), Filter((Condition(capital, Op.GT, "1"),))):
        with pytest.raises(ValidationError):  # no guessing hidden values through filters
            customers.list_page(db, rep, filter=flt)
    with pytest.raises(ValidationError):
        customers.list_page(db, rep, sort="phone")
    with pytest.raises(ValidationError) as err:
        customers.update(db, rep, c.id, expected_version=1, changes={"level": "B", "phone": "1"})
    assert set(err.value.field_errors) == {"level", "phone"}
    customers.update(db, admin, c.id, expected_version=1, changes={"phone": "2", "remark": "x"})
    with pytest.raises(ConflictError) as conflict:
        customers.update(db, rep, c.id, expected_version=1, changes={"address": "厦门"})
    assert {f.field for f in conflict.value.conflicts} == {"address", "remark"}  # not "phone"


def test_the_widest_field_access_of_several_roles_wins(db: Database, admin: Actor) -> None:
    perms = frozenset({("customer", "view"), ("customer", "edit")})
    r1 = roles.create_role(db, admin, RoleInput(name="R1", permissions=perms, scopes={"customer": DataScope.ALL}))
    r2 = roles.create_role(db, admin, RoleInput(name="R2", permissions=perms, scopes={"customer": DataScope.ALL}))
    set_field_permissions(db, admin, r1.id, "customer", {"phone": Access.HIDDEN, "remark": Access.HIDDEN})
    set_field_permissions(db, admin, r2.id, "customer", {"phone": Access.READ})
    rep = _rep(db, admin, "13700000002", r1.id, r2.id)
    schema = get_schema(db, rep, "customer")
    assert schema.get("phone") is not None and not schema.can_edit("phone")  # hidden + read → read
    assert schema.get("remark") is not None and schema.can_edit("remark")  # hidden + (unset = edit) → edit
    with pytest.raises(ValidationError):
        set_field_permissions(db, admin, r1.id, "customer", {"name": Access.HIDDEN})  # required field


def test_a_select_field_and_its_new_dictionary_are_created_together_or_not_at_all(
    db: Database, admin: Actor
) -> None:
    from crm_desktop.services.records.schema import (
        DictionaryItemDTO,
        FieldType,
        get_dictionary,
        get_schema,
    )
    from crm_desktop.services.records.schema_admin import (
        CustomFieldInput,
        create_dictionary,
        create_select_field,
        list_dictionaries,
    )

    items = [DictionaryItemDTO("wx", "微信群"), DictionaryItemDTO("ref", "老客户介绍")]
    spec = create_select_field(db, admin, "customer", CustomFieldInput("获客渠道", FieldType.SELECT),
                               dictionary="获客渠道", items=items)
    assert spec.dictionary == "获客渠道"
    assert [i.value for i in get_dictionary(db, admin, "获客渠道")] == ["wx", "ref"]
    assert get_schema(db, admin, "customer").get(spec.name) is not None
    # A bad field (empty label) and a taken dictionary name: both reported, nothing written.
    with pytest.raises(ValidationError) as err:
        create_select_field(db, admin, "customer", CustomFieldInput("", FieldType.SELECT),
                            dictionary="获客渠道", items=items)
    assert {"label", "dictionary_name"} <= set(err.value.field_errors)
    with pytest.raises(ValidationError):
        create_select_field(db, admin, "customer", CustomFieldInput("", FieldType.SELECT),
                            dictionary="新渠道", items=items)
    assert all(d.name != "新渠道" for d in list_dictionaries(db, admin))
    with pytest.raises(ValidationError) as err:
        create_dictionary(db, admin, "获客渠道", items)
    assert "dictionary_name" in err.value.field_errors
    with pytest.raises(ValidationError):
        create_dictionary(db, admin, "空字典", [])
    create_dictionary(db, admin, "展会", [DictionaryItemDTO("cz", "厦门秋交会")])
    listed = {d.name: d for d in list_dictionaries(db, admin)}
    assert listed["获客渠道"].item_count == 2 and listed["获客渠道"].used_by == (("customer", "获客渠道", False),)
    assert listed["展会"].item_count == 1 and not listed["展会"].standard
    standard = [d.name for d in list_dictionaries(db, admin) if d.standard]
    assert standard and list(listed)[: len(standard)] == standard  # the standard ones come first


def test_built_in_selects_take_only_their_dictionarys_values(db: Database, admin: Actor) -> None:
    from crm_desktop.services.records.schema import DictionaryItemDTO, get_dictionary
    from crm_desktop.services.records.schema_admin import set_dictionary

    with pytest.raises(ValidationError) as err:
        customers.create(db, admin, {"name": "甲公司", "level": "Z", "industry": "软件", "source": "exhibition"})
    assert err.value.field_errors == {"level": "Choose a listed value.", "industry": "Choose a listed value."}
    record = customers.create(db, admin, {"name": "甲公司", "level": "A", "industry": "it", "source": ""})
    # A value the administrator switched off is no longer offered, nor accepted on a new save.
    items = get_dictionary(db, admin, "industry", include_disabled=True)
    set_dictionary(db, admin, "industry", [DictionaryItemDTO(i.value, i.label, i.value != "finance") for i in items])
    with pytest.raises(ValidationError):
        customers.update(db, admin, record.id, expected_version=record.version, changes={"industry": "finance"})
    # The record's own value stays, and editing another field does not trip over it.
    assert customers.update(db, admin, record.id, expected_version=record.version,
                            changes={"remark": "x"}).values["industry"] == "it"
