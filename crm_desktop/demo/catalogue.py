"""Demo product catalogue: 产品 in a category tree, and the product lines sold from it.

The catalogue is a fixed list of a software and IT-services company's goods; a demo lists a
prefix of it that grows with the company (``product_count``), taken round-robin over the
sub-categories so that every category is used. Opportunities and contracts draw their lines
from the on-shelf products (``random_lines``) and turn them into line rows whose subtotals
are exactly those ``product_lines.subtotal`` computes (``line_rows``).

Thread rule: plain service code; run it off the GUI thread.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import insert

from crm_desktop.demo.common import (
    bulk_insert,
    next_id,
    record_columns,
    sync_id_sequences,
)
from crm_desktop.models import Product, ProductCategory
from crm_desktop.services.sales.product_lines import subtotal
from crm_desktop.services.uow import unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

ZERO = Decimal("0.00")


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
MIN_PRODUCTS, MAX_PRODUCTS = 30, 60
#: One more product per this many customers (between the two bounds above).
CUSTOMERS_PER_PRODUCT = 500
#: How many of a unit a line sells (inclusive range).
_QUANTITIES = {"套": (1, 1), "用户/年": (10, 200), "台": (1, 20), "人天": (5, 60), "年": (1, 3), "个": (1, 30),
               "项": (1, 1), "次": (1, 5), "人次": (2, 20), "场": (1, 4), "天": (1, 5)}
_DISCOUNTS = ("0",) * 5 + ("5", "8", "10", "10", "12", "15", "20")
#: A line to sell: (product index in the catalogue, selling price, quantity, discount %).
Line = tuple[int, Decimal, Decimal, Decimal]


@dataclass(frozen=True)
class Catalogue:
    """The inserted products, by their index in the catalogue (what a line refers to)."""

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


def insert_catalogue(db: Database, owner: int, count: int, now: dt.datetime) -> Catalogue:
    """Insert the first ``count`` products (owned by ``owner``) and their categories, in one unit of work."""
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
        first = next_id(s, Product)
        born = now - dt.timedelta(days=800)
        rows = []
        for i, (_top, sub, _theme, (name, code, unit, price, description)) in enumerate(chosen):
            created = born + dt.timedelta(days=3 * i, hours=9)
            rows.append({"id": first + i, "name": name, "code": code, "category_id": subs[sub], "unit": unit,
                         "price": Decimal(price), "description": description, "on_shelf": i % 8 != 5,
                         **record_columns(owner, created, created + dt.timedelta(days=30))})
        bulk_insert(s, Product, rows)
        sync_id_sequences(s, ["products"])
    return Catalogue(
        ids=[r["id"] for r in rows], names=[r["name"] for r in rows], codes=[r["code"] for r in rows],
        units=[r["unit"] for r in rows], prices=[r["price"] for r in rows], themes=[c[2] for c in chosen],
        on_shelf=[i for i, r in enumerate(rows) if r["on_shelf"]])


def random_lines(rng: random.Random, cat: Catalogue) -> list[Line]:
    """1–3 lines of on-shelf products: (product index, selling price, quantity, discount %)."""
    picks = rng.sample(cat.on_shelf, rng.choice((1, 1, 2, 2, 3)))
    out = []
    for i in picks:
        low, high = _QUANTITIES.get(cat.units[i], (1, 5))
        out.append((i, cat.prices[i], Decimal(rng.randint(low, high)), Decimal(rng.choice(_DISCOUNTS))))
    return out


def line_rows(cat: Catalogue, parent: str, parent_id: int, lines: Sequence[Line]
              ) -> tuple[list[dict[str, object]], Decimal]:
    """The line rows of one opportunity or contract (``parent`` names its id column), and their total."""
    rows, total = [], ZERO
    for n, (i, price, quantity, discount) in enumerate(lines):
        sub = subtotal(price, quantity, discount)
        total += sub
        rows.append({parent: parent_id, "position": n, "product_id": cat.ids[i], "product_name": cat.names[i],
                     "product_code": cat.codes[i], "unit": cat.units[i], "standard_price": cat.prices[i],
                     "price": price, "quantity": quantity, "discount": discount, "subtotal": sub, "remark": ""})
    return rows, total

