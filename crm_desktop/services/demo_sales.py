"""Demo sales data: the catalogue, opportunities, contracts, payment plans and payments.

``fill_sales`` runs after ``demo.fill_related`` and, like it, writes generated rows with bulk
SQLAlchemy Core inserts, one unit of work per batch, without audit rows or domain events
(nothing happened that automation or other windows should react to). Everything scales with
the number of customers:

- products: 30 + one per 500 customers, at most 60, in a category tree (软件产品 / 硬件设备 /
  技术服务, three sub-categories each); every eighth one is off the shelf;
- opportunities: ≈30% of the owned customers (some have two), lines from on-shelf products,
  stages spread over the default stage group with their StageChange history; some won, lost
  (with a reason) or invalid;
- contracts: from ≈85% of the won opportunities (their lines) plus ≈3% of customers directly;
  numbers made by ``numbering.format_number`` from the contract rule, in order of creation
  within each period, and the rule's counter rows set past them so the next real number does
  not collide; mostly approved (execution status following age over "order_status"), some
  drafts and voided ones;
- payment plans: 1–3 instalments per approved contract (the payment terms say which), summing
  to the amount exactly; payments against them (approved, recent ones sometimes draft), the
  contract's and plan's ``received_amount`` being the exact Decimal sums of the approved ones.

Pending, rejected and withdrawn records are not made: they need approval instances and their
history, which the demo (having no approval flow) does not create.

Thread rule: plain service code; run it off the GUI thread.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, insert, select, text, update
from sqlalchemy.orm import Session

from crm_desktop.models import (
    Contact,
    Contract,
    ContractLine,
    Customer,
    DictionaryItem,
    NumberRule,
    NumberSequence,
    Opportunity,
    OpportunityContact,
    OpportunityLine,
    Payment,
    PaymentPlan,
    Product,
    ProductCategory,
    StageChange,
    utcnow,
)
from crm_desktop.services.demo import _CITIES, BATCH_SIZE, _at, _record
from crm_desktop.services.numbering import NumberRuleDTO, default_rule, format_number
from crm_desktop.services.product_lines import subtotal
from crm_desktop.services.stages import default_group, ensure_default_group, stages_of
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

ZERO = Decimal("0.00")
CENT = Decimal("0.01")

# --- the catalogue ----------------------------------------------------------------------

#: (category, sub-category, opportunity theme, products: (name, code, unit, price, description)).
CATALOGUE: tuple[tuple[str, str, str, tuple[tuple[str, str, str, str, str], ...]], ...] = (
    ("软件产品", "客户管理 CRM", "CRM 系统采购项目", (
        ("星辰CRM标准版", "XC-CRM-STD", "套", "19800.00", "含客户、联系人、跟进、公海，10 用户"),
        ("星辰CRM专业版", "XC-CRM-PRO", "套", "39800.00", "标准版 + 商机、合同、回款、审批流，30 用户"),
        ("星辰CRM企业版", "XC-CRM-ENT", "套", "98000.00", "专业版 + 多组织、数据权限、开放接口，不限用户"),
        ("CRM 移动端用户许可", "XC-CRM-MOB", "用户/年", "600.00", "iOS / Android / 企业微信"),
        ("CRM 用户扩展包（10 用户）", "XC-CRM-U10", "个", "5800.00", ""),
        ("呼叫中心集成模块", "XC-CRM-CTI", "套", "12800.00", "来电弹屏、通话录音、外呼统计"),
        ("营销自动化模块", "XC-CRM-MKT", "套", "16800.00", "活动、表单、短信与邮件群发"),
        ("BI 报表模块", "XC-CRM-BI", "套", "9800.00", "销售漏斗、业绩目标、自定义报表"),
        ("微信客服集成", "XC-CRM-WX", "套", "6800.00", "公众号、小程序、企业微信会话接入"),
        ("短信平台（1 万条）", "XC-CRM-SMS", "个", "450.00", ""),
    )),
    ("软件产品", "进销存 ERP", "ERP 升级项目", (
        ("星辰进销存标准版", "XC-ERP-STD", "套", "12800.00", "采购、销售、库存、往来账"),
        ("星辰ERP制造版", "XC-ERP-MFG", "套", "68000.00", "BOM、生产工单、MRP"),
        ("财务核算模块", "XC-ERP-FIN", "套", "15800.00", "总账、应收应付、报表"),
        ("仓储管理 WMS", "XC-ERP-WMS", "套", "28000.00", "库位、波次拣货、PDA 作业"),
        ("条码打印模块", "XC-ERP-BAR", "套", "3800.00", ""),
        ("采购管理模块", "XC-ERP-PUR", "套", "8800.00", ""),
        ("生产排程 APS", "XC-ERP-APS", "套", "45000.00", "有限产能排程"),
    )),
    ("软件产品", "协同办公 OA", "协同办公平台建设", (
        ("星辰OA协同办公", "XC-OA-STD", "套", "8800.00", "公文、流程、知识库，50 用户"),
        ("电子审批流程引擎", "XC-OA-FLOW", "套", "6800.00", ""),
        ("电子签章服务", "XC-OA-SIGN", "年", "4800.00", "含 CA 证书"),
        ("企业网盘（1TB）", "XC-OA-DISK", "年", "3600.00", ""),
        ("移动考勤", "XC-OA-ATT", "用户/年", "120.00", ""),
        ("会议室预订系统", "XC-OA-MTG", "套", "3200.00", ""),
    )),
    ("硬件设备", "服务器与存储", "机房服务器扩容", (
        ("机架式服务器（2U 双路）", "XC-HW-SRV2U", "台", "36800.00", "2×16 核 / 128G / 4×1.92T SSD"),
        ("塔式服务器", "XC-HW-SRVT", "台", "15800.00", "单路 / 32G / 2×2T"),
        ("存储阵列（24 盘位）", "XC-HW-NAS24", "台", "52000.00", ""),
        ("不间断电源 UPS 3kVA", "XC-HW-UPS3K", "台", "6800.00", "在线式，后备 30 分钟"),
        ("服务器机柜 42U", "XC-HW-RACK", "个", "4200.00", ""),
        ("GPU 计算服务器", "XC-HW-GPU", "台", "128000.00", "4×GPU / 512G"),
    )),
    ("硬件设备", "网络设备", "网络改造项目", (
        ("千兆交换机（24 口）", "XC-NET-SW24", "台", "2600.00", ""),
        ("万兆核心交换机", "XC-NET-CORE", "台", "28000.00", ""),
        ("企业级防火墙", "XC-NET-FW", "台", "18800.00", "含三年特征库升级"),
        ("无线 AP（吸顶式）", "XC-NET-AP", "个", "880.00", "Wi-Fi 6"),
        ("企业路由器", "XC-NET-RT", "台", "3600.00", ""),
        ("网络安全审计系统", "XC-NET-AUD", "台", "26000.00", "满足等保 2.0 审计要求"),
    )),
    ("硬件设备", "办公终端", "办公终端采购", (
        ("商用台式机（i5/16G）", "XC-PC-D5", "台", "4999.00", ""),
        ("商用笔记本（14 寸）", "XC-PC-N14", "台", "6299.00", ""),
        ("27 寸显示器", "XC-PC-M27", "台", "1699.00", ""),
        ("手持 PDA 扫码枪", "XC-PC-PDA", "台", "2380.00", ""),
        ("热敏标签打印机", "XC-PC-PRT", "台", "1580.00", ""),
        ("激光多功能一体机", "XC-PC-MFP", "台", "3280.00", ""),
        ("视频会议终端", "XC-PC-VC", "台", "12800.00", ""),
        ("门禁考勤一体机", "XC-PC-ACC", "台", "1880.00", ""),
    )),
    ("技术服务", "实施服务", "系统实施项目", (
        ("系统实施服务", "XC-SV-IMP", "人天", "1800.00", "需求调研、配置、上线支持"),
        ("数据迁移服务", "XC-SV-MIG", "项", "8000.00", ""),
        ("二次开发", "XC-SV-DEV", "人天", "2200.00", ""),
        ("系统集成服务", "XC-SV-INT", "项", "15000.00", "与 ERP / 财务 / 企业微信对接"),
        ("上门安装调试", "XC-SV-INS", "次", "800.00", ""),
        ("项目管理服务", "XC-SV-PM", "人天", "2000.00", ""),
    )),
    ("技术服务", "运维服务", "年度运维续约", (
        ("年度运维服务（标准）", "XC-SV-OPS", "年", "12000.00", "5×8 响应，每季度巡检"),
        ("年度运维服务（7×24）", "XC-SV-OPS24", "年", "36000.00", "7×24 响应，4 小时到场"),
        ("远程技术支持", "XC-SV-RMT", "年", "4800.00", ""),
        ("硬件延保（3 年）", "XC-SV-WAR", "台", "1200.00", ""),
        ("云服务器托管", "XC-SV-CLOUD", "年", "9600.00", ""),
        ("数据备份服务", "XC-SV-BAK", "年", "6000.00", "异地备份，每日增量"),
        ("等保测评咨询", "XC-SV-SEC", "项", "28000.00", ""),
    )),
    ("技术服务", "培训服务", "员工培训项目", (
        ("管理员培训", "XC-TR-ADM", "人次", "1500.00", ""),
        ("最终用户培训", "XC-TR-USR", "场", "3000.00", ""),
        ("定制化现场培训", "XC-TR-ONS", "天", "5000.00", ""),
        ("认证考试辅导", "XC-TR-CERT", "人次", "2600.00", ""),
    )),
)
_CITY_NAMES = tuple(c.name for c in _CITIES)
MIN_PRODUCTS, MAX_PRODUCTS = 30, 60
#: One more product per this many customers (between the two bounds above).
CUSTOMERS_PER_PRODUCT = 500
#: How many of a unit a line sells (inclusive range).
_QUANTITIES = {"套": (1, 1), "用户/年": (10, 200), "台": (1, 20), "人天": (5, 60), "年": (1, 3), "个": (1, 30),
               "项": (1, 1), "次": (1, 5), "人次": (2, 20), "场": (1, 4), "天": (1, 5)}
_DISCOUNTS = ("0",) * 5 + ("5", "8", "10", "10", "12", "15", "20")

# --- opportunities and contracts -----------------------------------------------------------

OPPORTUNITY_SHARE = 0.30
SECOND_OPPORTUNITY = 0.15
#: Opportunities start within this many days before now (and after their customer).
OPPORTUNITY_DAYS = 540
_STATUSES = ("open",) * 50 + ("won",) * 30 + ("lost",) * 15 + ("invalid",) * 5
_OPEN_STAGE_WEIGHTS = (35, 30, 20, 15)
_LOST_REASONS = ("价格高于竞品", "客户预算削减，项目暂停", "选择了竞争对手", "需求变更，不再采购", "决策人变动，项目搁置",
                 "功能不满足个性化需求")
_INVALID_REASONS = ("重复商机", "客户无真实采购需求", "联系人信息有误")
_REMARKS = ("",) * 6 + ("客户要求月底前给出正式方案", "竞争对手也在报价", "需要总部审批", "老客户增购")
WON_WITH_CONTRACT = 0.85
DIRECT_CONTRACT = 0.03
#: Payment terms by number of instalments, and how the amount is split.
_TERMS: dict[int, tuple[str, tuple[Decimal, ...]]] = {
    1: ("验收合格后 30 日内一次性付清", (Decimal("1"),)),
    2: ("合同签订后 7 个工作日内预付 50%，验收合格后支付 50%", (Decimal("0.5"), Decimal("0.5"))),
    3: ("预付 30%，发货前支付 40%，验收合格后支付 30%", (Decimal("0.3"), Decimal("0.4"), Decimal("0.3"))),
}
_INSTALMENTS = (1,) * 30 + (2,) * 40 + (3,) * 30
_METHODS_WEIGHT = {"transfer": 8, "acceptance": 2, "cheque": 1, "alipay": 1, "wechat_pay": 1, "cash": 1}
_REMIND = (None, 3, 7, 7)
_PAYMENT_REMARKS = ("",) * 5 + ("对公转账", "财务已确认到账", "客户分两笔汇款，已合并登记")


@dataclass
class _ContractSpec:
    created: dt.datetime
    customer_id: int
    owner: int
    name: str
    #: (product index or None, price, quantity, discount): copied from the opportunity or new.
    lines: list[tuple[int, Decimal, Decimal, Decimal]]
    opportunity_id: int | None = None
    manual_amount: Decimal | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Catalogue:
    ids: list[int]
    names: list[str]
    codes: list[str]
    units: list[str]
    prices: list[Decimal]
    themes: list[str]
    on_shelf: list[int]  # indexes of on-shelf products


def product_count(customers: int) -> int:
    """How many products a demo of ``customers`` customers lists."""
    return max(MIN_PRODUCTS, min(MAX_PRODUCTS, MIN_PRODUCTS + customers // CUSTOMERS_PER_PRODUCT))


def _interleaved() -> list[tuple[str, str, str, tuple[str, str, str, str, str]]]:
    """Products round-robin over the sub-categories: any prefix covers every category."""
    out = []
    for i in range(max(len(group[3]) for group in CATALOGUE)):
        for top, sub, theme, items in CATALOGUE:
            if i < len(items):
                out.append((top, sub, theme, items[i]))
    return out


def _short_name(name: str) -> str:
    """A customer's everyday name: "厦门华盛软件有限公司", "华盛软件（厦门）有限公司" → "华盛软件"."""
    for cut in ("（", "股份", "有限", "第"):
        name = name.split(cut, 1)[0]
    if name.startswith(_CITY_NAMES):
        name = name[2:].removeprefix("市")
    return name


