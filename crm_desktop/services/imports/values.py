"""Cell values as people type them, turned into stored values (pure functions, any thread).

Every parser takes one cell as the reader gives it (str, int, float, bool, date, datetime or
None) and returns the stored value or raises ``BadValue`` with a message template (context
"errors") that the dry run shows next to the row and column. Dates are parsed per column
(``DateColumn``): the day/month order of "06/12/2026" is inferred from the column's
unambiguous values and a column that stays ambiguous is refused, never guessed.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP


class BadValue(ValueError):
    """A cell that cannot become a value of its field; ``str(exc)`` is the message template."""


#: Excel's day 0 in the 1900 date system (its serial 60 is the non-existent 1900-02-29, so
#: serials from 61 on count from 1899-12-30).
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
#: Serials past 9999-12-31 are not dates.
_MAX_SERIAL = 2_958_465
EARLIEST = dt.date(1900, 1, 1)

DATE_BEFORE_1900 = QT_TRANSLATE_NOOP("errors", "Dates before 1900 are not accepted.")
NOT_A_DATE = QT_TRANSLATE_NOOP("errors", "Not a date (write it as 2026-12-06).")
AMBIGUOUS_DATES = QT_TRANSLATE_NOOP(
    "errors", "Day and month order is ambiguous in this column (e.g. 06/12/2026): write the dates as 2026-12-06.")
NOT_A_NUMBER = QT_TRANSLATE_NOOP("errors", "Not a number.")
NEGATIVE_MONEY = QT_TRANSLATE_NOOP("errors", "Negative amounts are not accepted here.")
NOT_YES_NO = QT_TRANSLATE_NOOP("errors", "Write yes or no (是/否, Y/N, √).")
NOT_A_PHONE = QT_TRANSLATE_NOOP("errors", "Enter a valid phone number.")
NOT_A_MOBILE = QT_TRANSLATE_NOOP("errors", "Enter a mobile number (digits only).")
NOT_AN_EMAIL = QT_TRANSLATE_NOOP("errors", "Enter a valid e-mail address.")


def text_of(raw: Any) -> str:
    """A cell as text: numbers without a spurious ".0" (13800001234.0 → "13800001234"),
    dates as ISO, everything stripped. Formula-looking text ("=cmd|...") stays plain text."""
    if type(raw) is str:  # most cells: first, before the checks for the other kinds
        return raw.strip()
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "是" if raw else "否"
    if isinstance(raw, float):
        if raw.is_integer() and abs(raw) < 1e16:
            return str(int(raw))
        return repr(raw)
    if isinstance(raw, (dt.datetime, dt.date)):
        if isinstance(raw, dt.datetime) and raw.time() == dt.time():
            return raw.date().isoformat()
        return raw.isoformat()
    return str(raw).strip()


def _nfkc(text: str) -> str:
    # Full-width digits, letters and punctuation (１２３，％) become their ASCII forms.
    return unicodedata.normalize("NFKC", text).strip()


# --- numbers and money ----------------------------------------------------------------

_UNITS = {"万": Decimal(10_000), "亿": Decimal(100_000_000), "千": Decimal(1_000)}
_MONEY_NOISE = re.compile(r"[¥$,\s元]|RMB|CNY", re.IGNORECASE)


def parse_number(raw: Any, *, money: bool = False, allow_negative: bool = True) -> Decimal:
    """A number from 1234.5, "1,234.50", "¥12,000", "１２万" (120000), "1.5亿", "(1,000)" (negative)."""
    if isinstance(raw, bool):
        raise BadValue(NOT_A_NUMBER)
    if isinstance(raw, (int, float)):
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
    else:
        text = _nfkc(str(raw or ""))
        negative = text.startswith("(") and text.endswith(")")
        text = _MONEY_NOISE.sub("", text.strip("()"))
        factor = Decimal(1)
        while text and text[-1] in _UNITS:
            factor *= _UNITS[text[-1]]
            text = text[:-1]
        try:
            value = Decimal(text) * factor
        except InvalidOperation:
            raise BadValue(NOT_A_NUMBER) from None
        if negative:
            value = -value
    if not value.is_finite():
        raise BadValue(NOT_A_NUMBER)
    if value < 0 and not allow_negative:
        raise BadValue(NEGATIVE_MONEY)
    if money:
        value = value.quantize(Decimal("0.01"))
    return value


def parse_quantity(raw: Any) -> Decimal:
    number = parse_number(raw)
    if number <= 0:
        raise BadValue(QT_TRANSLATE_NOOP("errors", "The quantity must be above 0."))
    return number


def parse_percent(raw: Any) -> Decimal:
    """"12%" and "12" → 12; a percent-formatted cell read as 0.12 stays 0.12 (the reader
    cannot see the format: a template's percent columns are plain numbers)."""
    text = _nfkc(text_of(raw))
    text = text.removesuffix("%")
    return parse_number(text)


# --- yes / no -------------------------------------------------------------------------

_YES = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "对", "有", "t", "on", "上架"})
_NO = frozenset({"否", "n", "no", "false", "0", "×", "x", "✗", "✘", "不是", "无", "f", "off", "下架"})


def parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _nfkc(text_of(raw)).lower()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise BadValue(NOT_YES_NO)


# --- phones and e-mail ----------------------------------------------------------------

_PHONE = re.compile(r"^\+?[\d\-()]{3,30}$")
_MOBILE = re.compile(r"^\+?\d{5,20}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_phone(raw: Any) -> str:
    """"0592-123 4567" kept with its dashes, spaces dropped; a number cell loses its ".0"."""
    text = re.sub(r"\s+", "", _nfkc(text_of(raw)))
    if not _PHONE.match(text):
        raise BadValue(NOT_A_PHONE)
    return text


def parse_mobile(raw: Any) -> str:
    """"138-0000 1234" → "13800001234": a mobile is stored as digits (the form's rule)."""
    text = re.sub(r"[\s\-()]", "", _nfkc(text_of(raw)))
    if not _MOBILE.match(text):
        raise BadValue(NOT_A_MOBILE)
    return text


def parse_email(raw: Any) -> str:
    text = _nfkc(text_of(raw))
    if not _EMAIL.match(text):
        raise BadValue(NOT_AN_EMAIL)
    return text


# --- multi-select ---------------------------------------------------------------------

_SEPARATORS = re.compile(r"[，,;；、/|\n]+")


def split_multi(raw: Any) -> list[str]:
    """"A，B、C/D" → ["A", "B", "C", "D"] (empty parts and repeats dropped)."""
    parts = (p.strip() for p in _SEPARATORS.split(text_of(raw)))
    return list(dict.fromkeys(p for p in parts if p))


# --- dates ----------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?$")
_YEAR_LAST = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def _serial(value: float) -> dt.datetime:
    if not 1 <= value <= _MAX_SERIAL:
        raise BadValue(NOT_A_DATE)
    if value < 61:  # Excel's calendar before its phantom 1900-02-29
        value += 1
    return _EXCEL_EPOCH + dt.timedelta(days=value)


class DateColumn:
    """Parses one column's dates; ``order`` is "dmy" or "mdy" for values like 06/12/2026,
    inferred by ``infer`` from the column's unambiguous ones (13/12/2026 can only be d/m)."""

    def __init__(self, *, with_time: bool = False) -> None:
        self.with_time = with_time
        self.order: str | None = None
        self.ambiguous = False
        self._votes = {"dmy": 0, "mdy": 0}
        self._undecided = 0

    def infer(self, cells: Iterable[Any]) -> None:
        for raw in cells:
            self.vote(raw)
        self.settle()

    def vote(self, raw: Any) -> None:
        """Count one cell of the column (``settle`` decides when all are counted)."""
        if not isinstance(raw, str):
            return
        m = _YEAR_LAST.match(_nfkc(raw))
        if m is None:
            return
        a, b = int(m.group(1)), int(m.group(2))
        if a > 12 >= b:
            self._votes["dmy"] += 1
        elif b > 12 >= a:
            self._votes["mdy"] += 1
        elif a != b:
            self._undecided += 1

    def settle(self) -> None:
        votes, undecided = self._votes, self._undecided
        if votes["dmy"] and votes["mdy"]:
            self.ambiguous = True  # the column mixes both orders: nothing can be trusted
        elif votes["dmy"] or votes["mdy"]:
            self.order = "dmy" if votes["dmy"] else "mdy"
        elif undecided:
            self.ambiguous = True

    def parse(self, raw: Any) -> dt.date | dt.datetime:
        """The date (or datetime when ``with_time``); BadValue otherwise."""
        value = self._parse(raw)
        if (value.date() if isinstance(value, dt.datetime) else value) < EARLIEST:
            raise BadValue(DATE_BEFORE_1900)
        if self.with_time:
            return value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        return value.date() if isinstance(value, dt.datetime) else value

    def _parse(self, raw: Any) -> dt.date | dt.datetime:
        if isinstance(raw, dt.datetime):
            return raw
        if isinstance(raw, dt.date):
            return raw
        if isinstance(raw, (int, float)) and not isinstance(raw, bool):
            return _serial(float(raw))
        text = _nfkc(str(raw or ""))
        try:
            if m := _ISO.match(text):
                y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
                return self._build(y, mo, d, m.group(4), m.group(5), m.group(6))
            if m := _YEAR_LAST.match(text):
                a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
                if a == b:
                    return self._build(y, a, b, m.group(4), m.group(5), m.group(6))
                if self.ambiguous or self.order is None:
                    if a > 12 >= b:
                        return self._build(y, b, a, m.group(4), m.group(5), m.group(6))
                    if b > 12 >= a:
                        return self._build(y, a, b, m.group(4), m.group(5), m.group(6))
                    raise BadValue(AMBIGUOUS_DATES)
                d, mo = (a, b) if self.order == "dmy" else (b, a)
                return self._build(y, mo, d, m.group(4), m.group(5), m.group(6))
            if m := _COMPACT.match(text):
                return self._build(int(m.group(1)), int(m.group(2)), int(m.group(3)), None, None, None)
            if re.fullmatch(r"\d+(\.\d+)?", text):  # a serial that arrived as text (csv)
                return _serial(float(text))
        except ValueError as exc:
            if isinstance(exc, BadValue):
                raise
            raise BadValue(NOT_A_DATE) from None
        raise BadValue(NOT_A_DATE)

    @staticmethod
    def _build(y: int, mo: int, d: int, h: str | None, mi: str | None, s: str | None) -> dt.date | dt.datetime:
        if h is None:
            return dt.date(y, mo, d)
        return dt.datetime(y, mo, d, int(h), int(mi or 0), int(s or 0))


# --- regions --------------------------------------------------------------------------

#: Prefecture-level cities people write without their province → the province. Not every
#: city of China: the common ones; a city missing here simply keeps an empty province.
CITY_PROVINCE: dict[str, str] = {}
for _province, _cities in (
    ("福建省", "福州 厦门 泉州 漳州 莆田 三明 南平 龙岩 宁德"),
    ("广东省", "广州 深圳 珠海 汕头 佛山 东莞 中山 惠州 江门 湛江 茂名 肇庆 梅州 汕尾 河源 阳江 清远 潮州 揭阳 云浮 韶关"),
    ("浙江省", "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水"),
    ("江苏省", "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁"),
    ("山东省", "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽"),
    ("四川省", "成都 绵阳 德阳 宜宾 南充 泸州 乐山 自贡 达州"),
    ("湖北省", "武汉 宜昌 襄阳 荆州 十堰 黄石 孝感"),
    ("湖南省", "长沙 株洲 湘潭 衡阳 岳阳 常德 郴州"),
    ("河南省", "郑州 洛阳 开封 新乡 南阳 许昌 安阳"),
    ("河北省", "石家庄 唐山 保定 邯郸 秦皇岛 廊坊 沧州"),
    ("辽宁省", "沈阳 大连 鞍山 抚顺 锦州"),
    ("陕西省", "西安 宝鸡 咸阳"),
    ("安徽省", "合肥 芜湖 蚌埠 安庆 马鞍山"),
    ("江西省", "南昌 赣州 九江 景德镇"),
    ("云南省", "昆明 大理 曲靖"),
    ("广西壮族自治区", "南宁 柳州 桂林 北海"),
    ("海南省", "海口 三亚"),
    ("贵州省", "贵阳 遵义"),
    ("山西省", "太原 大同"),
    ("吉林省", "长春 吉林"),
    ("黑龙江省", "哈尔滨 大庆 齐齐哈尔"),
    ("甘肃省", "兰州"),
):
    for _city in _cities.split():
        CITY_PROVINCE[_city] = _province
        CITY_PROVINCE[_city + "市"] = _province
for _m in ("北京", "上海", "天津", "重庆"):
    CITY_PROVINCE[_m] = CITY_PROVINCE[_m + "市"] = _m + "市"
PROVINCES = frozenset(CITY_PROVINCE.values()) | frozenset(
    ["北京市", "天津市", "上海市", "重庆市", "河北省", "山西省", "辽宁省", "吉林省", "黑龙江省", "江苏省", "浙江省", "安徽省", "福建省", "江西省", "山东省", "河南省", "湖北省", "湖南省", "广东省", "海南省", "四川省", "贵州省", "云南省", "陕西省", "甘肃省", "青海省", "台湾省", "内蒙古自治区", "广西壮族自治区", "西藏自治区", "宁夏回族自治区", "新疆维吾尔自治区", "香港特别行政区", "澳门特别行政区"])
_SPLIT_ADDRESS = re.compile(
    r"^(?P<province>[^省市]{2,8}?(?:省|自治区|特别行政区)|北京市|上海市|天津市|重庆市)?"
    r"(?P<city>[^省市区县]{2,8}?(?:市|自治州|地区|盟))?"
    r"(?P<district>[^省市区县]{1,8}?(?:区|县|旗))?(?P<rest>.*)$")


def complete_city(province: str, city: str) -> tuple[str, str]:
    """A city written without its province gets it from the region table; "厦门" → "厦门市"."""
    city = city.strip()
    if city and city in CITY_PROVINCE and not city.endswith("市"):
        city += "市"
    if not province.strip() and city in CITY_PROVINCE:
        province = CITY_PROVINCE[city]
    return province.strip(), city


def split_address(text: str) -> tuple[str, str, str, str]:
    """"福建省厦门市思明区软件园二期" → ("福建省", "厦门市", "思明区", "软件园二期"); what is not
    recognised stays in the address. A city alone finds its province."""
    m = _SPLIT_ADDRESS.match(_nfkc(text))
    if m is None or not (m.group("province") or m.group("city")):
        return "", "", "", text.strip()
    province, city = complete_city(m.group("province") or "", m.group("city") or "")
    if province and province not in PROVINCES:
        return "", "", "", text.strip()
    if province in ("北京市", "上海市", "天津市", "重庆市") and not city:
        city = province
    return province, city, m.group("district") or "", m.group("rest").strip()


def distinct_nonempty(values: Sequence[Any]) -> list[Any]:
    return [v for v in dict.fromkeys(values) if v not in (None, "")]
