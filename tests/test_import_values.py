"""Import: values as people type them (issue 14) — the parsing table, header mapping and the
fast pinyin initials (pure functions, no database)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_desktop.services.imports import values as v
from crm_desktop.services.imports.initials import fast_initials
from crm_desktop.services.imports.mapping import (
    Target,
    find_header_row,
    header_signature,
    is_totals_row,
    match_columns,
    normalize_header,
)
from crm_desktop.services.records.pinyin import initials

D = dt.date


@pytest.mark.parametrize(("raw", "expected"), [
    (46362, D(2026, 12, 6)),  # an Excel serial
    (46362.5, D(2026, 12, 6)),
    ("46362", D(2026, 12, 6)),  # a serial that came through csv
    ("2026-12-06", D(2026, 12, 6)),
    ("2026/12/6", D(2026, 12, 6)),
    ("2026.12.6", D(2026, 12, 6)),
    ("2026年12月6日", D(2026, 12, 6)),
    ("２０２６年１２月６日", D(2026, 12, 6)),  # full-width digits
    ("20261206", D(2026, 12, 6)),
    ("25/12/2026", D(2026, 12, 25)),  # unambiguous alone
    ("12/25/2026", D(2026, 12, 25)),
    ("06/06/2026", D(2026, 6, 6)),  # day = month: no ambiguity
    (dt.datetime(2026, 12, 6, 0, 0), D(2026, 12, 6)),
    (D(2026, 12, 6), D(2026, 12, 6)),
])
def test_dates(raw: object, expected: dt.date) -> None:
    assert v.DateColumn().parse(raw) == expected


def test_datetime_column_keeps_the_time() -> None:
    col = v.DateColumn(with_time=True)
    assert col.parse("2026-12-06 14:30") == dt.datetime(2026, 12, 6, 14, 30)
    assert col.parse("2026/12/6") == dt.datetime(2026, 12, 6)


def test_day_month_order_is_inferred_per_column() -> None:
    col = v.DateColumn()
    col.infer(["13/12/2026", "06/12/2026", None, 3])
    assert col.order == "dmy"
    assert col.parse("06/12/2026") == D(2026, 12, 6)
    col = v.DateColumn()
    col.infer(["12/13/2026", "06/12/2026"])
    assert col.parse("06/12/2026") == D(2026, 6, 12)


def test_an_ambiguous_column_is_refused_never_guessed() -> None:
    col = v.DateColumn()
    col.infer(["06/12/2026", "07/11/2026"])
    with pytest.raises(v.BadValue) as err:
        col.parse("06/12/2026")
    assert "ambiguous" in str(err.value)
    mixed = v.DateColumn()
    mixed.infer(["13/12/2026", "12/13/2026"])
    with pytest.raises(v.BadValue):
        mixed.parse("06/12/2026")


@pytest.mark.parametrize("raw", ["1899-12-31", "1800/1/1"])
def test_dates_before_1900_are_refused(raw: str) -> None:
    with pytest.raises(v.BadValue) as err:
        v.DateColumn().parse(raw)
    assert "1900" in str(err.value)


@pytest.mark.parametrize("raw", ["tomorrow", "2026-13-01", "2026-02-30", 0, -5, True])
def test_not_dates(raw: object) -> None:
    with pytest.raises(v.BadValue):
        v.DateColumn().parse(raw)


@pytest.mark.parametrize(("raw", "expected"), [
    ("¥12,000", Decimal("12000.00")),
    ("￥1,234.5", Decimal("1234.50")),
    ("12万", Decimal("120000.00")),
    ("1.5亿", Decimal("150000000.00")),
    ("１２３４", Decimal("1234.00")),  # full-width
    ("３万元", Decimal("30000.00")),
    (1234.567, Decimal("1234.57")),
    (0, Decimal("0.00")),
    (" 8 000 ", Decimal("8000.00")),
])
def test_money(raw: object, expected: Decimal) -> None:
    assert v.parse_number(raw, money=True, allow_negative=False) == expected


@pytest.mark.parametrize("raw", ["-5", "(1,000)", -3])
def test_negative_money_is_refused(raw: object) -> None:
    with pytest.raises(v.BadValue) as err:
        v.parse_number(raw, money=True, allow_negative=False)
    assert "Negative" in str(err.value)


@pytest.mark.parametrize("raw", ["abc", "12万万x", "", "NaN", "inf", True])
def test_not_numbers(raw: object) -> None:
    with pytest.raises(v.BadValue):
        v.parse_number(raw)


@pytest.mark.parametrize(("raw", "expected"), [("12%", Decimal(12)), ("１２.５％", Decimal("12.5")), (30, Decimal(30))])
def test_percent(raw: object, expected: Decimal) -> None:
    assert v.parse_percent(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("是", True), ("否", False), ("Y", True), ("n", False), ("√", True), ("×", False), ("TRUE", True),
    (1, True), (0.0, False), (True, True), ("上架", True), ("下架", False),
])
def test_yes_no(raw: object, expected: bool) -> None:
    assert v.parse_bool(raw) is expected


def test_yes_no_refuses_anything_else() -> None:
    with pytest.raises(v.BadValue):
        v.parse_bool("maybe")


@pytest.mark.parametrize(("raw", "expected"), [
    ("138 0000 1234", "13800001234"), ("138-0000-1234", "13800001234"), (13800001234.0, "13800001234"),
    ("+8613800001234", "+8613800001234"), ("１３８００００１２３４", "13800001234"),
])
def test_mobiles(raw: object, expected: str) -> None:
    assert v.parse_mobile(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [("0592-123 4567", "0592-1234567"), ("(0592)1234567", "(0592)1234567")])
def test_phones(raw: str, expected: str) -> None:
    assert v.parse_phone(raw) == expected


@pytest.mark.parametrize("raw", ["电话", "12ab", "1"])
def test_bad_phones(raw: str) -> None:
    with pytest.raises(v.BadValue):
        v.parse_phone(raw)
    with pytest.raises(v.BadValue):
        v.parse_mobile(raw)


def test_email() -> None:
    assert v.parse_email(" a@b.cn ") == "a@b.cn"
    with pytest.raises(v.BadValue):
        v.parse_email("a@b")


@pytest.mark.parametrize(("raw", "expected"), [
    ("A，B、C/D", ["A", "B", "C", "D"]), ("A,B;C；D", ["A", "B", "C", "D"]), ("A, A", ["A"]), ("", []),
])
def test_multi_select(raw: str, expected: list[str]) -> None:
    assert v.split_multi(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("福建省厦门市思明区软件园二期", ("福建省", "厦门市", "思明区", "软件园二期")),
    ("厦门市湖里区高崎路1号", ("福建省", "厦门市", "湖里区", "高崎路1号")),
    ("上海市浦东新区世纪大道100号", ("上海市", "上海市", "浦东新区", "世纪大道100号")),
    ("软件园二期", ("", "", "", "软件园二期")),
])
def test_addresses_split_into_region(raw: str, expected: tuple[str, str, str, str]) -> None:
    assert v.split_address(raw) == expected


def test_a_city_without_its_province_gets_it() -> None:
    assert v.complete_city("", "厦门市") == ("福建省", "厦门市")
    assert v.complete_city("", "厦门") == ("福建省", "厦门市")
    assert v.complete_city("浙江省", "杭州市") == ("浙江省", "杭州市")


@pytest.mark.parametrize(("raw", "expected"), [
    (13800001234.0, "13800001234"), (1.5, "1.5"), (None, ""), ("  x ", "x"), ("=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"),
    (dt.datetime(2026, 1, 2), "2026-01-02"),
])
def test_text_of(raw: object, expected: str) -> None:
    assert v.text_of(raw) == expected


# --- headers and mapping ------------------------------------------------------------------------

TARGETS = [Target("name", ("Customer name", "客户名称", "公司名称")), Target("phone", ("Phone", "电话")),
           Target("mobile", ("Mobile", "手机")), Target("address", ("Address", "地址", "详细地址")),
           Target("contact.name", ("联系人",))]


def test_columns_map_by_label_alias_pinyin_and_similarity() -> None:
    got = {m.header: (m.target, m.how) for m in match_columns(
        ["客户名称（必填）", "手机 *", "dianhua", "详细地址", "联系人", "注册资本", "公司名"], TARGETS)}
    assert got["客户名称（必填）"] == ("name", "label")
    assert got["手机 *"] == ("mobile", "label")
    assert got["详细地址"] == ("address", "label")
    assert got["联系人"] == ("contact.name", "label")
    assert got["注册资本"] == (None, "none")
    assert got["公司名"][1] in ("fuzzy", "none")  # name is taken by the first column already
    assert got["公司名"][0] is None


def test_pinyin_initials_map_a_header() -> None:
    got = match_columns(["客户名秤"], TARGETS)  # a typo with the same initials
    assert got[0].target == "name" and got[0].how in ("pinyin", "fuzzy")


def test_header_row_skips_title_rows() -> None:
    rows = [["2026年客户名单", None, None], [None, None, None], ["客户名称", "电话", "手机"], ["甲公司", "1", "2"]]
    assert find_header_row(rows, TARGETS) == 2


def test_header_signature_ignores_order_and_marks() -> None:
    assert header_signature(["客户名称", "电话"]) == header_signature(["电话 ", "客户名称*"])
    assert normalize_header("客户名称（必填）*") == "客户名称"


def test_totals_rows() -> None:
    assert is_totals_row([None, "合计", 100])
    assert is_totals_row(["总计："])
    assert not is_totals_row(["合力科技有限公司"])


# --- pinyin initials ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["厦门星辰科技有限公司", "中国银行厦门分行", "重庆长安汽车", "ACME（厦门）2号", "abc", "",
                                  "厦门鑫瑞软件12号有限公司", "银行1厦门2重庆", "İ厦门", "İ厦", "〇厦门〇", "é科技ß"])
def test_fast_initials_equal_pypinyins(name: str) -> None:
    assert fast_initials(name) == initials(name)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("厦门银行重庆长安有限公司科技星辰乐华都和会调发行长大A1 （）"), max_size=14))
def test_fast_initials_property(name: str) -> None:
    assert fast_initials(name) == initials(name)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("厦门银行重庆长安科技发行长12Aİ〇 （）"), max_size=24))
def test_fast_initials_split_at_other_text(name: str) -> None:
    """A name with a special word is cut into runs of Chinese characters, each read apart."""
    assert fast_initials(name) == initials(name)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.one_of(st.sampled_from("厦门银行重庆长沙星辰科技乐ＡＢ１２ǅ²Ⅻé\u3000（）·-_ .aZ9"),
                                  st.characters(min_codepoint=0x3400, max_codepoint=0x9fff),
                                  st.characters(min_codepoint=0x20000, max_codepoint=0x2ffff),
                                  st.characters(codec="utf-8")), max_size=20))
def test_fast_initials_property_any_text(name: str) -> None:
    assert fast_initials(name) == initials(name)


# --- the duplicate keys the import computes per row: fast paths, same answers ----------------------


def _reference_normalize(name: str) -> str:
    """``normalize_company_name`` as it was written before its fast paths (the reference)."""
    import unicodedata

    from crm_desktop.services.records import duplicates as d

    def strip_forms(text: str) -> str:
        changed = True
        while changed:
            changed = False
            for form in d._FORMS:
                if text.endswith(form) and len(text) - len(form) >= d._MIN_KEY:
                    text = text[: -len(form)]
                    changed = True
                    if form in d._BRANCH_FORMS:
                        for region in d._REGIONS:
                            if text.endswith(region) and len(text) - len(region) >= d._MIN_KEY:
                                text = text[: -len(region)]
                                break
                    break
        return text

    text = unicodedata.normalize("NFKC", name or "").lower().strip()
    text = d._BRACKETS.sub(d._bracket_part, text)
    text = d._LATIN_FORMS.sub("", text).strip() or text
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")
    text = strip_forms(text)
    text = d._strip_region_prefixes(text)
    return strip_forms(text)


def _reference_phone_key(value: str) -> str:
    import unicodedata

    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value or "") if ch.isdigit())
    national = None
    if digits.startswith("0086"):
        national = digits[4:]
    elif digits.startswith("86") and len(digits) >= 12:
        national = digits[2:]
    if national is None:
        return digits
    return national if national.startswith(("0", "1")) else "0" + national


def test_isalnum_is_exactly_letters_and_numbers() -> None:
    """The premise of normalize_company_name's fast path, over every code point."""
    import sys
    import unicodedata

    assert [hex(cp) for cp in range(sys.maxunicode + 1)
            if chr(cp).isalnum() != (unicodedata.category(chr(cp))[0] in "LN")] == []


