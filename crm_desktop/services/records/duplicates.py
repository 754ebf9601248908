"""The duplicate-claim check (撞单): does the customer or lead being saved exist already?

Two sales reps must not both register the same company. Before a lead or customer is saved
its name, phone, mobile, e-mail and unified social credit code are compared with every live
lead and customer — **including those outside the actor's data scope** (that is the point) —
and the candidates are shown with their owners. For records the actor may not see, a
candidate carries only the name, the owner's name and which field matched: no id, no values.

- exact: same name; same phone/mobile compared on digits only (spaces, dashes, +86 dropped;
  the phone and mobile fields are compared crosswise); same e-mail (case-insensitive); same
  credit code (customers only).
- similar: same ``normalize_company_name`` key (有限公司, 集团, region words … dropped).
  Customers: ``Customer.normalized_name`` (indexed; the customer service must keep it
  filled) and, for rows where it is empty, the name itself. Leads have no such column: the
  candidates are narrowed with the search index (name contains the key) and the key is
  computed in Python for those few rows. A lead spelled with a bracket inside the key
  ("星辰（厦门）科技") is therefore only found through its other fields — a documented gap.

Phone, e-mail and credit-code lookups also go through the search index (services.search):
it narrows by substring in an index, and the exact comparison is made in Python.
On a secure server (issue 17) a user's own role cannot read the records outside its scope:
the narrowed rows (``candidate_rows``) then come from the SECURITY DEFINER function
``crm_duplicate_candidates`` (services/maintenance/server_duplicates.py), which narrows the
same way and tells only the compared value that matched; whether a candidate is visible is
still asked of the user's own scope, under the server's row-level security.

A company setting ``duplicate_check_mode`` decides: "warn" (default) returns the candidates
for the form to show; "block" makes ``check_before_save`` / ``enforce`` raise DuplicateFound.
Every save of a customer or lead obeys "block" inside its own write transaction
(``guard_in_transaction``, called by the services' ``guard_write``): the values' keys are
locked first (PostgreSQL: advisory locks on the normalized name, phone keys, e-mail and
credit code; SQLite: the write lock), so of two PCs saving the same company at once the
second waits, then sees the first one's record and is refused. A check in a transaction of
its own before the save would let both pass.
Thread rule: functions taking ``db`` open their own unit of work (call them off the GUI
thread); ``enforce``, ``guard_in_transaction`` and ``find_in_session`` run inside the
caller's unit of work.
"""
from __future__ import annotations

import re
import unicodedata
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Customer, Lead, RecordMixin, Setting, User
from crm_desktop.services.errors import PermissionDenied, RuleViolation, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records import search as search_index
from crm_desktop.services.uow import lock_keys, read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

# Province-level divisions, full then short forms. Full forms go first so "福建省" is removed as
# a whole rather than leaving "省" behind.
_PROVINCES = (
    "北京市 天津市 上海市 重庆市 河北省 山西省 辽宁省 吉林省 黑龙江省 江苏省 浙江省 安徽省 福建省 "
    "江西省 山东省 河南省 湖北省 湖南省 广东省 海南省 四川省 贵州省 云南省 陕西省 甘肃省 青海省 "
    "台湾省 内蒙古自治区 广西壮族自治区 西藏自治区 宁夏回族自治区 新疆维吾尔自治区 "
    "香港特别行政区 澳门特别行政区 内蒙古 广西 西藏 宁夏 新疆 香港 澳门 台湾"
).split()
# Dropped inside brackets ("阿里巴巴（中国）…") but never as a prefix: 中国银行 is not 北京银行.
_COUNTRY = frozenset({"中国", "中华", "中国大陆", "china"})
# Prefecture-level cities (and a few famous county-level ones). Names that are also everyday
# words at the start of a company name (东方, 万宁, 永安, 长安 …) are left out on purpose: a wrong
# prefix strip makes unrelated companies "similar".
_CITIES = (
    "北京 天津 上海 重庆 石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水 太原 大同 阳泉 "
    "长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁 呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 "
    "乌兰察布 沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛 长春 吉林 四平 "
    "辽源 通化 白山 松原 白城 延边 哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 "
    "绥化 南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁 昆山 江阴 张家港 常熟 "
    "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水 义乌 慈溪 余姚 合肥 芜湖 蚌埠 淮南 马鞍山 "
    "淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城 福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 "
    "宁德 晋江 石狮 南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶 济南 青岛 淄博 枣庄 东营 "
    "烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽 郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 "
    "濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 "
    "黄冈 咸宁 随州 恩施 长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西 广州 "
    "韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 "
    "云浮 南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左 海口 三亚 三沙 儋州 "
    "成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 贵阳 "
    "六盘水 遵义 安顺 毕节 铜仁 昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 大理 西双版纳 拉萨 日喀则 "
    "西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛 兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 "
    "庆阳 定西 陇南 西宁 海东 银川 石嘴山 吴忠 固原 中卫 乌鲁木齐 克拉玛依 吐鲁番 哈密 喀什 伊犁 "
    "库尔勒 阿克苏"
).split()
_REGION_SUFFIXES = ("特别行政区", "自治区", "自治州", "地区", "新区", "省", "市", "县", "区")
# Every region word, longest first so "黑龙江省" wins over "黑龙江".
_REGIONS: tuple[str, ...] = tuple(
    sorted(
        {*_PROVINCES, *_CITIES, *(c + s for c in _CITIES for s in ("市", "地区"))}
        | {p.removesuffix("省").removesuffix("市") for p in _PROVINCES},
        key=len,
        reverse=True,
    )
)
_REGION_SET = frozenset(_REGIONS)

