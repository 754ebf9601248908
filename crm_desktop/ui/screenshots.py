"""Render the main screens to PNG, in each language, from a demo company.

Used by ``crm-admin screenshot DIR`` (documentation, release notes) and by the tests that
look at what a user sees. Works offscreen (``QT_QPA_PLATFORM=offscreen``).

Thread rule: GUI thread; it drives the op runner until all background reads are done.
"""
from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QMessageLogContext,
    QPoint,
    Qt,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QDialog, QWidget

from crm_desktop.bootstrap import bootstrap
from crm_desktop.config import Config, local_profile
from crm_desktop.db import Database
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.ui import i18n, ops
from crm_desktop.ui.context import make_context
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail

SIZE = (1280, 800)
#: Called with each screen as it is saved (name, widget, whether the renderer resized it to
#: SIZE): the layout check looks at every screen this module renders, by construction.
Inspector = Callable[[str, QWidget, bool], None]
_inspectors: list[Inspector] = []
BACKDROP = QColor("#dfe4ea")  # dialogs are shown centred on a plain "desktop"
SCREENS = (
    "login", "first-run", "workbench", "customers", "customer-detail", "leads", "contacts", "pool",
    "admin-users", "admin-roles", "admin-roles-custom", "admin-departments", "admin-pools", "admin-custom-fields",
    "admin-dictionaries", "admin-field-permissions", "messages", "admin-automation",
    "admin-approval-flows", "record-approval", "my-approvals", "contract-detail", "contract-approvals", "payments",
    "execution-settings", "opportunities", "opportunity-detail", "opportunity-board", "print-preview",
    "admin-print-templates", "approval-decision", "contract-form", "about", "opportunity-contracts",
    "contract-followups", "admin-rule-related", "admin-number-rules", "customer-transfer",
    "contract-transfer", "choose-approver",
    "customer-form-changed", "connection-lost",
    "dashboard-rep", "dashboard-manager", "dashboard-gm", "admin-targets",
    "tasks", "task-form", "calendar-month", "calendar-week", "event-form", "customer-timeline",
    "import-file", "import-sheet", "import-mapping", "import-options", "import-dry-run", "import-result",
    "todo-list",
)


def _quiet_offscreen(mode: QtMsgType, context: QMessageLogContext, message: str) -> None:
    """The offscreen platform says it cannot propagate size hints or raise a window for every
    window shown; that says nothing about the screens, so it is not printed."""
    if message.startswith("This plugin does not support"):
        return
    sys.stderr.write(message + "\n")


def app_instance() -> QApplication:
    app = QApplication.instance()
    if app is None:
        # A command-line run has no display to spare: draw offscreen.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        qInstallMessageHandler(_quiet_offscreen)
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


def _inspect(widget: QWidget, path: Path, *, resizable: bool) -> None:
    for inspector in _inspectors:
        inspector(path.stem, widget, resizable)


def _save_window(widget: QWidget, path: Path) -> Path:
    widget.resize(*SIZE)
    _inspect(widget, path, resizable=True)
    widget.resize(*SIZE)
    if not widget.grab().save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")
    return path


def _save_dialog(dialog: QDialog, path: Path) -> Path:
    _inspect(dialog, path, resizable=False)
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
    from crm_desktop.demo.company import create_demo_company
    from crm_desktop.services.records.schema import FieldType
    from crm_desktop.services.records.schema_admin import (
        CustomFieldInput,
        create_custom_field,
    )

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
    _add_related_rule(db, actor)  # after the demo's contracts: they are not rewritten by it
    _add_targets(db, actor)
    _add_activities(db, actor)
    return actor


def _add_targets(db: Database, actor: Actor) -> None:
    """This year's targets: the company's, and the Fujian branch's manager and rep (the
    dashboards then show completion against them; the target grid has rows filled)."""
    import datetime as dt
    from decimal import Decimal

    from crm_desktop.services.dashboard.targets import COMPANY, Subject, TargetKind, even_split, set_targets

    year = dt.date.today().year
    rows: dict[Any, Any] = {COMPANY: even_split(Decimal("12000000"))}
    for key, total in (("fj_mgr", "1800000"), ("fj_rep", "1200000")):
        person = _demo_user(db, key)
        if person is not None:
            rows[(Subject.USER, person.user_id)] = even_split(Decimal(total))
    for kind in (TargetKind.CONTRACT_AMOUNT, TargetKind.PAYMENTS):
        set_targets(db, actor, year, kind, rows)


