"""Demo data: a realistic Chinese sales company for trying the app, screenshots and benchmarks.

``create_demo_company`` builds 厦门星辰科技有限公司 on an empty database through the ordinary
services (departments, roles, users), so the organisation is exactly as valid as one an
administrator would build by hand. Customers are then bulk-inserted with SQLAlchemy Core in
batches (``fill_customers``): a million rows must not go through one ORM object each.
``fill_related`` then gives them contacts, follow-ups and leads in proportion the same way and
opens the public pool 公海 with the customers left quiet in it; ``demo_sales.fill_sales`` adds
the product catalogue, opportunities, contracts, payment plans and payments in proportion; the
search index is rebuilt once at the very end.

Thread rule: plain service code; run it off the GUI thread (each batch is its own unit of work).
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, func, insert, literal, literal_column, select, update
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Contact, Customer, FollowUp, Lead, PoolEvent, RolePermission, User, user_roles, utcnow
from crm_desktop.services import auth, departments, roles
from crm_desktop.services import pool as pool_service
from crm_desktop.services import users as user_service
from crm_desktop.services.actor import Actor
from crm_desktop.services.duplicates import normalize_company_name
from crm_desktop.services.errors import RuleViolation
from crm_desktop.services.search import reindex_all
from crm_desktop.services.permissions import MODULES, DataScope
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

COMPANY = "厦门星辰科技有限公司"
ADMIN_MOBILE = "13800000000"
ADMIN_PASSWORD = "admin1234"
#: Every demo user other than the super administrator logs in with this password.
DEMO_PASSWORD = "demo1234"
EMAIL_DOMAIN = "xingchen-tech.cn"
BATCH_SIZE = 5_000
#: Customers' creation times are spread over this many days before now.
HISTORY_DAYS = 730

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
#: The product catalogue has no data scope: who may see or maintain it is granted here.
_PRODUCT_VIEW = (("product", "view"),)
_PRODUCT_EDIT = (("product", "view"), ("product", "create"), ("product", "edit"), ("product", "export"))

ROLES: tuple[RoleSpec, ...] = (
    RoleSpec("销售代表", "一线销售：只看自己负责的客户", ("view", "create", "edit", "convert"), DataScope.SELF,
             _POOL_CLAIM),
    RoleSpec("销售经理", "分部经理：看本人及下属的客户，可转移、导出、放入公海",
             ("view", "create", "edit", "transfer", "export", "put_in_pool", "convert"), DataScope.SUBORDINATES,
             _POOL_ASSIGN),
    RoleSpec("大区总监", "大区/销售负责人：看本部门及下级部门的客户",
             ("view", "create", "edit", "delete", "transfer", "import", "export", "put_in_pool", "convert"),
             DataScope.DEPARTMENT_TREE, _POOL_ASSIGN),
    RoleSpec("财务", "财务：查看全部客户，可导出", ("view", "export"), DataScope.ALL, _PRODUCT_VIEW),
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

_SURNAMES = (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
             ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
             ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
             ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
             ("许", "xu"), ("邓", "deng"), ("冯", "feng"), ("韩", "han"), ("曹", "cao"), ("蔡", "cai"))
_GIVEN_MALE = (("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("杰", "jie"), ("涛", "tao"),
               ("斌", "bin"), ("超", "chao"), ("浩然", "haoran"), ("子轩", "zixuan"), ("宇航", "yuhang"),
               ("俊杰", "junjie"), ("建国", "jianguo"), ("志明", "zhiming"), ("文博", "wenbo"), ("鹏", "peng"))
_GIVEN_FEMALE = (("芳", "fang"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("婷", "ting"), ("雪", "xue"),
                 ("慧", "hui"), ("佳怡", "jiayi"), ("欣怡", "xinyi"), ("梦琪", "mengqi"), ("雨涵", "yuhan"),
                 ("晓燕", "xiaoyan"), ("秀英", "xiuying"), ("思琪", "siqi"), ("玉兰", "yulan"), ("倩", "qian"))
_MOBILE_PREFIXES = ("135", "136", "137", "139", "150", "151", "152", "158", "159", "186", "187", "188", "189")


def _extra_reps(count: int, rng: random.Random, taken_mobiles: set[str], taken_emails: set[str]) -> list[PersonSpec]:
    people: list[PersonSpec] = []
    for i in range(count):
        sur, sur_py = rng.choice(_SURNAMES)
        gender = rng.choice(("male", "female"))
        given, given_py = rng.choice(_GIVEN_MALE if gender == "male" else _GIVEN_FEMALE)
        mobile = ""
        while not mobile or mobile in taken_mobiles:
            mobile = rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
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


# --- customers --------------------------------------------------------------------------

@dataclass(frozen=True)
class _City:
    name: str
    territory: str
    area_code: str
    digits: int
    districts: tuple[str, ...]
    roads: tuple[str, ...]


_CITIES = (
    _City("厦门", "福建", "0592", 7, ("思明区", "湖里区", "集美区", "海沧区"), ("湖滨南路", "厦禾路", "嘉禾路", "观日路", "吕岭路")),
    _City("福州", "福建", "0591", 8, ("鼓楼区", "台江区", "仓山区", "晋安区"), ("五四路", "工业路", "六一中路", "华林路")),
    _City("泉州", "福建", "0595", 8, ("丰泽区", "鲤城区", "晋江市", "石狮市"), ("田安路", "泉秀路", "刺桐路", "宝洲路")),
    _City("漳州", "福建", "0596", 7, ("芗城区", "龙文区", "龙海区"), ("胜利西路", "水仙大街", "建元路")),
    _City("莆田", "福建", "0594", 7, ("城厢区", "荔城区", "涵江区"), ("荔城中大道", "学园南街", "东园路")),
    _City("广州", "广东", "020", 8, ("天河区", "越秀区", "海珠区", "番禺区"), ("天河路", "花城大道", "中山五路", "新港中路")),
    _City("深圳", "广东", "0755", 8, ("南山区", "福田区", "宝安区", "龙岗区"), ("深南大道", "科苑路", "福华三路", "宝安大道")),
    _City("东莞", "广东", "0769", 8, ("南城街道", "东城街道", "长安镇", "松山湖"), ("鸿福路", "东纵大道", "莲峰路", "大学路")),
    _City("佛山", "广东", "0757", 8, ("禅城区", "南海区", "顺德区"), ("季华路", "桂澜路", "德胜东路")),
    _City("珠海", "广东", "0756", 7, ("香洲区", "金湾区", "斗门区"), ("情侣路", "迎宾南路", "珠海大道")),
    _City("上海", "华东", "021", 8, ("浦东新区", "徐汇区", "闵行区", "静安区", "嘉定区"), ("世纪大道", "漕溪北路", "春东路", "南京西路", "碧波路")),
    _City("杭州", "华东", "0571", 8, ("西湖区", "滨江区", "余杭区", "拱墅区"), ("文三路", "江南大道", "文一西路", "湖墅南路")),
    _City("苏州", "华东", "0512", 8, ("工业园区", "姑苏区", "吴中区", "昆山市"), ("星湖街", "人民路", "东吴北路", "前进西路")),
    _City("南京", "华东", "025", 8, ("鼓楼区", "建邺区", "江宁区", "玄武区"), ("中山北路", "江东中路", "双龙大道", "珠江路")),
    _City("宁波", "华东", "0574", 8, ("鄞州区", "海曙区", "北仑区", "余姚市"), ("天童南路", "中山西路", "明州路", "阳明西路")),
)

#: Industry (the customer's ``industry`` field) → words that appear in such companies' names.
#: No word appears under two industries, so (city, 字号, word, form) names are unique.
_INDUSTRIES: dict[str, tuple[str, ...]] = {
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
_NAME_WORDS = tuple((industry, word) for industry, words in _INDUSTRIES.items() for word in words)
_BRAND_CHARS = "华盛鑫瑞宏泰恒达嘉博永兴安信诚明海丰源融创德鼎卓凯旭晨天联正"
_BRANDS = tuple(a + b for a in _BRAND_CHARS for b in _BRAND_CHARS if a != b)
_FORMS = ("{city}{brand}{word}有限公司", "{city}{brand}{word}股份有限公司",
          "{brand}{word}（{city}）有限公司", "{city}市{brand}{word}有限责任公司")
_NAME_SPACE = len(_CITIES) * len(_BRANDS) * len(_NAME_WORDS) * len(_FORMS)
#: A prime that shares no factor with the name space: i → i·P mod N visits every name once.
_STRIDE = 1_299_709
_LEVELS = ("A",) * 15 + ("B",) * 35 + ("C",) * 50
_REMARKS = ("",) * 12 + ("老客户转介绍", "展会获取，需尽快回访", "对价格较敏感", "年底有采购预算",
                         "决策人为总经理", "已发报价单，等待反馈", "官网咨询", "需要上门演示")
_BUILDINGS = ("", "", "", "金融中心", "科技大厦", "国际商务中心", "创业园", "广场")


def _customer_name(slot: int) -> tuple[str, _City, str]:
    """The ``slot``-th name of the name space (a mixed-radix digit per part)."""
    lap, j = divmod(slot, _NAME_SPACE)
    j, c = divmod(j, len(_CITIES))
    j, b = divmod(j, len(_BRANDS))
    f, w = divmod(j, len(_NAME_WORDS))
    city = _CITIES[c]
    industry, word = _NAME_WORDS[w]
    name = _FORMS[f].format(city=city.name, brand=_BRANDS[b], word=word)
    if lap:  # only past ~2 million customers
        name += f"第{lap + 1}分公司"
    return name, city, industry


def _phone(rng: random.Random, city: _City) -> str:
    if rng.random() < 0.4:
        return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    first = rng.randrange(2, 9)
    return f"{city.area_code}-{first}{rng.randrange(10 ** (city.digits - 1)):0{city.digits - 1}d}"


def _address(rng: random.Random, city: _City) -> str:
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
    creator is the owner. Each batch is committed on its own, so an interrupted fill keeps
    the batches already written. Names continue after the customers already present, so
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
                "owner_id": owner, "creator_id": owner, "created_at": created, "updated_at": updated,
                "version": 1, "custom": {},
                # Core inserts skip the ORM listener that keeps the duplicate-check key.
                "normalized_name": normalize_company_name(name),
            })
        # Bulk demo rows are generated, not entered by anyone: no audit rows and no domain
        # events (nothing happened that automation or other windows should react to).
        with unit_of_work(db, None) as uow:
            uow.session.execute(insert(Customer), rows)
        done += size
        yield done, count, f"Inserted {done} of {count} customers"
    if reindex:
        # Triggers copied the searchable text; the pinyin initials need Python (search.py).
        yield done, count, "Indexing for search"
        reindex_all(db)


# --- contacts, follow-ups, leads and the public pool --------------------------------------

#: (position, decision maker?) of customers' contacts; the first ones come up more often.
_POSITIONS = (("总经理", True), ("采购经理", True), ("采购专员", False), ("技术总监", True), ("财务经理", False),
              ("行政主管", False), ("项目经理", False), ("IT 主管", False), ("副总经理", True), ("办公室主任", False))
_MAIL_HOSTS = ("163.com", "qq.com", "126.com", "sina.com")
#: How many contacts / follow-ups a customer gets (means ≈1.5 and ≈2).
_CONTACT_COUNTS = (0,) * 10 + (1,) * 45 + (2,) * 30 + (3,) * 15
_FOLLOWUP_COUNTS = (1,) * 30 + (2,) * 40 + (3,) * 30
#: Follow-up kinds (values of the "followup_kind" dictionary), weighted, with what was said.
_FOLLOWUP_KINDS = ("phone",) * 4 + ("wechat",) * 3 + ("visit",) * 2 + ("email",) * 1
_FOLLOWUP_TEXTS: dict[str, tuple[str, ...]] = {
    "phone": ("电话沟通采购计划，客户预计下季度启动项目", "电话回访，客户对报价基本认可，需内部审批",
              "致电采购经理，约定下周上门演示", "电话确认合同条款，客户希望账期 60 天", "客户来电咨询售后服务政策",
              "电话联系未接通，稍后再跟进"),
    "wechat": ("微信发送产品资料和成功案例，客户已查看", "微信沟通报价细节，客户希望再优惠 5%",
               "微信提醒客户参加下周的产品发布会", "客户微信反馈试用情况良好"),
    "visit": ("上门拜访总经理，演示系统功能，反馈积极", "拜访客户现场，了解现有流程和痛点",
              "陪同技术人员上门调研需求", "上门洽谈年度合作框架，客户有意向"),
    "email": ("邮件发送正式报价单及配置清单", "邮件回复客户的技术问题", "发送合同草稿，等待客户法务审核",
              "邮件发送季度服务报告"),
}
#: Customers whose owner has let them go quiet; the demo's pool takes most of them.
_NEGLECTED = 0.035
_LEADS_PER_CUSTOMER = 0.3
_LEAD_STATUSES = ("new",) * 35 + ("following",) * 30 + ("converted",) * 20 + ("invalid",) * 15
_LEAD_SOURCES = ("referral", "exhibition", "website", "ads", "cold_call")
_LEAD_SUFFIXES = ("商行", "经营部", "工作室", "贸易商行", "门市部")
_INVALID_REASONS = ("电话为空号", "无采购需求", "重复线索", "同行咨询", "多次联系不上", "预算太低")
_LEAD_KINDS = ("phone", "phone", "wechat")
_LEAD_TEXTS = ("电话初步沟通，客户有采购意向", "已加微信，发送产品介绍", "客户索要报价，已发送", "约定下周电话回访")
#: The demo's public pool: recycle after this many days without a follow-up.
POOL_NAME = "公海"
POOL_DAYS = 30


def _person(rng: random.Random) -> tuple[str, str, str]:
    """A Chinese name, its gender and its pinyin (for e-mail and WeChat ids)."""
    sur, sur_py = rng.choice(_SURNAMES)
    gender = "male" if rng.random() < 0.6 else "female"
    given, given_py = rng.choice(_GIVEN_MALE if gender == "male" else _GIVEN_FEMALE)
    return sur + given, gender, sur_py + given_py


def _mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def _at(rng: random.Random, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    return low + (high - low) * rng.random() if high > low else high


def _record(owner: int | None, created: dt.datetime, updated: dt.datetime) -> dict[str, object]:
    return {"owner_id": owner, "creator_id": owner, "created_at": created, "updated_at": updated,
            "version": 1, "custom": {}}


def _followups(rng: random.Random, entity: str, target: int, owner: int, times: Sequence[dt.datetime],
               texts: Sequence[str] = (), kinds: Sequence[str] = _FOLLOWUP_KINDS) -> list[dict[str, object]]:
    rows = []
    for at in times:
        kind = rng.choice(kinds)
        nxt = at + dt.timedelta(days=rng.randrange(2, 15)) if rng.random() < 0.7 else None
        rows.append({"target_entity": entity, "target_id": target, "kind": kind, "followed_at": at,
                     "content": rng.choice(texts or _FOLLOWUP_TEXTS[kind]), "next_contact_at": nxt,
                     **_record(owner, at, at)})
    return rows


def _summarize(session: Session, model: type[Customer] | type[Lead], entity: str, low: int, high: int) -> None:
    """Set-based: the summary columns of ids ``low..high`` from each one's newest follow-up."""
    def newest(col: ColumnElement[Any]) -> ColumnElement[Any]:
        return (select(col).where(FollowUp.target_entity == entity, FollowUp.target_id == model.id,
                                  FollowUp.deleted_at.is_(None))
                .order_by(FollowUp.followed_at.desc(), FollowUp.id.desc()).limit(1)
                .correlate(model).scalar_subquery())
    has_one = (select(FollowUp.id).where(FollowUp.target_entity == entity, FollowUp.target_id == model.id)
               .correlate(model).exists())
    session.execute(
        update(model).where(model.id.between(low, high), has_one).values(
            last_followup_at=newest(FollowUp.followed_at), last_followup_content=newest(FollowUp.content),
            next_contact_at=newest(FollowUp.next_contact_at)),
        execution_options={"synchronize_session": False})