# Company-form endings (组织形式), longest first; stripped repeatedly from the end.
_FORMS = tuple(
    sorted(
        (
            "股份有限公司 有限责任公司 有限公司 责任公司 股份公司 控股公司 集团公司 总公司 分公司 子公司 "
            "公司 集团 股份 控股 有限 分厂 总厂 厂 分店 总店 店 商行 经营部 门市部 办事处 营业部 "
            "普通合伙 有限合伙 合伙企业 个体工商户 企业"
        ).split(),
        key=len,
        reverse=True,
    )
)
# After one of these is removed, a trailing region names the branch ("…福州分公司"), not the firm.
_BRANCH_FORMS = frozenset({"分公司", "分厂", "分店", "办事处", "营业部", "经营部"})
_LATIN_FORMS = re.compile(
    r"(?:[\s,.&]*\b(?:co|company|corp|corporation|inc|incorporated|ltd|limited|llc|plc|gmbh|group|"
    r"holdings?|s\.?a)\b\.?)+[\s,.]*$"
)
_BRACKETS = re.compile(r"[(\[{【〔](.*?)[)\]}】〕]")
# Keep a key at least this long: "北京银行" → "银行" is already generous; "厦门厂" → "" is useless.
_MIN_KEY = 2


def _is_region(text: str) -> bool:
    if text in _REGION_SET:
        return True
    for suffix in _REGION_SUFFIXES:
        if text.endswith(suffix) and text[: -len(suffix)] in _REGION_SET:
            return True
    return False


def _bracket_part(match: re.Match[str]) -> str:
    inner = match.group(1).strip()
    # "（厦门）", "（中国）", "（集团）", "（有限合伙）" carry no identity; anything else is kept.
    if _is_region(inner) or inner in _COUNTRY or inner in _FORMS:
        return ""
    return inner


def _strip_forms(text: str) -> str:
    changed = True
    while changed:
        changed = False
        if not text.endswith(_FORMS):  # one C call answers the common case: no form ending
            break
        for form in _FORMS:
            if text.endswith(form) and len(text) - len(form) >= _MIN_KEY:
                text = text[: -len(form)]
                changed = True
                if form in _BRANCH_FORMS:
                    for region in _REGIONS:
                        if text.endswith(region) and len(text) - len(region) >= _MIN_KEY:
                            text = text[: -len(region)]
                            break
                break
    return text


_MAX_REGION = max(map(len, _REGIONS))


def _strip_region_prefixes(text: str) -> str:
    # At most three levels: 福建省 厦门市 思明区 is as deep as real names go. Longest prefix
    # first, as the longest-first _REGIONS scan did, but by set lookups: a few probes per name
    # instead of a pass over thousands of region names (demo data normalizes every name).
    for _ in range(3):
        for size in range(min(_MAX_REGION, len(text) - _MIN_KEY), 0, -1):
            if text[:size] in _REGION_SET:
                text = text[size:]
                break
        else:
            break
    return text