def _bulk(session: Session, model: Any, rows: Sequence[dict[str, object]]) -> None:
    """One executemany through the table: the ORM's bulk path splits rows whose None values
    differ into separate statements (thousands of them for stage histories)."""
    if rows:
        session.execute(model.__table__.insert(), rows)


def _next_id(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.max(model.id))) or 0) + 1


def _sync_id_sequences(session: Session, tables: Sequence[str]) -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's id sequences past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}"))


def _insert_catalogue(db: Database, owner: int, count: int, now: dt.datetime) -> _Catalogue:
    chosen = _interleaved()[:count]
    with unit_of_work(db, None) as uow:
        s = uow.session
        tops: dict[str, int] = {}
        subs: dict[str, int] = {}
        for top, sub, _theme, _item in chosen:
            if top not in tops:
                tops[top] = s.execute(insert(ProductCategory).values(name=top, parent_id=None, sort_order=len(tops))
                                      .returning(ProductCategory.id)).scalar_one()
        for top, sub, _theme, _item in sorted(chosen, key=lambda c: [g[1] for g in CATALOGUE].index(c[1])):
            if sub not in subs:
                siblings = sum(1 for g in CATALOGUE if g[0] == top and g[1] in subs)
                subs[sub] = s.execute(insert(ProductCategory).values(name=sub, parent_id=tops[top], sort_order=siblings)
                                      .returning(ProductCategory.id)).scalar_one()
        first = _next_id(s, Product)
        born = now - dt.timedelta(days=800)
        rows = []
        for i, (_top, sub, _theme, (name, code, unit, price, description)) in enumerate(chosen):
            created = born + dt.timedelta(days=3 * i, hours=9)
            rows.append({"id": first + i, "name": name, "code": code, "category_id": subs[sub], "unit": unit,
                         "price": Decimal(price), "description": description, "on_shelf": i % 8 != 5,
                         **_record(owner, created, created + dt.timedelta(days=30))})
        _bulk(s, Product, rows)
        _sync_id_sequences(s, ["products"])
    return _Catalogue(
        ids=[r["id"] for r in rows], names=[r["name"] for r in rows], codes=[r["code"] for r in rows],
        units=[r["unit"] for r in rows], prices=[r["price"] for r in rows], themes=[c[2] for c in chosen],
        on_shelf=[i for i, r in enumerate(rows) if r["on_shelf"]])


