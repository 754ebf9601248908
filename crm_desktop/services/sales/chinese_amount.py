"""An amount of money in Chinese capitals (人民币大写), as a contract or an invoice writes it.

Promises (plain Python, any thread):

- ``amount_in_words(Decimal("98000"))`` → "玖万捌仟元整"; the amount is rounded half-up to the
  cent first. The rules are those of the People's Bank of China for bills and vouchers
  (《正确填写票据和结算凭证的基本规定》):
  - digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 inside a group of four, groups 万 and 亿
    (亿 repeats for larger amounts: 壹万亿, 壹亿亿), money units 元角分;
  - a run of zeros between two written digits is one 零 (¥6,007.14 → 陆仟零柒元壹角肆分),
    also across a group boundary (¥100,010.05 → 壹拾万零壹拾元零伍分);
  - a 10 is written 壹拾 (the capitals never leave a digit out: no one can put one in front);
  - 整 follows 元 when there are no 角 and 分; nothing follows 角 or 分 (0.5 → 伍角);
  - 角 zero and 分 not: 零 after 元 (¥16,409.02 → 壹万陆仟肆佰零玖元零贰分);
  - where the rules allow either (a zero 元 or 万 digit before a written 角 or 仟), no 零 is
    written: ¥1,680.32 → 壹仟陆佰捌拾元叁角贰分, ¥107,000.53 → 壹拾万柒仟元伍角叁分;
  - less than one yuan has no 元: 0.05 → 伍分; zero is 零元整; a negative amount starts with 负.
- Floats are refused (they arrive already rounded wrongly), like everywhere money is handled.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

DIGITS = "零壹贰叁肆伍陆柒捌玖"
#: Units inside a group of four digits, from the ones upwards.
_UNITS = ("", "拾", "佰", "仟")
_CENT = Decimal("0.01")
_WAN = 10_000
_YI = 100_000_000


def _group(n: int) -> str:
    """1 ≤ n ≤ 9999 in capitals; zeros between digits as one 零, trailing zeros left out."""
    digits = f"{n:04d}"
    out: list[str] = []
    zero = False
    for position, ch in enumerate(digits):
        d = int(ch)
        if d == 0:
            zero = bool(out)  # a zero after a written digit: 零 if another digit follows
            continue
        if zero:
            out.append(DIGITS[0])
            zero = False
        out.append(DIGITS[d] + _UNITS[3 - position])
    return "".join(out)


def _integer(n: int) -> str:
    """n ≥ 1 in capitals (without 元): the part above 亿 (or 万) in capitals itself, its unit,
    then the rest — after one 零 when the rest's highest digit is a zero."""
    for size, unit, part in ((_YI, "亿", _integer), (_WAN, "万", _group)):
        if n >= size:
            high, low = divmod(n, size)
            text = part(high) + unit
            if low:
                text += (DIGITS[0] if low < size // 10 else "") + _integer(low)
            return text
    return _group(n)


def amount_in_words(amount: Decimal | int | str) -> str:
    """The amount in Chinese capitals (see the module docstring for the rules)."""
    if isinstance(amount, float):
        raise TypeError("money must not be a float")
    try:
        value = Decimal(str(amount).strip()).quantize(_CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    if not value.is_finite():
        raise ValueError(f"not an amount: {amount!r}")
    sign = "负" if value < 0 else ""
    cents = int(abs(value) * 100)
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    if cents == 0:
        return "零元整"
    text = _integer(yuan) + "元" if yuan else ""
    if jiao == 0 and fen == 0:
        return sign + text + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif yuan:
        text += DIGITS[0]  # 元 then 分 with no 角 between: 零 says the 角 is nothing
    if fen:
        text += DIGITS[fen] + "分"
    return sign + text


__all__ = ["DIGITS", "amount_in_words"]