def normalize_company_name(name: str) -> str:
    """The key under which two spellings of one company compare equal.

    Full-width/half-width forms are unified (NFKC), Latin is lower-cased, bracketed region or
    form parts ("（厦门）", "(集团)") are dropped, company-form endings (有限公司, 股份, 集团, Co.,
    Ltd., …) and leading region words (福建省, 厦门市, 厦门, …) are removed, and spaces and
    punctuation disappear. A strip that would leave fewer than two characters is not made, so a
    name is never reduced to nothing. Pure; safe on any thread.

    >>> normalize_company_name("厦门星辰科技有限公司") == normalize_company_name("星辰科技（厦门）")
    True
    """
    text = unicodedata.normalize("NFKC", name or "").lower().strip()
    text = _BRACKETS.sub(_bracket_part, text)
    # "Co., Ltd." alone is a (strange) name, not an ending: keep it rather than return "".
    text = _LATIN_FORMS.sub("", text).strip() or text
    # Letters and digits only: spaces, punctuation and symbols are formatting, not identity.
    # (str.isalnum holds exactly for categories L and N: most names need no filtering.)
    if not text.isalnum():
        text = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")
    text = _strip_forms(text)
    text = _strip_region_prefixes(text)
    # A region prefix may have hidden a form ending behind a bracket ("星辰(厦门)科技有限公司").
    return _strip_forms(text)


# --- comparing values ---------------------------------------------------------------------


_NOT_ASCII_DIGIT = re.compile(r"[^0-9]")


def phone_key(value: str) -> str:
    """A phone number reduced for comparison: digits only, country code 86 dropped.

    "+86 138-0000-1234", "8613800001234" and "138 0000 1234" → "13800001234";
    "+86 592 1234567" and "0592-1234567" → "05921234567" (the trunk 0 comes back).
    """
    text = unicodedata.normalize("NFKC", value or "")
    # ASCII (nearly every number): its digits are 0-9, removed in C; else char by char.
    digits = _NOT_ASCII_DIGIT.sub("", text) if text.isascii() else "".join(ch for ch in text if ch.isdigit())
    national = None
    if digits.startswith("0086"):
        national = digits[4:]
    elif digits.startswith("86") and len(digits) >= 12:
        national = digits[2:]
    if national is None:
        return digits
    return national if national.startswith(("0", "1")) else "0" + national


#: Shorter "phone numbers" (extensions, 110, placeholders) would match everything.
MIN_PHONE = 6
#: Most candidates read from one index lookup; a key matching more is not a useful check.
MAX_NARROW = 200


@dataclass(frozen=True)
class DuplicateCandidate:
    """A lead or customer that may be the one being saved.

    For a record outside the actor's data scope ``visible`` is False, ``record_id`` is None
    and only ``name``, ``owner_name`` and the matched field are told.
    """

    entity: str
    record_id: int | None
    name: str
    #: "" for a customer in a public pool (it has no owner).
    owner_name: str
    #: The input field that matched first: name, phone, mobile, email or credit_code.
    field: str
    #: Every input field that matched.
    fields: tuple[str, ...]
    #: "exact" when any field is equal, "similar" when only the normalized name is.
    how: str
    in_pool: bool
    visible: bool


class DuplicateFound(RuleViolation):
    """Raised in "block" mode: the save is refused; ``candidates`` lists what matched."""

    def __init__(self, entity: str, candidates: list[DuplicateCandidate]) -> None:
        names = "; ".join(f"{c.name} ({c.owner_name or '-'})" for c in candidates[:5])
        super().__init__(
            QT_TRANSLATE_NOOP("errors", "This {entity} may already exist: {candidates}. It was not saved."),
            entity=entity,
            candidates=names,
        )
        self.candidates = candidates


_TARGETS: dict[str, type[RecordMixin]] = {"customer": Customer, "lead": Lead}
FIELDS = ("name", "phone", "mobile", "email", "credit_code")


def narrow(session: Session, entity: str, terms: Mapping[str, str]) -> list[int]:
    table = search_index.index_table(session, entity)
    key = search_index.key_column(table)
    cond = search_index.match_condition(session, table, terms)
    # No ORDER BY: any MAX_NARROW candidates will do, and sorting would tempt PostgreSQL to
    # walk the primary key instead of the trigram index.
    return list(session.scalars(select(key).where(cond).limit(MAX_NARROW)))