def _lines(rng: random.Random, cat: _Catalogue) -> list[tuple[int, Decimal, Decimal, Decimal]]:
    """1–3 lines of on-shelf products: (product index, selling price, quantity, discount %)."""
    picks = rng.sample(cat.on_shelf, rng.choice((1, 1, 2, 2, 3)))
    out = []
    for i in picks:
        low, high = _QUANTITIES.get(cat.units[i], (1, 5))
        out.append((i, cat.prices[i], Decimal(rng.randint(low, high)), Decimal(rng.choice(_DISCOUNTS))))
    return out


def _line_rows(cat: _Catalogue, parent: str, parent_id: int, lines: Sequence[tuple[int, Decimal, Decimal, Decimal]]
               ) -> tuple[list[dict[str, object]], Decimal]:
    rows, total = [], ZERO
    for n, (i, price, quantity, discount) in enumerate(lines):
        sub = subtotal(price, quantity, discount)
        total += sub
        rows.append({parent: parent_id, "position": n, "product_id": cat.ids[i], "product_name": cat.names[i],
                     "product_code": cat.codes[i], "unit": cat.units[i], "standard_price": cat.prices[i],
                     "price": price, "quantity": quantity, "discount": discount, "subtotal": sub, "remark": ""})
    return rows, total


def _local_day(when: dt.datetime) -> dt.date:
    """The company's local day of a UTC time (numbers and order dates follow it)."""
    return when.astimezone().date()