def _add_activities(db: Database, actor: Actor) -> None:
    """Tasks in every bucket and a month of schedule (a weekly meeting, visits, an all-day
    event), some about the first listed customer, whose timeline is shown (issue 16)."""
    import datetime as dt

    from crm_desktop.services.activities.recurrence import Repeat
    from crm_desktop.services.activities.schedule import EventInput, create_event
    from crm_desktop.services.activities.tasks import TaskInput, create_task, set_done
    from crm_desktop.services.customers.customers import customers
    from crm_desktop.services.customers.followups import add_followup

    first = customers.list_page(db, actor, limit=1).rows
    about = (("customer", first[0].id),) if first else ()
    helper = _demo_user(db, "fj_rep") or _demo_user(db, "sales")
    helpers = (helper.user_id,) if helper is not None else ()
    today = dt.date.today()
    tz = dt.datetime.now().astimezone().tzinfo
    for title, due, priority, subtasks in (
        ("整理本周客户拜访纪要", None, "none", ()),
        ("准备鹭岛机电二期报价单", today, "high", (("核对设备清单", True), ("确认安装费用", False))),
        ("回访海晟物流仓储系统试用情况", today, "medium", ()),
        ("提交季度销售预测", today + dt.timedelta(days=3), "medium", ()),
        ("续签年度维保合同", today + dt.timedelta(days=20), "low", ()),
        ("催收第二期回款", today - dt.timedelta(days=2), "high", ()),
    ):
        create_task(db, actor, TaskInput(title=title, due_date=due, priority=priority, participant_ids=helpers,
                                         related=about if "报价" in title else (), subtasks=subtasks))
    done = create_task(db, actor, TaskInput(title="发送产品资料", due_date=today, related=about))
    set_done(db, actor, done.id)

    def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)

    monday = today - dt.timedelta(days=today.weekday())
    create_event(db, actor, EventInput(title="销售周例会", start_at=at(monday - dt.timedelta(weeks=4), 9, 30),
                                       end_at=at(monday - dt.timedelta(weeks=4), 10, 30), location="3 楼会议室",
                                       repeat=Repeat("weekly", weekdays=(0,)), reminders=(15,)))
    for offset, hour, title, kind in ((1, 14, "拜访鹭岛机电", "visit"), (2, 10, "海晟物流方案演示", "meeting"),
                                      (3, 16, "电话回访客户", "call"), (9, 9, "拜访厦门星辰科技", "visit"),
                                      (-6, 15, "合同评审会", "meeting")):
        day = monday + dt.timedelta(days=offset)
        create_event(db, actor, EventInput(title=title, start_at=at(day, hour), end_at=at(day, hour + 1, 30),
                                           kind=kind, participant_ids=helpers, related=about, reminders=(30,)))
    create_event(db, actor, EventInput(title="行业展会", start_at=at(monday + dt.timedelta(days=11), 0),
                                       end_at=at(monday + dt.timedelta(days=12), 0), all_day=True, kind="other"))
    if first:
        add_followup(db, actor, target_entity="customer", target_id=first[0].id, kind="phone",
                     content="电话沟通二期需求，约定下周上门", next_contact_at=at(monday + dt.timedelta(days=4), 10))


#: The contract shown on the "contract-detail" screen (lines, plans, a payment, its approval history).
SHOWN_OPPORTUNITY = "厦门海晟物流仓储系统升级"
SHOWN_CONTRACT = "鹭岛机电二期自动化改造"
#: The contract the sales director submitted that waits for the administrator ("approval-decision").
DECISION_CONTRACT = "控制柜扩容及安装调试"