#: The lookups of the check, in the order they are made: kind → what its term is.
KINDS = {
    "name": "the name as typed (NFKC, trimmed): equal names",
    "normalized": "a normalize_company_name key: customers whose stored key is it",
    "similar": "a key: the records whose name contains it (search index), compared in Python",
    "phone": "a phone_key: the records whose phone or mobile contains it without trunk zeros",
    "email": "an e-mail (trimmed, lower-cased)",
    "credit_code": "a credit code (NFKC, trimmed, upper-cased), customers only",
}
#: On a secure server (services/maintenance/server_duplicates.py) the candidate rows come from
#: this SECURITY DEFINER function: a user's own role cannot read records outside its scope.
SERVER_FUNCTION = "crm_duplicate_candidates"
_SIGNATURE = f"{SERVER_FUNCTION}(text, text[], text[])"
_SERVER_KEY = "duplicates.server_function"


@dataclass(frozen=True)
class CandidateRow:
    """A live lead or customer one lookup narrowed to: what the check compares and tells.
    Of the compared values only the lookup's own need be filled (the server function fills
    no other, and a phone lookup only the number that has the key)."""

    id: int
    name: str
    phone: str | None
    mobile: str | None
    email: str | None
    credit_code: str | None
    owner_name: str
    in_pool: bool


Lookup = tuple[str, str]  # (kind, term)


def _lookups(entity: str, values: Mapping[str, Any]) -> list[Lookup]:
    out: list[Lookup] = []
    name = unicodedata.normalize("NFKC", str(values.get("name") or "")).strip()
    if name:
        out.append(("name", name))
        key = normalize_company_name(name)
        if key:
            if entity == "customer":
                out.append(("normalized", key))
            out.append(("similar", key))
    for fld in ("phone", "mobile"):
        pkey = phone_key(str(values.get(fld) or ""))
        if len(pkey) >= MIN_PHONE and ("phone", pkey) not in out:
            out.append(("phone", pkey))
    email = str(values.get("email") or "").strip().lower()
    if email:
        out.append(("email", email))
    code = unicodedata.normalize("NFKC", str(values.get("credit_code") or "")).strip().upper()
    if code and entity == "customer":
        out.append(("credit_code", code))
    return out


def _server_function(session: Session) -> bool:
    """Whether the candidate rows come from the server function: it exists (a secure server,
    set up with it) and this connection may run it. Asked once per session (a unit of work)."""
    if _SERVER_KEY not in session.info:
        session.info[_SERVER_KEY] = session.get_bind().dialect.name == "postgresql" and bool(session.scalar(
            text("SELECT coalesce(has_function_privilege(to_regprocedure(:f), 'EXECUTE'), false)"), {"f": _SIGNATURE}))
    return bool(session.info[_SERVER_KEY])


def _query_rows(session: Session, entity: str, lookups: list[Lookup]) -> dict[Lookup, list[CandidateRow]]:
    """candidate_rows with the app's own queries (scope-blind where nothing hides rows)."""
    model = _TARGETS[entity]
    pool = Customer.pool_id if model is Customer else sa.false()
    code = Customer.credit_code if model is Customer else sa.null()
    base = select(model.id, model.name, model.phone, model.mobile, model.email, code, User.name, pool).outerjoin(
        User, User.id == model.owner_id).where(model.deleted_at.is_(None))
    if model is Lead:
        base = base.where(Lead.status != "converted")  # its customer is the candidate
    out: dict[Lookup, list[CandidateRow]] = {}
    for kind, term in lookups:
        if kind == "name":
            query = base.where(model.name == term)
        elif kind == "normalized":
            query = base.where(Customer.normalized_name == term)
        else:
            if kind == "credit_code" and session.get_bind().dialect.name != "sqlite":
                # stored upper-cased and trimmed, with a B-tree index: compare directly
                table = search_index.index_table(session, entity)
                ids = list(session.scalars(
                    select(search_index.key_column(table)).where(table.c.credit_code == term).limit(MAX_NARROW)))
            else:
                core = term.lstrip("0")  # the index keeps "+86 592…" as "86592…": match without the trunk 0
                terms = {"similar": {"name": term}, "phone": {"phone": core, "mobile": core},
                         "email": {"email": term}, "credit_code": {"credit_code": term}}[kind]
                ids = narrow(session, entity, terms)
            if not ids:
                continue
            query = base.where(model.id.in_(ids))
        out[(kind, term)] = [CandidateRow(rid, name, phone, mobile, email, credit, owner or "", bool(pooled))
                             for rid, name, phone, mobile, email, credit, owner, pooled in session.execute(query)]
    return out