#: The counter period of each reset, as ``numbering`` keys its NumberSequence rows.
_PERIOD_FORMATS = {"daily": "%Y%m%d", "monthly": "%Y%m", "yearly": "%Y", "never": ""}


def _rule(session: Session, entity: str) -> NumberRuleDTO:
    row = session.get(NumberRule, entity)
    if row is None:
        return default_rule(entity)
    return NumberRuleDTO(entity, row.prefix, row.date_format, row.reset, row.digits, row.separator)


class _Numbers:
    """Numbers of one entity in creation order, continuing the rule's counters per period."""

    def __init__(self, session: Session, entity: str) -> None:
        self.entity = entity
        self.rule = _rule(session, entity)
        self.last: dict[str, int] = dict(session.execute(select(NumberSequence.period, NumberSequence.last)
                                                         .where(NumberSequence.entity == entity)).all())
        self.touched: set[str] = set()

    def next(self, when: dt.datetime) -> str:
        local = when.astimezone()
        fmt = _PERIOD_FORMATS[self.rule.reset]
        period = local.strftime(fmt) if fmt else "-"
        self.last[period] = self.last.get(period, 0) + 1
        self.touched.add(period)
        return format_number(self.rule, local, self.last[period])

    def save(self, session: Session) -> None:
        """Write the counters, so ``numbering.next_number`` continues after the demo's numbers."""
        known = set(session.scalars(select(NumberSequence.period).where(NumberSequence.entity == self.entity)))
        for period in sorted(self.touched):
            if period in known:
                session.execute(update(NumberSequence).where(NumberSequence.entity == self.entity,
                                                             NumberSequence.period == period)
                                .values(last=self.last[period]))
            else:
                session.add(NumberSequence(entity=self.entity, period=period, last=self.last[period]))
        session.flush()