def _customer_rows(rng: random.Random, cid: int, owner: int, created: dt.datetime, name: str, address: str,
                   industry: str, level: str, now: dt.datetime, leads: list[dict[str, object]]
                   ) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """One customer's contacts and follow-ups; its lead (if any) is appended to ``leads``."""
    contacts = []
    for k in range(rng.choice(_CONTACT_COUNTS)):
        person, gender, py = _person(rng)
        position, decides = _POSITIONS[min(int(rng.expovariate(0.35)), len(_POSITIONS) - 1)]
        at = _at(rng, created, now)
        contacts.append({
            "customer_id": cid, "name": person, "gender": gender, "position": position, "mobile": _mobile(rng),
            "email": f"{py}{rng.randrange(10, 99)}@{rng.choice(_MAIL_HOSTS)}" if rng.random() < 0.4 else "",
            "wechat": f"wx_{py}{rng.randrange(100, 999)}" if rng.random() < 0.5 else "",
            "is_primary": k == 0, "decision_maker": decides, **_record(owner, at, _at(rng, at, now)),
        })
    low = max(created, now - dt.timedelta(days=90))
    if rng.random() < _NEGLECTED:  # quiet for over 45 days: the pool's candidates
        quiet = now - dt.timedelta(days=46)
        times = sorted(_at(rng, low, quiet) for _ in range(rng.randrange(3))) if low < quiet else []
    else:  # the newest within the recycle rule's 30 days (less 3 days' reminder), older ones before it
        newest = _at(rng, max(low, now - dt.timedelta(days=27)), now)
        times = sorted(_at(rng, low, newest) for _ in range(rng.choice(_FOLLOWUP_COUNTS) - 1)) + [newest]
    followups = _followups(rng, "customer", cid, owner, times)
    if rng.random() < _LEADS_PER_CUSTOMER:
        status = rng.choice(_LEAD_STATUSES)
        person, _gender, _py = _person(rng)
        lead: dict[str, object] = {
            "contact_name": person, "mobile": _mobile(rng), "source": rng.choice(_LEAD_SOURCES),
            "industry": industry, "level": level, "address": address, "status": status, "invalid_reason": "",
            "converted_customer_id": None, "converted_at": None, "remark": "",
        }
        if status == "converted":  # the lead this customer came from
            born = created - dt.timedelta(days=rng.randrange(1, 30), seconds=rng.randrange(86_400))
            lead.update(name=name, converted_customer_id=cid, converted_at=created, **_record(owner, born, created))
        else:  # a small business in the customer's city that the same owner is working on
            city = address.split("市", 1)[0]
            born = now - dt.timedelta(days=180 * rng.random())
            word = rng.choice(_INDUSTRIES[industry])
            lead.update(name=f"{city}{rng.choice(_BRANDS)}{word}{rng.choice(_LEAD_SUFFIXES)}",
                        **_record(owner, born, _at(rng, born, now)))
            if status == "invalid":
                lead["invalid_reason"] = rng.choice(_INVALID_REASONS)
        leads.append(lead)
    return contacts, followups


