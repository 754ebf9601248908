"""Demo customers: realistic Chinese companies, bulk-inserted in batches.

``fill_customers`` writes customers with SQLAlchemy Core, one unit of work per batch: a million
rows must not go through one ORM object each. Names walk a name space of city × 字号 ×
industry word × company form with a prime stride, so they are unique and continue after the
customers already present; owners follow the customer's province.

Thread rule: plain service code; run it off the GUI thread (each batch is its own unit of work).
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from crm_desktop.demo.common import (
    BATCH_SIZE,
    bulk_insert,
    random_mobile,
    record_columns,
)
from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Customer, RolePermission, User, user_roles, utcnow
from crm_desktop.services.errors import RuleViolation
from crm_desktop.services.records.duplicates import normalize_company_name
from crm_desktop.services.records.search import reindex_all
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: Customers' creation times are spread over this many days before now.
HISTORY_DAYS = 730


@dataclass(frozen=True)
class City:
    name: str
    territory: str
    area_code: str
    digits: int
    districts: tuple[str, ...]
    roads: tuple[str, ...]


CITIES = (
    City("厦门", "福建", "0592", 7, ("思明区", "湖里区", "集美区", "海沧区"), ("湖滨南路", "厦禾路", "嘉禾路", "观日路", "吕岭路")),
    City("福州", "福建", "0591", 8, ("鼓楼区", "台江区", "仓山区", "晋安区"), ("五四路", "工业路", "六一中路", "华林路")),
    City("泉州", "福建", "0595", 8, ("丰泽区", "鲤城区", "晋江市", "石狮市"), ("田安路", "泉秀路", "刺桐路", "宝洲路")),
    City("漳州", "福建", "0596", 7, ("芗城区", "龙文区", "龙海区"), ("胜利西路", "水仙大街", "建元路")),
    City("莆田", "福建", "0594", 7, ("城厢区", "荔城区", "涵江区"), ("荔城中大道", "学园南街", "东园路")),
    City("广州", "广东", "020", 8, ("天河区", "越秀区", "海珠区", "番禺区"), ("天河路", "花城大道", "中山五路", "新港中路")),
    City("深圳", "广东", "0755", 8, ("南山区", "福田区", "宝安区", "龙岗区"), ("深南大道", "科苑路", "福华三路", "宝安大道")),
    City("东莞", "广东", "0769", 8, ("南城街道", "东城街道", "长安镇", "松山湖"), ("鸿福路", "东纵大道", "莲峰路", "大学路")),
    City("佛山", "广东", "0757", 8, ("禅城区", "南海区", "顺德区"), ("季华路", "桂澜路", "德胜东路")),
    City("珠海", "广东", "0756", 7, ("香洲区", "金湾区", "斗门区"), ("情侣路", "迎宾南路", "珠海大道")),
    City("上海", "华东", "021", 8, ("浦东新区", "徐汇区", "闵行区", "静安区", "嘉定区"), ("世纪大道", "漕溪北路", "春东路", "南京西路", "碧波路")),
    City("杭州", "华东", "0571", 8, ("西湖区", "滨江区", "余杭区", "拱墅区"), ("文三路", "江南大道", "文一西路", "湖墅南路")),
    City("苏州", "华东", "0512", 8, ("工业园区", "姑苏区", "吴中区", "昆山市"), ("星湖街", "人民路", "东吴北路", "前进西路")),
    City("南京", "华东", "025", 8, ("鼓楼区", "建邺区", "江宁区", "玄武区"), ("中山北路", "江东中路", "双龙大道", "珠江路")),
    City("宁波", "华东", "0574", 8, ("鄞州区", "海曙区", "北仑区", "余姚市"), ("天童南路", "中山西路", "明州路", "阳明西路")),
)

#: Industry (the customer's ``industry`` field) → words that appear in such companies' names.
#: No word appears under two industries, so (city, 字号, word, form) names are unique.
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "软件和信息技术": ("软件", "信息技术", "网络科技", "数据科技"),
    "电子制造": ("电子", "电子科技", "光电"),
    "机械设备": ("机械", "机电设备", "自动化设备"),
    "建筑工程": ("建设工程", "建筑装饰", "工程"),
    "批发零售": ("贸易", "商贸", "实业"),
    "医疗健康": ("医疗器械", "生物科技", "医药"),
    "食品饮料": ("食品", "茶业", "饮品"),
    "纺织服装": ("服饰", "纺织", "鞋业"),
    "物流运输": ("物流", "供应链管理", "国际货运代理"),
    "教育培训": ("教育科技", "培训"),
    "新能源": ("新能源", "光伏科技", "储能科技"),
    "汽车及零部件": ("汽车零部件", "汽车服务"),
    "广告传媒": ("文化传媒", "广告"),
    "化工材料": ("化工", "新材料"),
    "房地产": ("置业", "物业管理"),
}
_NAME_WORDS = tuple((industry, word) for industry, words in INDUSTRIES.items() for word in words)
_BRAND_CHARS = "华盛鑫瑞宏泰恒达嘉博永兴安信诚明海丰源融创德鼎卓凯旭晨天联正"
BRANDS = tuple(a + b for a in _BRAND_CHARS for b in _BRAND_CHARS if a != b)
_FORMS = ("{city}{brand}{word}有限公司", "{city}{brand}{word}股份有限公司",
          "{brand}{word}（{city}）有限公司", "{city}市{brand}{word}有限责任公司")
_NAME_SPACE = len(CITIES) * len(BRANDS) * len(_NAME_WORDS) * len(_FORMS)
#: A prime that shares no factor with the name space: i → i·P mod N visits every name once.
_STRIDE = 1_299_709
_LEVELS = ("A",) * 15 + ("B",) * 35 + ("C",) * 50
_REMARKS = ("",) * 12 + ("老客户转介绍", "展会获取，需尽快回访", "对价格较敏感", "年底有采购预算",
                         "决策人为总经理", "已发报价单，等待反馈", "官网咨询", "需要上门演示")
_BUILDINGS = ("", "", "", "金融中心", "科技大厦", "国际商务中心", "创业园", "广场")


def _customer_name(slot: int) -> tuple[str, City, str]:
    """The ``slot``-th name of the name space (a mixed-radix digit per part)."""
    lap, j = divmod(slot, _NAME_SPACE)
    j, c = divmod(j, len(CITIES))
    j, b = divmod(j, len(BRANDS))
    f, w = divmod(j, len(_NAME_WORDS))
    city = CITIES[c]
    industry, word = _NAME_WORDS[w]
    name = _FORMS[f].format(city=city.name, brand=BRANDS[b], word=word)
    if lap:  # only past ~2 million customers
        name += f"第{lap + 1}分公司"
    return name, city, industry


def _phone(rng: random.Random, city: City) -> str:
    if rng.random() < 0.4:
        return random_mobile(rng)
    first = rng.randrange(2, 9)
    return f"{city.area_code}-{first}{rng.randrange(10 ** (city.digits - 1)):0{city.digits - 1}d}"


def _address(rng: random.Random, city: City) -> str:
    building = rng.choice(_BUILDINGS)
    tail = f"{building}{rng.randrange(2, 32)}{rng.randrange(1, 20):02d}室" if building else ""
    return f"{city.name}市{rng.choice(city.districts)}{rng.choice(city.roads)}{rng.randrange(1, 999)}号{tail}"


def sales_owner_ids(db: Database) -> list[int]:
    """Enabled users whose roles let them create customers: who owns customers by default."""
    with read_only(db, None) as uow:
        ids = uow.session.scalars(
            select(User.id).join(user_roles, user_roles.c.user_id == User.id)
            .join(RolePermission, RolePermission.role_id == user_roles.c.role_id)
            .where(User.enabled.is_(True), RolePermission.module == "customer", RolePermission.action == "create")
            .distinct().order_by(User.id)
        ).all()
        if not ids:
            ids = uow.session.scalars(select(User.id).where(User.enabled.is_(True)).order_by(User.id)).all()
        return list(ids)


def fill_customers(
    db: Database,
    *,
    count: int,
    seed: int = 7,
    owner_ids: Sequence[int] | None = None,
    owners_by_territory: Mapping[str, Sequence[int]] | None = None,
    batch_size: int = BATCH_SIZE,
    now: dt.datetime | None = None,
    reindex: bool = True,
) -> Iterator[tuple[int, int, str]]:
    """Insert ``count`` realistic customers in bulk, yielding ``(done, total, text)`` per batch.

    A system operation (no actor): used by demo set-up and benchmarks on a database the
    caller controls. Owners are ``owners_by_territory[province]`` for a customer in that
    province when given, else drawn from ``owner_ids`` (default: ``sales_owner_ids``); the
    creator is the owner. Each batch is a unit of work of its own (called on its own, an
    interrupted fill keeps the batches already written; ``create_demo_company`` runs it
    inside its one transaction, where a batch is a savepoint). Names continue after the customers already present, so
    filling twice does not repeat names. ``reindex=False`` leaves the search index to the
    caller (who bulk-inserts more and calls ``reindex_all`` once at the end).
    """
    pool = list(owner_ids) if owner_ids is not None else sales_owner_ids(db)
    if not pool:
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "There is no user to own the demo customers."))
    territories = {k: list(v) for k, v in (owners_by_territory or {}).items() if v}
    rng = random.Random(seed)
    now = now or utcnow()
    span = dt.timedelta(days=HISTORY_DAYS).total_seconds()
    with read_only(db, None) as uow:
        start = uow.session.scalar(select(func.count(Customer.id))) or 0
    offset = rng.randrange(_NAME_SPACE)
    done = 0
    yield 0, count, f"Inserting {count} customers"
    while done < count:
        size = min(batch_size, count - done)
        rows: list[dict[str, object]] = []
        for i in range(done, done + size):
            slot = (offset + (start + i) * _STRIDE) % _NAME_SPACE + (start + i) // _NAME_SPACE * _NAME_SPACE
            name, city, industry = _customer_name(slot)
            owner = rng.choice(territories.get(city.territory) or pool)
            # Creation times grow with the id (as real data does), with some jitter.
            created = now - dt.timedelta(seconds=span * (1 - (i + rng.random()) / count))
            updated = min(now, created + dt.timedelta(seconds=rng.random() * 90 * 86_400))
            rows.append({
                "name": name, "phone": _phone(rng, city), "level": rng.choice(_LEVELS),
                "industry": industry, "address": _address(rng, city), "remark": rng.choice(_REMARKS),
                **record_columns(owner, created, updated),
                # Core inserts skip the ORM listener that keeps the duplicate-check key.
                "normalized_name": normalize_company_name(name),
            })
        # Bulk demo rows are generated, not entered by anyone: no audit rows and no domain
        # events (nothing happened that automation or other windows should react to).
        with unit_of_work(db, None) as uow:
            bulk_insert(uow.session, Customer, rows)
        done += size
        yield done, count, f"Inserted {done} of {count} customers"
    if reindex:
        # Triggers copied the searchable text; the pinyin initials need Python (search.py).
        yield done, count, "Indexing for search"
        reindex_all(db)