_PARTS = st.sampled_from(["厦门", "福建省", "厦门市", "思明区", "星辰", "科技", "有限公司", "分公司", "股份有限公司", "集团",
                          "（厦门）", "(集团)", "【福州】", "Co., Ltd.", " Inc", "ACME", "银行", "号", "·", " ", "-", "&",
                          "１２３", "4", "Ⅻ", "²", "ǅ", "\u3000", "福州分公司", "经营部", "办事处", "x"])


@settings(max_examples=800, deadline=None)
@given(name=st.one_of(st.lists(_PARTS, max_size=8).map("".join), st.text(max_size=30)))
def test_the_company_name_key_is_the_reference_one(name: str) -> None:
    from crm_desktop.services.records.duplicates import normalize_company_name

    assert normalize_company_name(name) == _reference_normalize(name)


def test_the_company_name_key_on_many_generated_names() -> None:
    import random

    from crm_desktop.services.records.duplicates import normalize_company_name

    rng = random.Random(5)
    cities = ["厦门", "福州市", "深圳", "杭州", "苏州", "上海", "北京市朝阳区", "（厦门）", ""]
    brands = "华盛鑫瑞宏泰恒达嘉博永兴安信诚明海丰源融创德鼎卓凯旭晨天联正"
    words = ["软件", "电子科技", "机械", "贸易", "医疗器械", "食品", "物流", "文化传媒", "新材料", "置业", "银行"]
    forms = ["有限公司", "股份有限公司", "分公司", "集团", "(集团)有限公司", " Co., Ltd.", "厂", "", "福州分公司"]
    for i in range(20000):
        name = (f"{rng.choice(cities)}{rng.choice(brands)}{rng.choice(brands)}{rng.choice(words)}"
                f"{rng.choice(['', str(i), f'{i}号', ' '])}{rng.choice(forms)}")
        assert normalize_company_name(name) == _reference_normalize(name), name