def _dictionary(session: Session, name: str) -> list[str]:
    return list(session.scalars(select(DictionaryItem.value).where(
        DictionaryItem.dictionary == name, DictionaryItem.enabled.is_(True))
        .order_by(DictionaryItem.sort_order, DictionaryItem.id)))


# --- the fill -------------------------------------------------------------------------------

def fill_sales(
    db: Database,
    *,
    owner_id: int,
    seed: int = 7,
    batch_size: int = BATCH_SIZE,
    now: dt.datetime | None = None,
    up_to_id: int | None = None,
) -> Iterator[tuple[int, int, str]]:
    """Fill the catalogue (owned by ``owner_id``) and the sales chain of the owned customers
    (those with id ≤ ``up_to_id`` when given), in proportion to their number (see the module
    doc). Yields ``(done, total, text)``."""
    rng = random.Random(seed * 104_729 + 5)
    now = now or utcnow()
    today = _local_day(now)
    with unit_of_work(db, None) as uow:
        s = uow.session
        ensure_default_group(s)
        group = default_group(s)
        stage_ids = [st.id for st in stages_of(s, group.id)]
        group_id = group.id
        within = Customer.id <= up_to_id if up_to_id is not None else Customer.id.is_not(None)
        total = s.scalar(select(func.count(Customer.id)).where(within, Customer.owner_id.is_not(None))) or 0
        all_customers = s.scalar(select(func.count(Customer.id)).where(within)) or 0
        statuses = _dictionary(s, "order_status")
        methods = [m for m in _dictionary(s, "payment_method") for _ in range(_METHODS_WEIGHT.get(m, 1))]
    yield 0, total, "Adding products"
    cat = _insert_catalogue(db, owner_id, product_count(all_customers), now)

    contracts: list[_ContractSpec] = []
    done, last = 0, 0
    with read_only(db, None) as uow:
        first_opportunity = _next_id(uow.session, Opportunity)
    next_opp = first_opportunity
    while True:
        with unit_of_work(db, None) as uow:
            s = uow.session
            batch = s.execute(select(Customer.id, Customer.owner_id, Customer.created_at, Customer.name)
                              .where(Customer.id > last, within, Customer.owner_id.is_not(None))
                              .order_by(Customer.id).limit(batch_size)).all()
            if not batch:
                break
            opps: list[dict[str, object]] = []
            lines: list[dict[str, object]] = []
            changes: list[dict[str, object]] = []
            for cid, owner, born, name in batch:
                short = _short_name(name)
                if rng.random() < DIRECT_CONTRACT:
                    lines_spec = _lines(rng, cat)
                    created = _at(rng, max(born, now - dt.timedelta(days=OPPORTUNITY_DAYS)), now)
                    contracts.append(_ContractSpec(created, cid, owner, f"{short}{cat.themes[lines_spec[0][0]]}合同",
                                                   lines_spec))
                if rng.random() >= OPPORTUNITY_SHARE:
                    continue
                for _ in range(2 if rng.random() < SECOND_OPPORTUNITY else 1):
                    spec = _opportunity(rng, cat, next_opp, cid, owner, born, short, now, stage_ids, group_id,
                                        lines, changes)
                    opps.append(spec)
                    if spec["status"] == "won" and rng.random() < WON_WITH_CONTRACT:
                        closed = spec["closed_at"]
                        assert isinstance(closed, dt.datetime)
                        created = min(now, closed + dt.timedelta(days=rng.randrange(0, 10), seconds=rng.randrange(86_400)))
                        manual = spec["amount"] if spec["amount_manual"] else None
                        contracts.append(_ContractSpec(created, cid, owner, str(spec["name"]), spec.pop("_lines"),
                                                       opportunity_id=next_opp, manual_amount=manual))  # type: ignore[arg-type]
                    spec.pop("_lines", None)
                    next_opp += 1
            for model, rows in ((Opportunity, opps), (OpportunityLine, lines), (StageChange, changes)):
                _bulk(s, model, rows)
        done += len(batch)
        last = batch[-1].id
        yield done, total, f"Added opportunities to {done} of {total} customers"

    yield done, total, f"Adding {len(contracts)} contracts, payment plans and payments"
    contracts.sort(key=lambda c: c.created)
    payments: list[dict[str, object]] = []
    with read_only(db, None) as uow:
        first_contract = _next_id(uow.session, Contract)
        next_plan = _next_id(uow.session, PaymentPlan)
    for start in range(0, len(contracts), batch_size):
        with unit_of_work(db, None) as uow:
            s = uow.session
            numbers = _Numbers(s, "contract")
            rows, line_rows, plans = [], [], []
            for k, spec in enumerate(contracts[start:start + batch_size], start):
                contract_id = first_contract + k
                more_lines, total_amount = _line_rows(cat, "contract_id", contract_id, spec.lines)
                line_rows += more_lines
                row = _contract(rng, spec, contract_id, numbers.next(spec.created), total_amount, now, statuses)
                instalments = row.pop("_instalments")
                if row["approval_status"] == "approved":
                    more_plans, more_payments = _plans(rng, row, instalments, next_plan, today, now, methods)
                    next_plan += len(more_plans)
                    plans += more_plans
                    payments += more_payments
                    row["received_amount"] = sum((p["amount"] for p in more_payments  # type: ignore[misc]
                                                  if p["approval_status"] == "approved"), ZERO)
                rows.append(row)
            _bulk(s, Contract, rows)
            _bulk(s, ContractLine, line_rows)
            _bulk(s, PaymentPlan, plans)
            numbers.save(s)
        yield done, total, f"Added {min(start + batch_size, len(contracts))} of {len(contracts)} contracts"

    payments.sort(key=lambda p: p["created_at"])  # type: ignore[arg-type, return-value]
    with read_only(db, None) as uow:
        first_payment = _next_id(uow.session, Payment)
    for start in range(0, len(payments), batch_size):
        with unit_of_work(db, None) as uow:
            numbers = _Numbers(uow.session, "payment")
            chunk = payments[start:start + batch_size]
            for k, p in enumerate(chunk, start):
                p["id"] = first_payment + k
                p["number"] = numbers.next(p["created_at"])  # type: ignore[arg-type]
            _bulk(uow.session, Payment, chunk)
            numbers.save(uow.session)
    yield done, total, "Linking contacts and customers"
    _link(db, first_opportunity=first_opportunity, first_contract=first_contract)
    yield done, total, "Sales data ready"


