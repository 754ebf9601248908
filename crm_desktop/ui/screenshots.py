"""Render the main screens to PNG, in each language, from a demo company.

Used by ``crm-admin screenshot DIR`` (documentation, release notes) and by the tests that
look at what a user sees. Works offscreen (``QT_QPA_PLATFORM=offscreen``).

Thread rule: GUI thread; it drives the op runner until all background reads are done.
"""
from __future__ import annotations

import os
import tempfile
from typing import Any
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from crm_desktop.config import Config, local_profile
from crm_desktop.db import Database, open_database
from crm_desktop.services.actor import Actor
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.context import make_context

SIZE = (1280, 800)
BACKDROP = QColor("#dfe4ea")  # dialogs are shown centred on a plain "desktop"
SCREENS = (
    "login", "first-run", "workbench", "customers", "customer-detail", "leads", "contacts", "pool",
    "admin-users", "admin-roles", "admin-departments", "admin-pools", "admin-custom-fields",
    "admin-dictionaries", "admin-field-permissions", "messages", "admin-automation",
    "admin-approval-flows", "record-approval", "my-approvals", "contract-detail", "contract-approvals", "payments",
    "execution-settings", "opportunities", "opportunity-detail",
)


def _app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        # A command-line run has no display to spare: draw offscreen.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([])
    assert isinstance(app, QApplication)
    return app


def settle(app: QApplication, *, rounds: int = 50) -> None:
    """Let background reads finish and their results arrive, until nothing is pending."""
    quiet = 0
    for _ in range(rounds):
        ops.wait_idle()
        app.processEvents()
        quiet = quiet + 1 if ops.running_count() == 0 else 0
        if quiet >= 3:  # a result may start another read: wait for a few quiet rounds
            return


def _save_window(widget: QWidget, path: Path) -> Path:
    widget.resize(*SIZE)
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")
    return path