@settings(max_examples=500, deadline=None)
@given(value=st.one_of(st.from_regex(r"\+?(0086|86)?[ \-()]*1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}", fullmatch=True),
                       st.from_regex(r"0\d{2,3}-\d{7,8}(转\d{1,4})?", fullmatch=True), st.text(max_size=20)))
def test_the_phone_key_is_the_reference_one(value: str) -> None:
    from crm_desktop.services.records.duplicates import phone_key

    assert phone_key(value) == _reference_phone_key(value)


def _reference_partly_utf8(data: bytes) -> bool:
    high = sum(1 for b in data if b >= 0x80)
    if not high:
        return False
    valid = sum(1 for ch in data.decode("utf-8", errors="ignore") if ord(ch) >= 0x800)
    return valid * 3 >= high * 0.2


_PIECES = st.sampled_from(["厦门星辰科技有限公司,0592".encode(), "厦门星辰科技有限公司,0592".encode("gb18030"), b"abc,1\r\n",
                           "é".encode(), "😀".encode()])


@settings(max_examples=500, deadline=None)
@given(data=st.lists(st.one_of(_PIECES, st.binary(max_size=30)), max_size=8).map(b"".join))
def test_mixed_encodings_are_told_as_before(data: bytes) -> None:
    """reading._partly_utf8 counts in C now: the same answers as its per-byte loop."""
    from crm_desktop.services.imports.reading import _partly_utf8

    assert _partly_utf8(data) == _reference_partly_utf8(data)
