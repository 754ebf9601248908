"""Printed contracts and quotations (issue 13): what they show under scope and field permissions,
the templates the administrator edits, escaping, and the logo."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from crm_desktop.db import Database
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.org import auth, roles, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import RECORD_ACTIONS
from crm_desktop.services.org.roles import DataScope, RoleInput
from crm_desktop.services.org.users import UserInput
from crm_desktop.services.records.schema import Access
from crm_desktop.services.records.schema_admin import set_field_permissions
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.sales.print_data import (
    contract_print_data,
    quotation_print_data,
)
from crm_desktop.services.sales.print_templates import (
    LOGO_URL,
    check_template,
    clear_logo,
    default_template,
    get_logo,
    get_template,
    render_html,
    reset_template,
    sample_document,
    save_template,
    set_logo,
)
from crm_desktop.services.sales.product_lines import LineInput
from crm_desktop.services.sales.products import products
from tests.test_customers import ALL_SALES

SALES = {**ALL_SALES, "contract": RECORD_ACTIONS, "opportunity": RECORD_ACTIONS, "product": ("view",)}
TODAY = dt.date(2026, 5, 20)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def make_rep(db: Database, admin: Actor, mobile: str, *, hidden: dict[str, tuple[str, ...]] | None = None) -> Actor:
    role = roles.create_role(db, admin, RoleInput(
        name=f"销售{mobile[-2:]}", permissions=frozenset((m, a) for m, acts in SALES.items() for a in acts),
        scopes={m: DataScope.SELF for m in ("customer", "contact", "lead", "opportunity", "contract", "followup")}))
    for entity, names in (hidden or {}).items():
        set_field_permissions(db, admin, role.id, entity, {n: Access.HIDDEN for n in names})
    users.create_user(db, admin, UserInput(mobile=mobile, name=f"李娜{mobile[-2:]}", department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    return auth.login(db, mobile, "abc12345")


def sale(db: Database, admin: Actor, rep: Actor) -> tuple[int, int, int]:
    """A customer with a contact, a contract signed by both sides and an opportunity (rep's)."""
    gw = products.create(db, admin, {"name": "工业网关", "code": "GW-100", "unit": "台", "price": "3280"})
    cab = products.create(db, admin, {"name": "PLC 控制柜", "code": "PLC-20", "unit": "套", "price": "18600"})
    cust = customers.create(db, rep, {"name": "厦门鹭岛机电设备有限公司", "address": "湖里区高新园 18 号",
                                      "phone": "0592-5551234"})
    wang = contacts.create(db, rep, {"customer_id": cust.id, "name": "王建国", "mobile": "13905921234",
                                     "position": "采购经理"})
    lines = [LineInput(gw.id, "3280.00", "10", "5"), LineInput(cab.id, "18600.00", "3"),
             LineInput(None, "1380.00", "8", product_name="现场安装调试")]
    c = contracts.create(db, rep, {"name": "二期自动化改造", "customer_id": cust.id, "customer_signer_id": wang.id,
                                   "our_signer_id": rep.user_id, "order_date": "2026-05-18",
                                   "payment_terms": "签约后付 50%\n验收后付 50%"}, lines=lines)
    o = opportunities.create(db, rep, {"name": "三期报价", "customer_id": cust.id}, lines=lines[:2],
                             contact_ids=[wang.id])
    return c.id, o.id, cust.id


def test_contract_and_quotation_print_data(db: Database, admin: Actor) -> None:
    rep = make_rep(db, admin, "13700000001")
    contract_id, opportunity_id, _cust = sale(db, admin, rep)

    doc = contract_print_data(db, rep, contract_id, today=TODAY)
    assert doc.kind == "contract" and doc.company_name == "厦门星辰科技有限公司"
    assert doc.number == contracts.get(db, rep, contract_id).values["number"] and doc.number
    assert (doc.customer.name, doc.customer.address, doc.customer.phone) == (
        "厦门鹭岛机电设备有限公司", "湖里区高新园 18 号", "0592-5551234")
    assert (doc.contact.name, doc.contact.mobile, doc.contact.position) == ("王建国", "13905921234", "采购经理")
    assert doc.our_signer == "李娜01" and doc.owner_name == "李娜01"
    assert [(l.position, l.product, l.unit, l.quantity, l.price, l.discount, l.amount) for l in doc.lines] == [
        (1, "工业网关", "台", Decimal("10"), Decimal("3280.00"), Decimal("5"), Decimal("31160.00")),
        (2, "PLC 控制柜", "套", Decimal("3"), Decimal("18600.00"), Decimal("0"), Decimal("55800.00")),
        (3, "现场安装调试", "", Decimal("8"), Decimal("1380.00"), Decimal("0"), Decimal("11040.00"))]
    assert doc.total == Decimal("98000.00") and doc.total_in_words == "玖万捌仟元整"
    assert doc.order_date == dt.date(2026, 5, 18) and doc.print_date == TODAY
    assert doc.payment_terms == "签约后付 50%\n验收后付 50%"

    quote = quotation_print_data(db, rep, opportunity_id, today=TODAY)
    assert quote.kind == "quotation" and quote.number == "" and quote.name == "三期报价"
    assert quote.contact.name == "王建国" and quote.our_signer == "李娜01"
    assert [l.product for l in quote.lines] == ["工业网关", "PLC 控制柜"]
    assert quote.total == Decimal("86960.00") and quote.total_in_words == "捌万陆仟玖佰陆拾元整"

    html = render_html(default_template("contract", "zh_CN"), doc)
    for text in ("玖万捌仟元整", "工业网关", "31,160.00", "¥98,000.00", "厦门鹭岛机电设备有限公司", doc.number,
                 "签约后付 50%<br/>验收后付 50%", "王建国"):
        assert text in html
    assert "{{" not in html and "<img" not in html  # no logo: nothing in its place
    assert f'<img src="{LOGO_URL}"' in render_html(default_template("quotation", "en"), quote, has_logo=True)


def test_printing_follows_scope_and_field_permissions(db: Database, admin: Actor) -> None:
    rep = make_rep(db, admin, "13700000001")
    contract_id, opportunity_id, _cust = sale(db, admin, rep)
    other = make_rep(db, admin, "13700000002")
    with pytest.raises(NotFound):
        contract_print_data(db, other, contract_id)
    with pytest.raises(NotFound):
        quotation_print_data(db, other, opportunity_id)

    # A team member of the contract sees the contract, not the customer or its contact: those
    # parts print empty, never a name from outside the scope.
    contracts.set_team_member(db, rep, contract_id, user_id=other.user_id, access="read")
    doc = contract_print_data(db, other, contract_id)
    assert doc.name == "二期自动化改造" and doc.total == Decimal("98000.00")
    assert doc.customer.name == "" and doc.contact.name == ""
    html = render_html(default_template("contract", "zh_CN"), doc)
    assert "厦门鹭岛机电设备有限公司" not in html and "王建国" not in html

    # Hidden fields print empty; a hidden amount hides the prices and the words too.
    hidden = make_rep(db, admin, "13700000003", hidden={"contract": ("amount", "payment_terms"),
                                                       "customer": ("address",), "contact": ("mobile",)})
    contracts.transfer(db, admin, [contract_id], new_owner_id=hidden.user_id)
    customers.transfer(db, admin, [_cust], new_owner_id=hidden.user_id)
    contacts.transfer(db, admin, contacts.visible_ids(db, admin), new_owner_id=hidden.user_id)
    doc = contract_print_data(db, hidden, contract_id)
    assert doc.customer.name == "厦门鹭岛机电设备有限公司" and doc.customer.address == ""
    assert doc.contact.name == "王建国" and doc.contact.mobile == ""
    assert doc.total is None and doc.total_in_words == "" and doc.payment_terms == ""
    assert all(l.price is None and l.amount is None for l in doc.lines) and doc.lines[0].product == "工业网关"
    html = render_html(default_template("contract", "zh_CN"), doc)
    assert "98,000" not in html and "玖万捌仟" not in html and "3,280" not in html and "工业网关" in html

    role = roles.create_role(db, admin, RoleInput(name="只看客户", permissions=frozenset({("customer", "view")})))
    users.create_user(db, admin, UserInput(mobile="13700000004", name="王", department_id=admin.department_id,
                                           role_ids=(role.id,)), password="abc12345")
    no_view = auth.login(db, "13700000004", "abc12345")
    with pytest.raises(PermissionDenied):
        contract_print_data(db, no_view, contract_id)
    with pytest.raises(PermissionDenied):
        get_template(db, no_view, "contract")


def test_every_record_value_is_escaped(db: Database, admin: Actor) -> None:
    cust = customers.create(db, admin, {"name": '<b>Evil</b> & "Co" <img src="x">'})
    o = opportunities.create(db, admin, {"name": "<script>alert(1)</script>", "customer_id": cust.id,
                                         "remark": "<table>"},
                             lines=[LineInput(None, "1", "1", product_name="<i>零件</i>")])
    html = render_html(default_template("quotation", "zh_CN"), quotation_print_data(db, admin, o.id))
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; &quot;Co&quot; &lt;img src=&quot;x&quot;&gt;" in html
    assert "&lt;script&gt;" in html and "&lt;i&gt;零件&lt;/i&gt;" in html
    assert "<script>" not in html and "<i>" not in html and '<img src="x">' not in html
    assert html.count("<table") == default_template("quotation", "zh_CN").count("<table")


def test_templates_are_settings_the_administrator_edits(db: Database, admin: Actor) -> None:
    rep = make_rep(db, admin, "13700000001")
    got = get_template(db, rep, "contract", language="en")
    assert got.is_default and "Sales Contract" in got.html
    assert "销售合同" in get_template(db, rep, "contract").html and "报价单" in get_template(db, rep, "quotation").html

    mine = "<h1>{{company_name}}</h1><table>{{#lines}}<tr><td>{{line.product}}</td></tr>{{/lines}}</table>" \
           "<p>{{ total_in_words }}</p>"
    with pytest.raises(PermissionDenied):
        save_template(db, rep, "contract", mine)
    saved = save_template(db, admin, "contract", mine)
    assert not saved.is_default
    assert get_template(db, rep, "contract", language="en").html == mine  # stored: the language no longer matters
    assert get_template(db, rep, "quotation").is_default  # each kind its own
    contract_id, _o, _c = sale(db, admin, rep)
    html = render_html(get_template(db, rep, "contract").html, contract_print_data(db, rep, contract_id))
    assert html == ("<h1>厦门星辰科技有限公司</h1><table><tr><td>工业网关</td></tr><tr><td>PLC 控制柜</td></tr>"
                    "<tr><td>现场安装调试</td></tr></table><p>玖万捌仟元整</p>")

    for bad, word in (("{{customer}}", "{{customer}}"), ("{{#lines}}x", "{{/lines}}"), ("{{/lines}}", "{{/lines}}"),
                      ("{{line.product}}", "{{line.product}}"), ("{{#lines}}{{#lines}}{{/lines}}", "")):
        with pytest.raises(RuleViolation) as err:
            save_template(db, admin, "contract", bad)
        assert word in str(err.value)
    with pytest.raises(ValidationError):
        save_template(db, admin, "contract", "   ")
    with pytest.raises(ValidationError):
        save_template(db, admin, "invoice", mine)
    assert get_template(db, rep, "contract").html == mine  # nothing stored by a refused save

    with pytest.raises(PermissionDenied):
        reset_template(db, rep, "contract")
    reset_template(db, admin, "contract")
    assert get_template(db, rep, "contract").is_default


def test_the_logo(db: Database, admin: Actor) -> None:
    rep = make_rep(db, admin, "13700000001")
    assert get_logo(db, rep) is None
    with pytest.raises(PermissionDenied):
        set_logo(db, rep, PNG)
    with pytest.raises(ValidationError):
        set_logo(db, admin, b"%PDF-1.4 not a picture")
    with pytest.raises(RuleViolation):
        set_logo(db, admin, PNG + b"\x00" * (600 * 1024))
    set_logo(db, admin, PNG, filename="logo.png")
    assert get_logo(db, rep) == PNG
    set_logo(db, admin, b"\xff\xd8\xff\xe0jpeg")
    assert get_logo(db, rep) == b"\xff\xd8\xff\xe0jpeg"
    with pytest.raises(PermissionDenied):
        clear_logo(db, rep)
    clear_logo(db, admin)
    assert get_logo(db, rep) is None


def test_default_templates_and_the_sample_pass_their_own_check() -> None:
    for kind in ("contract", "quotation"):
        for language in ("zh_CN", "en", "fr"):
            template = default_template(kind, language)
            check_template(template)
            html = render_html(template, sample_document(kind, today=TODAY))
            assert "{{" not in html and "玖万捌仟元整" in html and html.count("<tr><td align=\"center\">") == 3
    assert default_template("contract", "fr") == default_template("contract", "zh_CN")