def _add_sales(db: Database, actor: Actor) -> None:
    """Contracts with lines through the demo's approval flow (the administrator, who has no
    superior, decides its manager step), execution stages with a gated and a notifying change,
    payment plans and payments confirmed by finance (all through the services)."""
    import datetime as dt

    from crm_desktop.services.customers.customers import customers
    from crm_desktop.services.sales import contracts as contract_ops
    from crm_desktop.services.sales import payments, products
    from crm_desktop.services.sales.product_lines import LineInput
    from crm_desktop.services.workflow import approvals, automation

    rows = customers.list_page(db, actor, sort="id", descending=False, limit=6).rows
    if not rows:
        return
    made = [products.products.create(db, actor, values) for values in (
        {"name": "工业网关", "code": "GW-100", "unit": "台", "price": "3280.00"},
        {"name": "PLC 控制柜", "code": "PLC-20", "unit": "套", "price": "18600.00"},
        {"name": "现场安装调试", "code": "SRV-01", "unit": "人天", "price": "1200.00"})]
    node = {"name": "销售经理审批", "mode": "orsign", "approver": {"kind": "users", "users": [actor.user_id]}}
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

    finance = _demo_user(db, "finance")

    today = dt.date.today()
    for n, customer in enumerate(rows[:5]):
        name = SHOWN_CONTRACT if n == 0 else f"{customer.values.get('name')}年度合同"
        lines = [LineInput(made[0].id, "3280.00", str(4 + n), "5"), LineInput(made[1].id, "18600.00", "1"),
                 LineInput(made[2].id, "1200.00", "3")]
        c = contract_ops.contracts.create(db, actor, {
            "name": name, "customer_id": customer.id, "order_date": (today - dt.timedelta(days=20 - n)).isoformat(),
            "payment_terms": "签约后付 50%，验收后付 50%", "our_signer_id": actor.user_id}, lines=lines)
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
        if finance is not None and n != 2:  # one payment still waits for finance
            for item in approvals.my_approvals(db, finance, "pending"):
                if item.task_id is not None and item.record_id == p.id:
                    approvals.decide(db, finance, item.task_id, approve=True, comment="已到账")
        if n == 0:
            contract_ops.set_execution_status(db, actor, c.id, "producing")
            decide_all(True)
            _add_followups(db, actor, "contract", c.id, (
                (12, "phone", "与采购确认交货期：下月 15 日前分两批到货。"),
                (3, "visit", "上门核对控制柜安装位置，现场需预留 380V 电源。")))
    _add_opportunities(db, actor, rows, made)
    # One waiting for the administrator's decision (the sales director's manager is the general
    # manager): the "approval-decision" screen.
    rep = _demo_user(db, "sales")
    if rep is not None:
        mine = customers.list_page(db, rep, sort="id", descending=False, limit=1).rows
        if mine:
            waiting = contract_ops.contracts.create(db, rep, {
                "name": DECISION_CONTRACT, "customer_id": mine[0].id, "order_date": today.isoformat(),
                "payment_terms": "签约后付 30%，到货后付 60%，验收后付 10%"},
                lines=[LineInput(made[1].id, "18600.00", "2"), LineInput(made[2].id, "1200.00", "4")])
            contract_ops.submit(db, rep, waiting.id)


def _demo_user(db: Database, key: str) -> Actor | None:
    """A demo user by their key in ``demo.CORE`` (logged in), or None when the demo lacks them."""
    from crm_desktop.demo.company import CORE, DEMO_PASSWORD
    from crm_desktop.services.org import auth

    person = next((p for p in CORE if p.key == key), None)
    try:
        return auth.login(db, person.mobile, DEMO_PASSWORD) if person is not None else None
    except Exception:  # noqa: BLE001 - a smaller demo: the screens show less
        return None