def _save_dialog(dialog: QDialog, path: Path) -> Path:
    picture = QPixmap(*SIZE)
    picture.fill(BACKDROP)
    shot = dialog.grab()
    painter = QPainter(picture)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    origin = QPoint((SIZE[0] - shot.width()) // 2, (SIZE[1] - shot.height()) // 2)
    painter.setPen(QColor("#9aa3ad"))
    painter.drawRect(origin.x() - 1, origin.y() - 1, shot.width() + 1, shot.height() + 1)
    painter.drawPixmap(origin, shot)
    painter.end()
    if not picture.save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")
    return path


def _default_populate(db: Database) -> Actor:
    from crm_desktop.services.demo import create_demo_company
    from crm_desktop.services.schema import CustomFieldInput, FieldType, create_custom_field

    actor = create_demo_company(db, users=12, customers=300)
    # Two custom fields, as a company adds them: the custom field page then shows some.
    create_custom_field(db, actor, "customer", CustomFieldInput(
        "年采购预算", FieldType.MONEY, help_text="客户一年内计划采购的金额（元）"))
    create_custom_field(db, actor, "customer", CustomFieldInput("合同到期日", FieldType.DATE))
    _write_messages(db, actor)
    _add_seed_rule(db, actor)
    _add_registration_flow(db, actor)
    _add_approvals(db, actor)
    _add_sales(db, actor)
    return actor


#: The contract shown on the "contract-detail" screen (lines, plans, a payment, its approval history).
SHOWN_OPPORTUNITY = "厦门海晟物流仓储系统升级"
SHOWN_CONTRACT = "鹭岛机电二期自动化改造"


def _add_sales(db: Database, actor: Actor) -> None:
    """Contracts with lines through their approval flow, execution stages with a gated and a
    notifying change, payment plans and approved payments (all through the services)."""
    import datetime as dt

    from crm_desktop.services import approvals, automation, payments, products
    from crm_desktop.services import contracts as contract_ops
    from crm_desktop.services.customers import customers
    from crm_desktop.services.product_lines import LineInput

    rows = customers.list_page(db, actor, sort="id", descending=False, limit=6).rows
    if not rows:
        return
    made = [products.products.create(db, actor, values) for values in (
        {"name": "工业网关", "code": "GW-100", "unit": "台", "price": "3280.00"},
        {"name": "PLC 控制柜", "code": "PLC-20", "unit": "套", "price": "18600.00"},
        {"name": "现场安装调试", "code": "SRV-01", "unit": "人天", "price": "1200.00"})]
    node = {"name": "销售经理审批", "mode": "orsign", "approver": {"kind": "users", "users": [actor.user_id]}}
    flow = approvals.create_flow(db, actor, approvals.FlowInput(
        name="合同审批", entity="contract", binding="create",
        branches=({"name": "全部合同", "condition": {}, "nodes": [node]},)))
    approvals.create_flow(db, actor, approvals.FlowInput(
        name="投产审批", entity="contract", binding="status", status_field="execution_status",
        from_status="confirmed", to_status="producing", branches=({"name": "全部合同", "condition": {}, "nodes": [node]},)))
    automation.create_rule(db, actor, automation.RuleInput(
        name="准备发货通知仓库", entity="contract", event="status_changed", field="execution_status", to_value="ready",
        actions=({"type": "message", "to": "owner", "title": "准备发货：{number} {name}", "body": ""},)))

    def decide_all(approve: bool, comment: str = "") -> None:
        for item in approvals.my_approvals(db, actor, "pending"):
            if item.task_id is not None and item.entity == "contract":
                approvals.decide(db, actor, item.task_id, approve=approve, comment=comment)

    today = dt.date.today()
    for n, customer in enumerate(rows[:5]):
        name = SHOWN_CONTRACT if n == 0 else f"{customer.values.get('name')}年度合同"
        lines = [LineInput(made[0].id, "3280.00", str(4 + n), "5"), LineInput(made[1].id, "18600.00", "1"),
                 LineInput(made[2].id, "1200.00", "3")]
        c = contract_ops.contracts.create(db, actor, {
            "name": name, "customer_id": customer.id, "order_date": (today - dt.timedelta(days=20 - n)).isoformat(),
            "payment_terms": "签约后付 50%，验收后付 50%"}, lines=lines)
        if n == 4:
            continue  # one draft
        contract_ops.submit(db, actor, c.id)
        if n == 0:  # rejected once, then resubmitted and approved: a history worth showing
            decide_all(False, "付款条件请写明验收期限")
            contract_ops.contracts.update(db, actor, c.id, expected_version=contract_ops.contracts.get(
                db, actor, c.id).version, changes={"payment_terms": "签约后付 50%，验收合格后 30 日内付 50%"})
            contract_ops.submit(db, actor, c.id)
        if n == 3:
            continue  # one waiting for approval
        decide_all(True, "同意")
        amount = contract_ops.contracts.get(db, actor, c.id).values["amount"]
        half = (amount / 2).quantize(amount)
        first = payments.add_plan(db, actor, c.id, payments.PlanInput(
            1, str(half), today - dt.timedelta(days=5), "transfer", remind_days=3))
        payments.add_plan(db, actor, c.id, payments.PlanInput(
            2, str(amount - half), today + dt.timedelta(days=40), "transfer", remind_days=7))
        paid = half if n != 1 else (half / 2).quantize(amount)
        p = payments.payments.create(db, actor, {"contract_id": c.id, "plan_id": first.id, "amount": str(paid),
                                                 "paid_date": (today - dt.timedelta(days=4)).isoformat(),
                                                 "method": "transfer"})
        payments.submit(db, actor, p.id)
        if n == 0:
            contract_ops.set_execution_status(db, actor, c.id, "producing")
            decide_all(True)
    del flow
    _add_opportunities(db, actor, rows, made)


def _add_opportunities(db: Database, actor: Actor, rows: list[Any], made: list[Any]) -> None:
    """Opportunities at different stages (one lost with its reason), with product lines."""
    from crm_desktop.services import opportunities as opp_ops
    from crm_desktop.services.product_lines import LineInput

    for n, customer in enumerate(rows[:4]):
        name = SHOWN_OPPORTUNITY if n == 0 else f"{customer.values.get('name')}设备采购"
        o = opp_ops.opportunities.create(db, actor, {"name": name, "customer_id": customer.id}, lines=[
            LineInput(made[0].id, "3180.00", str(10 + 5 * n), "3"), LineInput(made[2].id, "1200.00", str(2 + n))])
        for note in ("需求已确认", "已发报价单")[: 2 - n % 3]:
            opp_ops.advance(db, actor, o.id, note=note)
        if n == 3:
            opp_ops.lose(db, actor, o.id, reason="客户预算取消")


def _add_registration_flow(db: Database, actor: Actor) -> None:
    """The seed documents' customer registration (报备) approval; added last, so that the demo
    customers created above are not waiting for it."""
    from crm_desktop.services import approvals

    approvals.install_registration_example(db, actor)


#: The registration shown on the "record-approval" screen: rejected once, resubmitted.
RESUBMITTED_CUSTOMER = "福州闽侯精密机械有限公司"


def _add_approvals(db: Database, actor: Actor) -> None:
    """Registrations under way, with the administrator as the Fujian head: one rejected with a
    comment and resubmitted after the fix, one waiting, one approved."""
    from crm_desktop.services import approvals, auth, roles, users
    from crm_desktop.services.customers import customers
    from crm_desktop.services.demo import DEMO_PASSWORD

    fujian = next((r.id for r in roles.list_roles(db, actor) if r.name == approvals.REGISTRATION_ROLES[0]), None)
    if fujian is None or not any(f.binding == "create" for f in approvals.list_flows(db, actor, entity="customer")):
        return
    me = users.get_user(db, actor, actor.user_id)
    users.update_user(db, actor, me.id, users.UserInput(
        mobile=me.mobile, name=me.name, department_id=me.department_id, gender=me.gender, email=me.email,
        position=me.position, superior_id=me.superior_id, role_ids=(*me.role_ids, fujian)))
    try:
        rep = auth.login(db, "13850001004", DEMO_PASSWORD)  # 郑伟, a Fujian sales representative
    except Exception:  # noqa: BLE001 - a demo without him: no approvals on the screens
        return

    def waiting(name: str) -> int:
        item = next(i for i in approvals.my_approvals(db, actor, "pending") if i.record_name == name)
        assert item.task_id is not None
        return item.task_id

    first = customers.create(db, rep, {"name": RESUBMITTED_CUSTOMER, "province": "福建省", "city": "福州市"})
    approvals.decide(db, actor, waiting(RESUBMITTED_CUSTOMER), approve=False,
                     comment="缺少联系电话，补充后重新提交。")
    fresh = customers.get(db, rep, first.id)
    customers.update(db, rep, first.id, expected_version=fresh.version,
                     changes={"mobile": "13905912468"})
    [mine] = [i for i in approvals.my_approvals(db, rep, "submitted") if i.record_id == first.id]
    approvals.resubmit(db, rep, mine.instance_id)
    customers.create(db, rep, {"name": "泉州安溪铁观音茶业有限公司", "province": "福建省", "city": "泉州市"})
    customers.create(db, rep, {"name": "厦门鹭岛跨境电商有限公司", "province": "福建省", "city": "厦门市"})
    approvals.decide(db, actor, waiting("厦门鹭岛跨境电商有限公司"), approve=True, comment="同意报备，注意与老客户撞单。")


def _add_seed_rule(db: Database, actor: Actor) -> None:
    """The seed documents' example trigger: a customer registered with at least 10,000,000 of
    capital becomes level A and the sales managers are told."""
    from crm_desktop.services import automation, roles
    from crm_desktop.services.schema import CustomFieldInput, FieldType, create_custom_field

    capital = create_custom_field(db, actor, "customer", CustomFieldInput("注册资本", FieldType.MONEY)).name
    managers = next((r.id for r in roles.list_roles(db, actor) if r.name == "销售经理"), None)
    to: dict[str, object] = {"to": "role", "role_id": managers} if managers is not None else {"to": "superior"}
    automation.create_rule(db, actor, automation.RuleInput(
        name="大客户定级", entity="customer", event="created",
        condition={"match": "all", "groups": [
            {"match": "all", "conditions": [{"field": capital, "op": "gte", "value": "10000000"}]}]},
        actions=({"type": "set_field", "field": "level", "value": "A"},
                 {"type": "message", **to, "title": "{name} 注册资本过千万",
                  "body": "注册资本 {%s}，请安排跟进。" % capital}),
    ))


def render_screens(
    out_dir: Path,
    *,
    languages: tuple[str, ...] = ("zh_CN", "en"),
    populate: Callable[[Database], Actor] | None = None,
) -> list[Path]:
    """Write ``{lang}-{screen}.png`` (1280×800) for every language; returns the files.

    A temporary SQLite database is filled by ``populate`` (default: the demo company with
    12 users and 300 customers) and removed afterwards. A language without a translation
    file renders in English. The language in use before the call is restored.
    """
    app = _app()
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = i18n.current_language()
    written: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="crm-screens-") as tmp:
        db_file = Path(tmp) / "demo.sqlite3"
        db = open_database(f"sqlite:///{db_file}")
        try:
            actor = (populate or _default_populate)(db)
            for language in languages:
                i18n.install_language(language)
                written += _render_language(app, out_dir, language, db, db_file, actor)
        finally:
            ops.wait_idle()
            db.dispose()
            i18n.install_language(previous)
    return written