def _opportunity(rng: random.Random, cat: _Catalogue, oid: int, cid: int, owner: int, born: dt.datetime, short: str,
                 now: dt.datetime, stage_ids: Sequence[int], group_id: int, lines: list[dict[str, object]],
                 changes: list[dict[str, object]]) -> dict[str, Any]:
    """One opportunity row (its lines and stage history appended to ``lines`` / ``changes``)."""
    spec = _lines(rng, cat)
    more, total = _line_rows(cat, "opportunity_id", oid, spec)
    lines += more
    created = _at(rng, max(born, now - dt.timedelta(days=OPPORTUNITY_DAYS)), now)
    status = rng.choice(_STATUSES)
    closed = created + dt.timedelta(days=rng.uniform(7, 120))
    if status != "open" and closed > now:
        status = "open"
    last_index = len(stage_ids) - 1
    if status == "open":
        reached = rng.choices(range(len(stage_ids)), weights=_OPEN_STAGE_WEIGHTS[:len(stage_ids)])[0]
    elif status == "won":
        reached = last_index
    else:
        reached = rng.randint(0, last_index if status == "lost" else min(1, last_index))
    end = closed if status != "open" else now
    times = sorted(_at(rng, created, end) for _ in range(reached))
    history = [(None, stage_ids[0], "", "open", created, "")]
    history += [(stage_ids[i], stage_ids[i + 1], "open", "open", t, "") for i, t in enumerate(times)]
    reason = ""
    if status != "open":
        reason = rng.choice(_LOST_REASONS if status == "lost" else _INVALID_REASONS)
        history.append((stage_ids[reached], stage_ids[reached], "open", status, closed, "" if status == "won" else reason))
    changes += [{"opportunity_id": oid, "from_stage_id": a, "to_stage_id": b, "from_status": fs, "to_status": ts,
                 "note": note, "actor_id": owner, "at": at} for a, b, fs, ts, at, note in history]
    manual = rng.random() < 0.1
    amount = (total * Decimal("0.95")).quantize(Decimal("100")) if manual and total >= 1000 else total
    expected = (closed if status != "open" else now + dt.timedelta(days=rng.randint(7, 150))).astimezone().date()
    return {"id": oid, "name": f"{short}{cat.themes[spec[0][0]]}", "customer_id": cid, "amount": amount,
            "amount_manual": manual and amount != total, "expected_close_date": expected,
            "stage_group_id": group_id, "stage_id": stage_ids[reached], "status": status,
            "lost_reason": reason if status in ("lost", "invalid") else "",
            "closed_at": closed if status != "open" else None, "remark": rng.choice(_REMARKS),
            **_record(owner, created, history[-1][4]), "_lines": spec}