def _add_opportunities(db: Database, actor: Actor, rows: list[Any], made: list[Any]) -> None:
    """Opportunities at different stages (one lost with its reason), with product lines."""
    from crm_desktop.services.sales import contracts as contract_ops
    from crm_desktop.services.sales import opportunities as opp_ops
    from crm_desktop.services.sales.product_lines import LineInput

    for n, customer in enumerate(rows[:4]):
        name = SHOWN_OPPORTUNITY if n == 0 else f"{customer.values.get('name')}设备采购"
        o = opp_ops.opportunities.create(db, actor, {"name": name, "customer_id": customer.id}, lines=[
            LineInput(made[0].id, "3180.00", str(10 + 5 * n), "3"), LineInput(made[2].id, "1200.00", str(2 + n))])
        for note in ("需求已确认", "已发报价单")[: 2 - n % 3]:
            opp_ops.advance(db, actor, o.id, note=note)
        if n == 3:
            opp_ops.lose(db, actor, o.id, reason="客户预算取消")
        if n == 0:  # its follow-ups and the draft contract made from it ("opportunity-contracts")
            _add_followups(db, actor, "opportunity", o.id, (
                (9, "visit", "现场调研仓库布局，客户希望分两期实施。"), (2, "phone", "报价已发，客户要求含三年维保。")))
            contract_ops.create_from_opportunity(db, actor, o.id)


def _add_followups(db: Database, actor: Actor, entity: str, record_id: int,
                   items: tuple[tuple[int, str, str], ...]) -> None:
    """Follow-ups on a record, ``(days ago, kind, content)`` each."""
    import datetime as dt

    from crm_desktop.services.customers.followups import add_followup

    now = dt.datetime.now(dt.UTC)
    for days, kind, content in items:
        add_followup(db, actor, target_entity=entity, target_id=record_id, kind=kind, content=content,
                     followed_at=now - dt.timedelta(days=days))


#: The rule on the "admin-rule-related" screen: a contract's approval updates its customer.
RELATED_RULE = "签约客户升为重点客户"


def _add_related_rule(db: Database, actor: Actor) -> None:
    """Seed 001's "adding a contract updates the related customer": an approved contract makes
    its customer a key account and tells the customer's owner."""
    from crm_desktop.services.workflow import automation

    automation.create_rule(db, actor, automation.RuleInput(
        name=RELATED_RULE, entity="contract", event="approval_approved",
        actions=({"type": "set_field", "on": "customer", "field": "level", "value": "A"},
                 {"type": "message", "on": "customer", "to": "owner", "title": "签约：{number} {name}",
                  "body": "合同金额 {amount}，客户已升为重点客户。"})))


def _add_registration_flow(db: Database, actor: Actor) -> None:
    """The seed documents' customer registration (报备) approval; added last, so that the demo
    customers created above are not waiting for it."""
    from crm_desktop.services.workflow import approvals

    approvals.install_registration_example(db, actor)


#: The registration shown on the "record-approval" screen: rejected once, resubmitted.
RESUBMITTED_CUSTOMER = "福州闽侯精密机械有限公司"