def _render_language(
    app: QApplication, out_dir: Path, language: str, db: Database, db_file: Path, actor: Actor
) -> list[Path]:
    from crm_desktop.ui.first_run import FirstRunDialog
    from crm_desktop.ui.login import LoginDialog
    from crm_desktop.ui.main_window import MainWindow

    def name(screen: str) -> Path:
        return out_dir / f"{language}-{screen}.png"

    written: list[Path] = []
    settings = Config(profiles=[local_profile(str(db_file))], last_mobile=actor.mobile, path=None)
    login = LoginDialog(settings)
    login.show()
    settle(app)
    written.append(_save_dialog(login, name("login")))
    login.reject()
    login.deleteLater()  # delete on the GUI thread now, not whenever Python drops it

    first = FirstRunDialog(db)
    first.show()
    settle(app)
    written.append(_save_dialog(first, name("first-run")))
    first.reject()
    first.deleteLater()

    window = MainWindow(make_context(db, actor), settings=Config(path=None))
    window.resize(*SIZE)
    window.show()
    settle(app)
    written.append(_save_window(window, name("workbench")))
    for tab in ("customers", "leads", "contacts", "pool"):
        if tab in window.tab_keys():
            window.show_tab(tab)
            settle(app)
            written.append(_save_window(window, name(tab)))
            if tab == "customers":
                written += _render_detail(app, window, name("customer-detail"))
    if "payments" in window.tab_keys():
        window.show_tab("payments")
        settle(app)
        written.append(_save_window(window, name("payments")))
    written += _render_contract(app, window, name("contract-detail"), name("contract-approvals"))
    written += _render_opportunity(app, window, name("opportunities"), name("opportunity-detail"))
    written += _render_messages(app, window, name("messages"))
    written += _render_approvals(app, window, name("record-approval"), name("my-approvals"))
    area = window.admin_area
    if area is not None:
        window.show_tab("admin")
        for key, screen in (
            ("user", "admin-users"), ("role", "admin-roles"), ("department", "admin-departments"),
            ("pool", "admin-pools"), ("custom_field", "admin-custom-fields"), ("dictionary", "admin-dictionaries"),
            ("field_permission", "admin-field-permissions"), ("automation", "admin-automation"),
            ("approval_flow", "admin-approval-flows"), ("execution_stage", "execution-settings"),
        ):
            if key not in area.page_keys():
                continue
            page = area.show_page(key)
            settle(app)
            if key == "role":
                _select_example_role(page)
                settle(app)
            if key == "automation":
                written += _render_rule_editor(app, page, name(screen))
                continue
            if key == "approval_flow" and getattr(page, "flows", None):
                written += _render_flow_designer(app, page, name(screen))
                continue
            written.append(_save_window(window, name(screen)))
    window.close_without_asking()
    window.deleteLater()
    settle(app)
    return written


