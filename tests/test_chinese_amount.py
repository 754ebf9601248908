"""Amounts in Chinese capitals (人民币大写): the rules' own examples, and properties over any amount."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm_desktop.services.sales.chinese_amount import DIGITS, amount_in_words

# The examples of 《正确填写票据和结算凭证的基本规定》 and the cases a careless writer gets wrong.
TABLE = [
    ("98000", "玖万捌仟元整"),
    ("100010.05", "壹拾万零壹拾元零伍分"),
    ("0.5", "伍角"),
    ("0.05", "伍分"),
    ("0.55", "伍角伍分"),
    ("0", "零元整"),
    ("0.00", "零元整"),
    ("1", "壹元整"),
    ("10", "壹拾元整"),
    ("11", "壹拾壹元整"),
    ("20", "贰拾元整"),
    ("100", "壹佰元整"),
    ("101", "壹佰零壹元整"),
    ("110", "壹佰壹拾元整"),
    ("1409.50", "壹仟肆佰零玖元伍角"),
    ("6007.14", "陆仟零柒元壹角肆分"),
    ("1680.32", "壹仟陆佰捌拾元叁角贰分"),
    ("107000.53", "壹拾万柒仟元伍角叁分"),
    ("16409.02", "壹万陆仟肆佰零玖元零贰分"),
    ("325.04", "叁佰贰拾伍元零肆分"),
    ("10000", "壹万元整"),
    ("10001", "壹万零壹元整"),
    ("10010", "壹万零壹拾元整"),
    ("10100", "壹万零壹佰元整"),
    ("11000", "壹万壹仟元整"),
    ("100000", "壹拾万元整"),
    ("1000000", "壹佰万元整"),
    ("10000000", "壹仟万元整"),
    ("100000000", "壹亿元整"),
    ("100000001", "壹亿零壹元整"),
    ("110000000", "壹亿壹仟万元整"),
    ("101000000", "壹亿零壹佰万元整"),
    ("100010000", "壹亿零壹万元整"),
    ("123456789.12", "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元壹角贰分"),
    ("1000000000000", "壹万亿元整"),
    ("1000100000000", "壹万零壹亿元整"),
    ("9999999999999999.99", "玖仟玖佰玖拾玖万玖仟玖佰玖拾玖亿玖仟玖佰玖拾玖万玖仟玖佰玖拾玖元玖角玖分"),
    ("0.005", "壹分"),  # rounded half-up to the cent first
    ("0.004", "零元整"),
    ("-98000", "负玖万捌仟元整"),
]


@pytest.mark.parametrize(("amount", "words"), TABLE)
def test_the_rules_examples(amount: str, words: str) -> None:
    assert amount_in_words(Decimal(amount)) == words
    assert amount_in_words(amount) == words  # text, as typed


def test_int_and_refusals() -> None:
    assert amount_in_words(98000) == "玖万捌仟元整"
    with pytest.raises(TypeError):
        amount_in_words(0.5)  # type: ignore[arg-type]
    for bad in ("abc", "", "NaN", "Infinity"):
        with pytest.raises(ValueError):
            amount_in_words(bad)


# --- an independent reader of capitals: what the words say, as a number -------------------------

_UNIT_VALUES = {"拾": 10, "佰": 100, "仟": 1000}


def _read_group(text: str) -> int:
    total, digit = 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS.index(ch)
        else:
            assert digit is not None and digit != 0, text  # every unit has its digit in front
            total += digit * _UNIT_VALUES[ch]
            digit = None
    return total + (digit or 0)


def _read_integer(text: str) -> int:
    if "亿" in text:
        high, _sep, low = text.rpartition("亿")
        return _read_integer(high) * 100_000_000 + (_read_integer(low) if low else 0)
    if "万" in text:
        high, _sep, low = text.partition("万")
        return _read_group(high) * 10_000 + (_read_group(low) if low else 0)
    return _read_group(text)


def read_capitals(words: str) -> Decimal:
    sign = -1 if words.startswith("负") else 1
    words = words.removeprefix("负").removesuffix("整")
    yuan_text, _sep, rest = words.rpartition("元")
    yuan = _read_integer(yuan_text) if yuan_text and yuan_text != "零" else 0
    jiao = fen = 0
    if "角" in rest:
        jiao_text, _sep, rest = rest.partition("角")
        jiao = DIGITS.index(jiao_text[-1])
    if "分" in rest:
        fen = DIGITS.index(rest.removesuffix("分")[-1])
    return sign * (Decimal(yuan) + Decimal(jiao) / 10 + Decimal(fen) / 100)


amounts = st.decimals(min_value=Decimal("-9999999999999999.99"), max_value=Decimal("9999999999999999.99"),
                      places=2, allow_nan=False, allow_infinity=False)


@given(amounts)
def test_the_words_say_the_amount(amount: Decimal) -> None:
    assert read_capitals(amount_in_words(amount)) == amount


@given(amounts)
def test_the_shape_of_the_words(amount: Decimal) -> None:
    words = amount_in_words(amount)
    cents = int(abs(amount) * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    assert "零零" not in words  # a run of zeros is one 零
    assert set(words) <= set(DIGITS + "拾佰仟万亿元角分整负")
    assert words.endswith("整") == (jiao == 0 and fen == 0)
    assert ("元" in words) == (yuan > 0 or cents == 0)
    assert ("角" in words) == (jiao > 0) and ("分" in words) == (fen > 0)
    if cents:
        assert not words.removeprefix("负").startswith("零")
        assert not words.removesuffix("整").endswith("零")
    assert words.startswith("负") == (amount < 0 and cents > 0)
    # 零 right after 元 exactly when 角 is nothing and 分 is something.
    assert ("元零" in words) == (yuan > 0 and jiao == 0 and fen > 0)
    # Every 拾 has its digit: 壹拾, never a bare 拾.
    assert all(words[i - 1] in DIGITS[1:] for i, ch in enumerate(words) if ch in "拾佰仟")