def candidate_rows(session: Session, entity: str, lookups: list[Lookup]) -> dict[Lookup, list[CandidateRow]]:
    """(kind, term) → the live rows of ``entity`` ("customer" or "lead") that lookup narrows
    to (see KINDS), whoever owns them: on a secure server through the server function, else
    through the app's queries. Only narrowed: the caller compares (``_matches``)."""
    if not lookups:
        return {}
    if not _server_function(session):
        return _query_rows(session, entity, lookups)
    out: dict[Lookup, list[CandidateRow]] = {}
    rows = session.execute(text(f"SELECT * FROM {SERVER_FUNCTION}(:entity, :kinds, :terms)"), {
        "entity": entity, "kinds": [k for k, _t in lookups], "terms": [t.replace("\x00", "") for _k, t in lookups]})
    for kind, term, rid, name, phone, mobile, email, credit, owner, pooled in rows:
        out.setdefault((kind, term), []).append(
            CandidateRow(rid, name, phone, mobile, email, credit, owner or "", bool(pooled)))
    return out


def _matches(
    session: Session, entity: str, values: Mapping[str, Any]
) -> tuple[dict[int, dict[str, str]], dict[int, CandidateRow]]:
    """record id → {input field: "exact" | "similar"} for one target entity, and the live
    rows of those records."""
    found: dict[int, dict[str, str]] = {}
    seen: dict[int, CandidateRow] = {}
    lookups = _lookups(entity, values)
    rows = candidate_rows(session, entity, lookups)

    def hit(row: CandidateRow, fld: str, how: str) -> None:
        seen[row.id] = row
        current = found.setdefault(row.id, {})
        if current.get(fld) != "exact":
            current[fld] = how

    for kind, term in lookups:
        for row in rows.get((kind, term), ()):
            if kind == "name":
                hit(row, "name", "exact")
            elif kind == "normalized" or (kind == "similar" and normalize_company_name(row.name) == term):
                hit(row, "name", "similar")
            elif kind == "email" and (row.email or "").strip().lower() == term:
                hit(row, "email", "exact")
            elif kind == "credit_code" and (row.credit_code or "").strip().upper() == term:
                hit(row, "credit_code", "exact")
            elif kind == "phone" and term in (phone_key(row.phone or ""), phone_key(row.mobile or "")):
                for fld in ("phone", "mobile"):  # the input fields with this key (compared crosswise)
                    if phone_key(str(values.get(fld) or "")) == term:
                        hit(row, fld, "exact")
    return found, seen


def find_in_session(
    session: Session, actor: Actor, *, entity: str, values: Mapping[str, Any], exclude_id: int | None = None
) -> list[DuplicateCandidate]:
    """``find_duplicates`` inside the caller's unit of work (``actor`` as reloaded by it)."""
    if entity not in _TARGETS:
        raise ValueError(f"no duplicate check for {entity!r}")
    if not (actor.can(entity, "create") or actor.can(entity, "edit")):
        raise PermissionDenied(entity, "create")
    candidates: list[DuplicateCandidate] = []
    # The record's own kind first: a customer matching a customer is the real collision.
    for target in (entity, *(t for t in _TARGETS if t != entity)):
        model = _TARGETS[target]
        found, rows = _matches(session, target, values)
        if target == entity and exclude_id is not None:
            found.pop(exclude_id, None)
        if not found:
            continue
        # Asked as the actor (on a secure server under its row-level security): never the
        # server function, which sees every row.
        visible = set(session.scalars(select(model.id).where(model.id.in_(found), visible_filter(model, actor))))
        for rid in sorted(found, reverse=True):  # newest first
            row, matched = rows[rid], found[rid]
            exact = [f for f in FIELDS if matched.get(f) == "exact"]
            fields = tuple(f for f in FIELDS if f in matched)
            shown = rid in visible
            candidates.append(DuplicateCandidate(
                entity=target, record_id=rid if shown else None, name=row.name, owner_name=row.owner_name,
                field=(exact or list(fields))[0], fields=fields, how="exact" if exact else "similar",
                in_pool=row.in_pool, visible=shown,
            ))
    candidates.sort(key=lambda c: c.how != "exact")  # stable: keeps entity and newest-first order
    return candidates


def find_duplicates(
    db: Database, actor: Actor, *, entity: str, values: Mapping[str, Any], exclude_id: int | None = None
) -> list[DuplicateCandidate]:
    """Leads and customers that may be the ``entity`` ("customer" or "lead") being saved with
    ``values`` (any of name, phone, mobile, email, credit_code); ``exclude_id`` is the record
    being edited. Sees records outside the actor's scope but tells only name, owner and
    matched field for them. Exact matches first. Needs create or edit permission on
    ``entity``. Run it off the GUI thread.
    """
    with read_only(db, actor) as uow:
        return find_in_session(uow.session, uow.actor, entity=entity, values=values, exclude_id=exclude_id)