def _contract(rng: random.Random, spec: _ContractSpec, contract_id: int, number: str, lines_total: Decimal,
              now: dt.datetime, statuses: Sequence[str]) -> dict[str, Any]:
    order = _local_day(spec.created)
    recent = now - spec.created < dt.timedelta(days=20)
    approval = "draft" if rng.random() < (0.6 if recent else 0.05) else ("voided" if rng.random() < 0.05 else "approved")
    execution = ""
    if approval != "draft" and statuses:
        # Older orders are further along: about one status per three weeks, with some jitter.
        age = (now - spec.created).days
        execution = statuses[max(0, min(len(statuses) - 1, age // 21 + rng.randint(-1, 1)))]
    instalments = rng.choice(_INSTALMENTS)
    start = order + dt.timedelta(days=rng.randint(0, 15))
    amount = spec.manual_amount if spec.manual_amount is not None else lines_total
    updated = min(now, spec.created + dt.timedelta(days=rng.uniform(0, 30)))
    return {"id": contract_id, "number": number, "name": spec.name, "customer_id": spec.customer_id,
            "opportunity_id": spec.opportunity_id, "customer_signer_id": None, "our_signer_id": spec.owner,
            "amount": amount, "amount_manual": spec.manual_amount is not None, "order_date": order,
            "start_date": start, "end_date": start + dt.timedelta(days=rng.choice((90, 180, 365, 365))),
            "payment_terms": _TERMS[instalments][0], "remark": "", "approval_status": approval,
            "execution_status": execution, "received_amount": ZERO, "_instalments": instalments,
            **_record(spec.owner, spec.created, max(updated, spec.created))}


def _plans(rng: random.Random, contract: dict[str, Any], instalments: int, first_id: int, today: dt.date, now: dt.datetime,
           methods: Sequence[str]) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """The contract's instalments (summing to its amount exactly) and the payments made on them."""
    amount: Decimal = contract["amount"]
    ratios = _TERMS[instalments][1]
    order: dt.date = contract["order_date"]
    plans: list[dict[str, object]] = []
    payments: list[dict[str, object]] = []
    if amount <= 0:
        return plans, payments
    left = amount
    when = order + dt.timedelta(days=7)
    for n, ratio in enumerate(ratios, 1):
        part = left if n == len(ratios) else (amount * ratio).quantize(CENT)
        left -= part
        method = rng.choice(methods) if methods else ""
        plan_id = first_id + n - 1
        received = ZERO
        if when <= today:
            roll = rng.random()
            paid = part if roll < 0.78 else ((part / 2).quantize(CENT) if roll < 0.88 else ZERO)
        else:
            paid = part if rng.random() < 0.15 else ZERO
        if paid > 0:
            day = min(today, max(order, when + dt.timedelta(days=rng.randint(-5, 10))))
            local = dt.datetime.combine(day, dt.time(rng.randint(9, 17), rng.randrange(60)), tzinfo=now.astimezone().tzinfo)
            created = min(now, max(contract["created_at"], local.astimezone(dt.timezone.utc)))
            approval = "draft" if today - day < dt.timedelta(days=7) and rng.random() < 0.5 else "approved"
            if approval == "approved":
                received = paid
            payments.append({"contract_id": contract["id"], "customer_id": contract["customer_id"], "plan_id": plan_id,
                             "amount": paid, "paid_date": day, "method": method,
                             "remark": rng.choice(_PAYMENT_REMARKS), "approval_status": approval,
                             **_record(contract["owner_id"], created, created)})
        plans.append({"id": plan_id, "contract_id": contract["id"], "customer_id": contract["customer_id"],
                      "instalment": n, "amount": part, "planned_date": when, "method": method,
                      "remind_days": rng.choice(_REMIND), "reminded_at": None, "received_amount": received,
                      "remark": "", "created_at": contract["created_at"]})
        when += dt.timedelta(days=rng.randint(30, 75))
    return plans, payments


def _link(db: Database, *, first_opportunity: int, first_contract: int) -> None:
    """Set-based: primary contacts join their customer's new opportunities and sign its new
    contracts; customers with an approved (or later voided) contract are dealt customers."""
    with unit_of_work(db, None) as uow:
        s = uow.session
        _sync_id_sequences(s, ["opportunities", "opportunity_lines", "stage_changes", "contracts", "contract_lines",
                               "payment_plans", "payments"])
        s.execute(insert(OpportunityContact).from_select(
            ["opportunity_id", "contact_id"],
            select(Opportunity.id, func.min(Contact.id))
            .join(Contact, and_(Contact.customer_id == Opportunity.customer_id, Contact.is_primary.is_(True),
                                Contact.deleted_at.is_(None)))
            .where(Opportunity.id >= first_opportunity).group_by(Opportunity.id)))
        primary = (select(func.min(Contact.id)).where(Contact.customer_id == Contract.customer_id,
                                                      Contact.is_primary.is_(True), Contact.deleted_at.is_(None))
                   .correlate(Contract).scalar_subquery())
        s.execute(update(Contract).where(Contract.id >= first_contract).values(customer_signer_id=primary),
                  execution_options={"synchronize_session": False})
        signed = (Contract.customer_id == Customer.id, Contract.approval_status.in_(("approved", "voided")),
                  Contract.deleted_at.is_(None))
        newest = select(func.max(Contract.created_at)).where(*signed).correlate(Customer).scalar_subquery()
        s.execute(update(Customer).where(select(Contract.id).where(*signed).correlate(Customer).exists())
                  .values(deal_status="deal", last_deal_at=newest), execution_options={"synchronize_session": False})
        for table in ("products", "opportunities", "contracts", "payment_plans", "payments"):
            s.execute(text(f"ANALYZE {table}"))


__all__ = ["CATALOGUE", "fill_sales", "product_count"]