def _add_approvals(db: Database, actor: Actor) -> None:
    """Registrations under way, with the administrator as the Fujian head: one rejected with a
    comment and resubmitted after the fix, one waiting, one approved."""
    from crm_desktop.demo.company import DEMO_PASSWORD
    from crm_desktop.services.customers.customers import customers
    from crm_desktop.services.org import auth, roles, users
    from crm_desktop.services.workflow import approvals

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
    from crm_desktop.services.org import roles
    from crm_desktop.services.records.schema import FieldType
    from crm_desktop.services.records.schema_admin import (
        CustomFieldInput,
        create_custom_field,
    )
    from crm_desktop.services.workflow import automation

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
    inspect: Inspector | None = None,
) -> list[Path]:
    """Write ``{lang}-{screen}.png`` (1280×800) for every language; returns the files.

    A temporary SQLite database is filled by ``populate`` (default: the demo company with
    12 users and 300 customers) and removed afterwards. A language without a translation
    file renders in English. The language in use before the call is restored. ``inspect``
    sees every screen before it is saved (the layout check).
    """
    app = app_instance()
    out_dir.mkdir(parents=True, exist_ok=True)
    previous = i18n.current_language()
    written: list[Path] = []
    if inspect is not None:
        _inspectors.append(inspect)
    with tempfile.TemporaryDirectory(prefix="crm-screens-") as tmp:
        db_file = Path(tmp) / "demo.sqlite3"
        db = bootstrap(f"sqlite:///{db_file}", create=True)
        try:
            actor = (populate or _default_populate)(db)
            for language in languages:
                i18n.install_language(language)
                written += _render_language(app, out_dir, language, db, db_file, actor)
        finally:
            ops.wait_idle()
            db.dispose()
            i18n.install_language(previous)
            if inspect is not None:
                _inspectors.remove(inspect)
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
    written += _render_opportunity(app, window, name("opportunities"), name("opportunity-detail"),
                                   name("opportunity-contracts"))
    written += _render_contract_followups(app, window, name("contract-followups"))
    written += _render_board(app, window, name("opportunity-board"))
    written += _render_print_preview(app, window, name("print-preview"))
    written += _render_messages(app, window, name("messages"))
    written += _render_approvals(app, window, name("record-approval"), name("my-approvals"))
    written += _render_decision(app, window, name("approval-decision"))
    written += _render_contract_form(app, window, name("contract-form"))
    written += _render_about(app, window, name("about"))
    written += _render_seed_dialogs(app, window, name("customer-transfer"), name("contract-transfer"),
                                    name("choose-approver"))
    written += _render_live(app, window, name("customer-form-changed"), name("connection-lost"))
    written += _render_dashboards(app, db, actor, name)
    from crm_desktop.ui.imports.screens import render_import_wizard

    written += render_import_wizard(window.ctx, window, settle=lambda: settle(app), save=_save_dialog, name=name)
    written += _render_activities(app, window, name)
    area = window.admin_area
    if area is not None:
        window.show_tab("admin")
        for key, screen in (
            ("user", "admin-users"), ("role", "admin-roles"), ("department", "admin-departments"),
            ("pool", "admin-pools"), ("custom_field", "admin-custom-fields"), ("dictionary", "admin-dictionaries"),
            ("field_permission", "admin-field-permissions"), ("automation", "admin-automation"),
            ("approval_flow", "admin-approval-flows"), ("execution_stage", "execution-settings"),
            ("print_template", "admin-print-templates"), ("number_rule", "admin-number-rules"),
            ("target", "admin-targets"),
        ):
            if key not in area.page_keys():
                continue
            page = area.show_page(key)
            settle(app)
            if key == "role":
                _select_example_role(page)
                settle(app)
                written.append(_save_window(window, name(screen)))
                written += _render_custom_scope(app, window, page, name("admin-roles-custom"))
                continue
            if key == "automation":
                written += _render_rule_editor(app, page, name(screen))
                written += _render_related_rule(app, page, name("admin-rule-related"))
                continue
            if key == "approval_flow" and getattr(page, "flows", None):
                written += _render_flow_designer(app, page, name(screen))
                continue
            written.append(_save_window(window, name(screen)))
    window.close_without_asking()
    window.deleteLater()
    settle(app)
    return written


def _render_dashboards(app: QApplication, db: Database, admin: Actor, name: Callable[[str], Path]) -> list[Path]:
    """The workbench's dashboard as a rep, a branch manager and the general manager see it
    (this year, so that the trend and the rankings have something to show)."""
    from crm_desktop.services.dashboard.period import Preset
    from crm_desktop.ui.main_window import MainWindow

    written: list[Path] = []
    for key, screen in (("fj_rep", "dashboard-rep"), ("fj_mgr", "dashboard-manager"), ("gm", "dashboard-gm")):
        actor = admin if key == "gm" else _demo_user(db, key)
        if actor is None:
            continue
        window = MainWindow(make_context(db, actor), settings=Config(path=None))
        window.resize(*SIZE)
        window.show()
        settle(app)
        bar = window.workbench.dashboard.filter_bar
        bar.preset_combo.setCurrentIndex(bar.preset_combo.findData(Preset.THIS_YEAR.value))
        settle(app)
        written.append(_save_window(window, name(screen)))
        window.close_without_asking()
        window.deleteLater()
        settle(app)
    return written


def _write_messages(db: Database, actor: Actor) -> None:
    """Messages for the message centre, written as a company gets them: trigger rules that
    tell the owner about new records fire while the actor creates a few; the oldest are read."""
    from crm_desktop.services.customers.customers import customers
    from crm_desktop.services.customers.leads import leads
    from crm_desktop.services.workflow import automation

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
        _inspect(centre, path, resizable=False)
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