# --- the warn / block setting ---------------------------------------------------------------

MODE_KEY = "duplicate_check_mode"
MODES = ("warn", "block")


def _mode(session: Session) -> str:
    row = session.get(Setting, MODE_KEY)
    return str(row.value) if row is not None and row.value in MODES else "warn"


def get_duplicate_check_mode(db: Database, actor: Actor) -> str:
    """"warn" (the default) or "block"; any signed-in user may read it (forms need it)."""
    with read_only(db, actor) as uow:
        return _mode(uow.session)


def set_duplicate_check_mode(db: Database, actor: Actor, mode: str) -> None:
    """Set the mode; needs the system-settings permission (super administrators have it)."""
    if mode not in MODES:
        raise ValidationError({"mode": QT_TRANSLATE_NOOP("errors", "Choose warn or block.")})
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        row = uow.session.get(Setting, MODE_KEY)
        if row is None:
            uow.session.add(Setting(key=MODE_KEY, value=mode))
        else:
            row.value = mode


def enforce(
    session: Session, actor: Actor, *, entity: str, values: Mapping[str, Any], exclude_id: int | None = None
) -> list[DuplicateCandidate]:
    """The check inside a save's own unit of work: raises DuplicateFound in "block" mode when
    anything matches, else returns the candidates (for a warning). On edit pass the changed
    fields only: a value that already collided was accepted before."""
    candidates = find_in_session(session, actor, entity=entity, values=values, exclude_id=exclude_id)
    if candidates and _mode(session) == "block":
        raise DuplicateFound(entity, candidates)
    return candidates


def check_before_save(
    db: Database, actor: Actor, *, entity: str, values: Mapping[str, Any], exclude_id: int | None = None
) -> list[DuplicateCandidate]:
    """``enforce`` in a read-only unit of work: what a form calls before it saves (warn mode
    shows the list and lets the user go on; block mode raises DuplicateFound). A save
    service should still call ``enforce`` itself so the rule holds without the form."""
    with read_only(db, actor) as uow:
        return enforce(uow.session, uow.actor, entity=entity, values=values, exclude_id=exclude_id)


#: pg_advisory_xact_lock namespace of the duplicate-claim check ("DUPL").
LOCK_NAMESPACE = 0x4455504C


def claim_lock_keys(values: Mapping[str, Any]) -> Iterator[int]:
    """One int32 per compared value, equal for values the check finds equal: a name locks its
    normalized key (so do its similar spellings), phone and mobile one shared phone key."""
    name = unicodedata.normalize("NFKC", str(values.get("name") or "")).strip()
    parts = [("name", normalize_company_name(name) or name)] if name else []
    parts += [("phone", k) for f in ("phone", "mobile") if len(k := phone_key(str(values.get(f) or ""))) >= MIN_PHONE]
    parts += [("email", str(values.get("email") or "").strip().lower())]
    parts += [("credit_code", unicodedata.normalize("NFKC", str(values.get("credit_code") or "")).strip().upper())]
    for kind, key in parts:
        if key:
            digest = zlib.crc32(f"{kind}:{key}".encode())
            yield digest - (1 << 32) if digest >= 1 << 31 else digest  # PostgreSQL's int4 is signed


def guard_in_transaction(
    session: Session, actor: Actor, *, entity: str, values: Mapping[str, Any], row: RecordMixin | None = None
) -> None:
    """The block-mode rule inside a save's own write transaction, with or without a form
    (imports, other services): raises DuplicateFound when the setting is "block" and a filled
    checked field collides. It locks the values' keys before it looks (see the module doc), so
    call it before the record is written. In "warn" mode it does nothing: warning is the
    form's job, and it must not cost a save. On edit (``row``, the record as loaded) values
    equal to the stored ones are not checked: they were accepted."""
    relevant = {k: v for k, v in values.items() if k in FIELDS and str(v or "").strip()}
    if row is not None:
        relevant = {k: v for k, v in relevant.items() if str(getattr(row, k) or "") != str(v).strip()}
    if not relevant or _mode(session) != "block":
        return
    lock_keys(session, LOCK_NAMESPACE, claim_lock_keys(relevant))
    enforce(session, actor, entity=entity, values=relevant, exclude_id=row.id if row is not None else None)