def _write_messages(db: Database, actor: Actor) -> None:
    """Messages for the message centre, written as a company gets them: trigger rules that
    tell the owner about new records fire while the actor creates a few; the oldest are read."""
    from crm_desktop.services import automation
    from crm_desktop.services.customers import customers
    from crm_desktop.services.leads import leads

    automation.create_rule(db, actor, automation.RuleInput(
        name="新客户提醒负责人", entity="customer", event="created",
        actions=({"type": "message", "to": "owner", "title": "新客户待首次跟进：{name}",
                  "body": "客户“{name}”已建档，负责人是你。请在 24 小时内完成首次跟进并记录联系结果。"},)))
    automation.create_rule(db, actor, automation.RuleInput(
        name="新线索提醒负责人", entity="lead", event="created",
        actions=({"type": "message", "to": "owner", "title": "新线索：{name}（{contact_name}）",
                  "body": "联系人 {contact_name}，手机 {mobile}。线索来自官网留言，请尽快电话联系。"},)))
    customers.create(db, actor, {"name": "泉州恒信纺织有限公司"})
    leads.create(db, actor, {"name": "漳州绿源农业科技", "contact_name": "陈丽华", "mobile": "13906051234"})
    customers.create(db, actor, {"name": "厦门海晟物流有限公司"})
    leads.create(db, actor, {"name": "福州闽江建材商行", "contact_name": "林志强", "mobile": "13805917788"})
    customers.create(db, actor, {"name": "龙岩金山矿业设备有限公司"})
    oldest = sorted(m.id for m in automation.list_messages(db, actor))[:2]
    automation.mark_read(db, actor, oldest)