def fill_related(
    db: Database,
    actor: Actor,
    *,
    pool_members: Sequence[pool_service.PoolMemberInput],
    seed: int = 7,
    after_id: int = 0,
    batch_size: int = BATCH_SIZE,
    now: dt.datetime | None = None,
) -> Iterator[tuple[int, int, str]]:
    """Give the customers with id > ``after_id`` contacts, follow-ups and leads in proportion,
    then open the public pool 公海 (members ``pool_members``, recycle after 30 days without a
    follow-up) and put the customers left quiet for over 45 days (≈3%) into it.

    Per customer: ≈1.5 contacts (the first is primary; the customer's owner owns them), ≈2
    follow-ups in the last 90 days (the newest within 27 days, except the quiet ones), ≈0.3
    leads (new, following, converted into this customer, or invalid with a reason). Bulk Core
    inserts, one unit of work per batch of customers, no audit rows or events (as
    ``fill_customers``); the summary columns follow the newest follow-up by set-based UPDATEs.
    The pool is created through ``services.pool`` as ``actor`` (audited). Yields
    ``(done, total, text)``. The search index is not rebuilt: call ``reindex_all`` afterwards.
    """
    rng = random.Random(seed * 7919 + 1)
    now = now or utcnow()
    with read_only(db, None) as uow:
        total = uow.session.scalar(select(func.count(Customer.id)).where(Customer.id > after_id)) or 0
        last_lead = uow.session.scalar(select(func.max(Lead.id))) or 0
    done, last = 0, after_id
    yield 0, total, f"Adding contacts, follow-ups and leads to {total} customers"
    while True:
        with unit_of_work(db, None) as uow:
            s = uow.session
            batch = s.execute(select(Customer.id, Customer.owner_id, Customer.created_at, Customer.name,
                                     Customer.address, Customer.industry, Customer.level)
                              .where(Customer.id > last, Customer.owner_id.is_not(None))
                              .order_by(Customer.id).limit(batch_size)).all()
            if not batch:
                break
            contacts: list[dict[str, object]] = []
            followups: list[dict[str, object]] = []
            leads: list[dict[str, object]] = []
            for row in batch:
                more_contacts, more_followups = _customer_rows(rng, *row, now, leads)
                contacts += more_contacts
                followups += more_followups
            for model, rows in ((Contact, contacts), (FollowUp, followups), (Lead, leads)):
                if rows:
                    s.execute(insert(model), rows)
            _summarize(s, Customer, "customer", batch[0].id, batch[-1].id)
            # Leads being worked on have follow-ups of their own (ids read back in insert order).
            lead_followups: list[dict[str, object]] = []
            first_lead = last_lead + 1
            for lid, owner, born, status, reason in s.execute(
                    select(Lead.id, Lead.owner_id, Lead.created_at, Lead.status, Lead.invalid_reason)
                    .where(Lead.id > last_lead).order_by(Lead.id)):
                last_lead = lid
                if status == "following":
                    times = sorted(_at(rng, born, now) for _ in range(rng.randrange(1, 3)))
                    lead_followups += _followups(rng, "lead", lid, owner, times, _LEAD_TEXTS, _LEAD_KINDS)
                elif status == "invalid":
                    lead_followups += _followups(rng, "lead", lid, owner, [_at(rng, born, now)],
                                                 (f"确认无效：{reason}",), _LEAD_KINDS)
            if lead_followups:
                s.execute(insert(FollowUp), lead_followups)
                _summarize(s, Lead, "lead", first_lead, last_lead)
        done += len(batch)
        last = batch[-1].id
        yield done, total, f"Added contacts, follow-ups and leads to {done} of {total} customers"
    yield done, total, "Opening the public pool"
    pool_id = pool_service.create_pool(db, actor, pool_service.PoolInput(
        name=POOL_NAME, daily_claim_limit=20, owned_cap=0, reclaim_cooldown_days=7, remind_days=3,
        members=tuple(pool_members), rules=(pool_service.PoolRuleInput("no_followup", POOL_DAYS),))).id
    _pool_quiet_customers(db, pool_id, after_id=after_id, now=now)