def _open_shown_contract(window: QWidget) -> RecordDetailWindow | None:
    """The detail window of the demo contract with lines (``SHOWN_CONTRACT``), if listed."""
    tab = getattr(window, "contracts_tab", None)
    model = getattr(tab, "model", None)
    if tab is None or model is None:
        return None
    found = [model.record(r) for r in range(model.rowCount()) if model.record(r).values.get("name") == SHOWN_CONTRACT]
    return open_detail(tab.ctx, "contract", found[0].id, parent=window) if found else None


def _render_contract(app: QApplication, window: QWidget, path: Path, approvals_path: Path) -> list[Path]:
    """The demo contract with lines on its detail page, its approval history tab shown beside."""
    detail = _open_shown_contract(window)
    if detail is None:
        return []
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


def _render_opportunity(app: QApplication, window: Any, list_path: Path, detail_path: Path,
                        contracts_path: Path) -> list[Path]:
    """The opportunity list, then the shown opportunity's detail with its stage bar, and with
    its Contracts tab."""
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
        if "opportunity_contracts" in detail.tab_keys():
            detail.tabs.setCurrentWidget(detail.tab("opportunity_contracts"))
            settle(app)
            written.append(_save_window(detail, contracts_path))
        return written
    finally:
        detail.close()
        settle(app)


def _render_contract_followups(app: QApplication, window: QWidget, path: Path) -> list[Path]:
    """The shown contract's follow-ups (seed 004: 跟进记录 on contracts)."""
    detail = _open_shown_contract(window)
    if detail is None:
        return []
    detail.resize(*SIZE)
    settle(app)
    try:
        if "followups" not in detail.tab_keys():
            return []
        detail.tabs.setCurrentWidget(detail.tab("followups"))
        settle(app)
        return [_save_window(detail, path)]
    finally:
        detail.close()
        settle(app)


def _render_board(app: QApplication, window: Any, path: Path) -> list[Path]:
    """The opportunity board: the demo opportunities as cards by stage, won and lost at the end."""
    if "opportunities" not in window.tab_keys():
        return []
    tab = window.show_tab("opportunities")
    tab.show_board()
    settle(app)
    try:
        return [_save_window(window, path)]
    finally:
        tab.show_list()
        settle(app)


def _render_print_preview(app: QApplication, window: Any, path: Path) -> list[Path]:
    """The shown contract's print preview (the default template, the amount in capitals)."""
    detail = _open_shown_contract(window)
    if detail is None:
        return []
    settle(app)
    buttons = getattr(detail.header_part, "print_buttons", None)
    if buttons is None:
        detail.close()
        return []
    buttons.print_preview()
    settle(app)
    preview = buttons.preview
    try:
        return [_save_dialog(preview, path)] if preview is not None else []
    finally:
        if preview is not None:
            preview.close()
        detail.close()
        settle(app)


def _render_approvals(app: QApplication, window: QWidget, record_path: Path, list_path: Path) -> list[Path]:
    """A resubmitted registration on its customer's approvals tab; then "My approvals"."""
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


def _render_decision(app: QApplication, window: Any, path: Path) -> list[Path]:
    """The approve dialog of the contract waiting in "My approvals": what is being approved."""
    page = getattr(window, "approvals_tab", None)
    if page is None:
        return []
    window.show_tab("approvals")
    page.set_box("pending")
    settle(app)
    item = next((i for i in page.items if i.record_name == DECISION_CONTRACT), None)
    if item is None:
        return []
    page.select_item(item.instance_id)
    dialog = page.decide_selected(True)
    settle(app)
    try:
        return [_save_dialog(dialog, path)]
    finally:
        dialog.reject()
        settle(app)


def _render_contract_form(app: QApplication, window: Any, path: Path) -> list[Path]:
    """The shown contract's form: its fields over its product lines (it must fit 1366×768)."""
    from crm_desktop.ui.records.forms.open import open_form
    from crm_desktop.ui.records.specs.registry import view_spec

    tab = getattr(window, "contracts_tab", None)
    model = getattr(tab, "model", None)
    if tab is None or model is None:
        return []
    found = [model.record(r) for r in range(model.rowCount()) if model.record(r).values.get("name") == SHOWN_CONTRACT]
    if not found:
        return []
    opened: list[QDialog] = []
    open_form(tab.ctx, view_spec("contract"), window, record_id=found[0].id, title=QApplication.translate(
        "ContractsTab", "Edit contract"), on_opened=opened.append)
    settle(app)
    if not opened:
        return []
    try:
        return [_save_dialog(opened[0], path)]
    finally:
        opened[0].reject()
        settle(app)