def _render_messages(app: QApplication, window: QWidget, path: Path) -> list[Path]:
    """The main window with the message centre open over it, a read message selected."""
    open_messages = getattr(window, "open_messages", None)
    if open_messages is None:
        return []
    window.show_tab("workbench")  # type: ignore[attr-defined]
    centre = open_messages()
    settle(app)
    read = next((m for m in centre.messages if m.read), None)
    if read is not None:  # a read one: selecting an unread message would mark it read
        centre.select_message(read.id)
        settle(app)
    try:
        window.resize(*SIZE)
        picture = window.grab()
        shot = centre.grab()
        painter = QPainter(picture)
        origin = QPoint((picture.width() - shot.width()) // 2, (picture.height() - shot.height()) // 2 + 20)
        painter.setPen(QColor("#9aa3ad"))
        painter.drawRect(origin.x() - 1, origin.y() - 1, shot.width() + 1, shot.height() + 1)
        painter.drawPixmap(origin, shot)
        painter.end()
        if not picture.save(str(path), "PNG"):
            raise OSError(f"cannot write {path}")
        return [path]
    finally:
        centre.close()
        settle(app)


def _render_detail(app: QApplication, window: QWidget, path: Path) -> list[Path]:
    """The detail window of a listed customer that has been followed up (a full header and tabs)."""
    from crm_desktop.ui.records.detail_page import open_detail

    tab = getattr(window, "customers_tab", None)
    model = getattr(tab, "model", None)
    if tab is None or model is None or model.rowCount() == 0:
        return []
    rows = [model.record(r) for r in range(model.rowCount())]
    chosen = next((r for r in rows if r.values.get("last_followup_at") and r.values.get("level")), rows[0])
    detail = open_detail(tab.ctx, "customer", chosen.id, parent=window)
    detail.resize(*SIZE)
    settle(app)
    try:
        return [_save_window(detail, path)]
    finally:
        detail.close()
        settle(app)


def _render_contract(app: QApplication, window: QWidget, path: Path, approvals_path: Path) -> list[Path]:
    """The demo contract with lines on its detail page, its approval history tab shown beside."""
    from crm_desktop.ui.records.detail_page import open_detail

    tab = getattr(window, "contracts_tab", None)
    model = getattr(tab, "model", None)
    if tab is None or model is None:
        return []
    found = [model.record(r) for r in range(model.rowCount()) if model.record(r).values.get("name") == SHOWN_CONTRACT]
    if not found:
        return []
    detail = open_detail(tab.ctx, "contract", found[0].id, parent=window)
    detail.resize(*SIZE)
    settle(app)
    try:
        detail.tabs.setCurrentWidget(detail.tab("contract_lines"))
        settle(app)
        written = [_save_window(detail, path)]
        detail.tabs.setCurrentWidget(detail.tab("approvals"))
        settle(app)
        written.append(_save_window(detail, approvals_path))
        return written
    finally:
        detail.close()
        settle(app)


def _render_opportunity(app: QApplication, window: Any, list_path: Path, detail_path: Path) -> list[Path]:
    """The opportunity list, then the shown opportunity's detail with its stage bar."""
    from crm_desktop.ui.records.detail_page import open_detail

    if "opportunities" not in window.tab_keys():
        return []
    tab = window.show_tab("opportunities")
    settle(app)
    written = [_save_window(window, list_path)]
    model = getattr(tab, "model", None)
    found = [model.record(r) for r in range(model.rowCount())
             if model.record(r).values.get("name") == SHOWN_OPPORTUNITY] if model is not None else []
    if not found:
        return written
    detail = open_detail(tab.ctx, "opportunity", found[0].id, parent=window)
    detail.resize(*SIZE)
    settle(app)
    try:
        written.append(_save_window(detail, detail_path))
        return written
    finally:
        detail.close()
        settle(app)


def _render_approvals(app: QApplication, window: QWidget, record_path: Path, list_path: Path) -> list[Path]:
    """A resubmitted registration on its customer's approvals tab; then "My approvals"."""
    from crm_desktop.ui.records.detail_page import open_detail

    page = getattr(window, "approvals_tab", None)
    if page is None:
        return []
    written: list[Path] = []
    window.show_tab("approvals")  # type: ignore[attr-defined]
    settle(app)
    item = next((i for i in page.items if i.record_name == RESUBMITTED_CUSTOMER), None)
    if item is not None:
        detail = open_detail(page.ctx, item.entity, item.record_id, parent=window)
        detail.resize(*SIZE)
        detail.tabs.setCurrentWidget(detail.tab("approvals"))
        settle(app)
        try:
            written.append(_save_window(detail, record_path))
        finally:
            detail.close()
            settle(app)
    if page.items:
        page.select_item(page.items[0].instance_id)
    written.append(_save_window(window, list_path))
    return written


def _render_rule_editor(app: QApplication, page: QWidget, path: Path) -> list[Path]:
    """The rule editor open on a rule with a condition and several actions (the seed example)."""
    rules = getattr(page, "rules", [])
    if not rules:
        return []
    example = max(rules, key=lambda r: (bool(r.condition), len(r.actions)))
    page.select_rule(example.id)  # type: ignore[attr-defined]
    dialog = page.edit_current()  # type: ignore[attr-defined]
    settle(app)
    try:
        return [_save_dialog(dialog, path)]
    finally:
        dialog.reject()
        settle(app)


def _render_flow_designer(app: QApplication, page: QWidget, path: Path) -> list[Path]:
    """The approval flow designer open on the flow with the most branches (the registration example)."""
    flows = getattr(page, "flows", [])
    example = max(flows, key=lambda f: (len(f.branches), f.id))
    page.select_flow(example.id)  # type: ignore[attr-defined]
    dialog = page.edit_current()  # type: ignore[attr-defined]
    settle(app)
    try:
        return [_save_dialog(dialog, path)]
    finally:
        dialog.reject()
        settle(app)


def _select_example_role(page: QWidget) -> None:
    """Show a sales role: its matrix has both ticked and empty boxes, and a data scope."""
    roles = [r for r in getattr(page, "roles", []) if not r.is_super]
    if roles:
        best = max(roles, key=lambda r: (sum(m == "customer" for m, _a in r.permissions), len(r.permissions)))
        page.select_role(best.id)  # type: ignore[attr-defined]