def _pool_quiet_customers(db: Database, pool_id: int, *, after_id: int, now: dt.datetime) -> None:
    """Set-based: customers quiet for over 30 days as of one of five recycle runs in the last
    two weeks move into the pool (owner cleared, previous owner kept), with a "recycle" event."""
    since = func.coalesce(Customer.last_followup_at, Customer.created_at)
    with unit_of_work(db, None) as uow:
        # An empty JSON object as SQL text (PostgreSQL would take an untyped literal as text).
        empty = literal_column("'{}'::jsonb" if uow.session.get_bind().dialect.name == "postgresql" else "'{}'")
        for days_ago in (14, 10, 6, 3, 1):  # oldest run first: each takes what was due by then
            pooled = now - dt.timedelta(days=days_ago, hours=1)
            uow.session.execute(
                update(Customer).where(
                    Customer.id > after_id, Customer.pool_id.is_(None), Customer.owner_id.is_not(None),
                    Customer.deleted_at.is_(None), Customer.locked.is_(False), Customer.deal_status != "deal",
                    since < pooled - dt.timedelta(days=POOL_DAYS))
                .values(pool_id=pool_id, pooled_at=pooled, previous_owner_id=Customer.owner_id, owner_id=None),
                execution_options={"synchronize_session": False})
        uow.session.execute(insert(PoolEvent).from_select(
            ["pool_id", "customer_id", "kind", "user_id", "reason", "at", "details"],
            select(Customer.pool_id, Customer.id, literal("recycle"), Customer.previous_owner_id,
                   literal(f"超过 {POOL_DAYS} 天未跟进"), Customer.pooled_at, empty)
            .where(Customer.pool_id == pool_id, Customer.id > after_id)))


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
    as the work advances (from the calling thread).
    """
    if users < len(CORE):
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The demo company needs at least {count} users."),
                            count=len(CORE))
    if customers < 0:
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The number of customers cannot be negative."))
    if not auth.needs_setup(db):
        raise RuleViolation(QT_TRANSLATE_NOOP(
            "errors", "This database is already set up. Demo data can only be added to a new, empty database."))
    report = progress or (lambda done, total, text: None)
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
    from crm_desktop.services.schema import DictionaryItemDTO, get_dictionary, set_dictionary

    standard = get_dictionary(db, admin, "industry", include_disabled=True)
    set_dictionary(db, admin, "industry", [*standard, *(DictionaryItemDTO(name, name) for name in _INDUSTRIES)])
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
    from crm_desktop.services.demo_sales import fill_sales  # it builds on this module's helpers

    # The catalogue belongs to 市场部 (its 市场专员 maintains it); the sales chain to customers' owners.
    for done, total, text in fill_sales(db, owner_id=user_ids["market"], seed=seed):
        report(done, total, text)
    # Once, after every bulk insert: the pinyin initials of customers, contacts and leads.
    report(customers, customers, "Indexing for search")
    reindex_all(db)
    return admin