def _render_seed_dialogs(app: QApplication, window: Any, transfer_path: Path, record_transfer_path: Path,
                        approver_path: Path) -> list[Path]:
    """The customer transfer dialog (carrying contacts, opportunities and contracts; keeping the
    previous owner), a contract's transfer (keeping the previous owner) and the approver chooser
    of a submit (one approver for a sequential step, several for a countersign), over the
    company's enabled users."""
    from crm_desktop.services.org import users
    from crm_desktop.services.workflow.approvals import PickNode
    from crm_desktop.ui.records.lists.customer_actions import CustomerTransferDialog
    from crm_desktop.ui.records.lists.record_tab import TransferDialog
    from crm_desktop.ui.records.shared.approver_picker import ChooseApproversDialog

    ctx = window.ctx
    people = users.list_users(ctx.db, ctx.actor, include_disabled=False)
    transfer = CustomerTransferDialog(people, count=3, may_carry_contacts=True, may_carry_opportunities=True,
                                      may_carry_contracts=True, parent=window)
    transfer.set_keep_old_owner("read")
    record_transfer = TransferDialog(people, count=2, keep_team=True, parent=window)
    record_transfer.set_keep_old_owner("write")
    nodes = [PickNode(0, "销售经理审批", "sequential"), PickNode(1, "财务与法务会签", "countersign")]
    chooser = ChooseApproversDialog(nodes, people, lambda _picks: (lambda: None), parent=window)
    chooser.choose(0, [people[1].id] if len(people) > 1 else [])
    chooser.choose(1, [p.id for p in people[2:4]])
    written: list[Path] = []
    for dialog, path in ((transfer, transfer_path), (record_transfer, record_transfer_path),
                         (chooser, approver_path)):
        dialog.show()
        settle(app)
        try:
            written.append(_save_dialog(dialog, path))
        finally:
            if isinstance(dialog, ChooseApproversDialog):
                dialog.mark_clean()  # its Cancel would ask about the choices made above
            dialog.reject()
            dialog.deleteLater()
            settle(app)
    return written


def _render_live(app: QApplication, window: Any, form_path: Path, window_path: Path) -> list[Path]:
    """Team on a LAN (issue 17): a customer's edit form after a colleague saved it while he
    edits it too (reload / keep mine, "… is editing"), and the status bar without the server."""
    from crm_desktop.ui.records.forms.open import open_form
    from crm_desktop.ui.records.specs.registry import view_spec

    written: list[Path] = []
    tab = getattr(window, "customers_tab", None)
    model = getattr(tab, "model", None)
    if tab is not None and model is not None and model.rowCount():
        opened: list[Any] = []
        open_form(tab.ctx, view_spec("customer"), window, record_id=model.record(0).id, title=QApplication.translate(
            "CustomersTab", "Edit customer"), on_opened=opened.append)
        settle(app)
        watch = getattr(opened[0], "live_watch", None) if opened else None
        if watch is not None:
            watch.show_changed("张三", None)
            watch.presence.show_names(["张三"])
            settle(app)
            try:
                written.append(_save_dialog(opened[0], form_path))
            finally:
                opened[0].reject()
                settle(app)
    status = getattr(window, "connection_status", None)
    if status is not None:
        status.show_state(False, 4.0)
        settle(app)
        written.append(_save_window(window, window_path))
        status.hide()
    return written


def _render_activities(app: QApplication, window: Any, name: Callable[[str], Path]) -> list[Path]:
    """The task workbench (today), a task's form, the calendar by month and by week, an
    event's form, and the first customer's activity timeline."""
    tab = getattr(window, "activities_tab", None)
    if tab is None or "activities" not in window.tab_keys():
        return []
    written: list[Path] = []
    window.show_tab("activities")
    settle(app)
    if tab.workbench is not None:
        tab.workbench.select_bucket("today")
        settle(app)
        written.append(_save_window(window, name("tasks")))
        if tab.workbench.rows:
            tab.workbench.select_task(tab.workbench.rows[0].id)
            tab.workbench.edit_selected()
            settle(app)
            dialog = tab.workbench.dialog
            if dialog is not None:
                settle(app)
                written.append(_save_dialog(dialog, name("task-form")))
                dialog.mark_clean()
                dialog.reject()
                settle(app)
    calendar = tab.show_calendar()
    if calendar is not None:
        for view, screen in (("month", "calendar-month"), ("week", "calendar-week")):
            calendar.show_view(view)
            settle(app)
            written.append(_save_window(window, name(screen)))
        repeating = next((i for i in calendar.items if i.repeating), None)
        if repeating is not None:
            calendar.open_item(repeating)
            settle(app)
            dialog = calendar.dialog
            if dialog is not None:
                settle(app)
                written.append(_save_dialog(dialog, name("event-form")))
                dialog.mark_clean()
                dialog.reject()
                settle(app)
        calendar.show_view("month")
    todo = getattr(window, "todo", None)
    if todo is not None and todo.activities_button.isVisibleTo(window):
        listing = todo.open_activities()  # the to-do strip's tasks and events
        settle(app)
        written.append(_save_dialog(listing, name("todo-list")))
        listing.close()
        settle(app)
    customers_tab = getattr(window, "customers_tab", None)
    model = getattr(customers_tab, "model", None)
    if customers_tab is not None and model is not None and model.rowCount():
        from crm_desktop.services.customers.customers import customers

        first = customers.list_page(customers_tab.ctx.db, customers_tab.ctx.actor, limit=1).rows
        if first:
            detail = open_detail(customers_tab.ctx, "customer", first[0].id, parent=window)
            detail.resize(*SIZE)
            settle(app)
            detail.tabs.setCurrentWidget(detail.tab("timeline"))
            settle(app)
            try:
                written.append(_save_window(detail, name("customer-timeline")))
            finally:
                detail.close()
                settle(app)
    return written


def _render_about(app: QApplication, window: Any, path: Path) -> list[Path]:
    dialog = window.show_about()
    settle(app)
    try:
        return [_save_dialog(dialog, path)]
    finally:
        dialog.reject()
        settle(app)


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


def _render_related_rule(app: QApplication, page: Any, path: Path) -> list[Path]:
    """The rule editor on the contract rule that acts on the contract's customer."""
    page.select_entity("contract")
    settle(app)
    rule = next((r for r in getattr(page, "rules", []) if r.name == RELATED_RULE), None)
    if rule is None:
        page.select_entity("customer")
        settle(app)
        return []
    page.select_rule(rule.id)
    dialog = page.edit_current()
    settle(app)
    try:
        return [_save_dialog(dialog, path)]
    finally:
        dialog.reject()
        page.select_entity("customer")
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


def _render_custom_scope(app: QApplication, window: QWidget, page: Any, path: Path) -> list[Path]:
    """The example role with a custom scope (自定义) on customers and contracts, two
    departments ticked in each tree: unsaved edits, discarded after the picture."""
    matrix = page.matrix
    tree = [matrix.custom_pickers["customer"].topLevelItem(0)]
    leaves = []
    while tree:  # the departments below the company, breadth first
        item = tree.pop(0)
        children = [item.child(i) for i in range(item.childCount())]
        leaves += children
        tree += children
    for module in ("customer", "contract"):
        matrix.set_scope(module, DataScope.CUSTOM)
        for item in leaves[:2]:
            matrix.custom_pickers[module].check(int(item.data(0, Qt.ItemDataRole.UserRole)))
    settle(app)
    try:
        return [_save_window(window, path)]
    finally:
        page._discard()
        settle(app)


def _select_example_role(page: QWidget) -> None:
    """Show a sales role: its matrix has both ticked and empty boxes, and a data scope."""
    roles = [r for r in getattr(page, "roles", []) if not r.is_super]
    if roles:
        best = max(roles, key=lambda r: (sum(m == "customer" for m, _a in r.permissions), len(r.permissions)))
        page.select_role(best.id)  # type: ignore[attr-defined]
