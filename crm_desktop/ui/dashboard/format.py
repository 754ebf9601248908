"""How the dashboard writes amounts and changes: ¥ 1,234,567 in full, 123.4万 (or ¥1.2M in
English) where room is short, +12.5 % against the previous period."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from crm_desktop.ui.i18n import current_language


def money(value: Decimal | float | None) -> str:
    """The full amount to the yuan (cents only below 100, where they matter); "—" when hidden."""
    if value is None:
        return "—"
    amount = Decimal(str(value))
    if abs(amount) < 100 and amount != amount.to_integral_value():
        return f"¥ {amount:,.2f}"
    return f"¥ {amount.quantize(Decimal(1), rounding=ROUND_HALF_UP):,}"


def short_money(value: Decimal | float | None, *, language: str | None = None) -> str:
    """A compact amount for tiles and chart axes: 123.4万 / 1.2亿 in Chinese, ¥12.3K / ¥1.2M in English."""
    if value is None:
        return "—"
    amount = float(value)
    chinese = (language or current_language()) == "zh_CN"
    size = abs(amount)
    if chinese:
        if size >= 1e8:
            return f"{amount / 1e8:,.1f}亿"
        if size >= 1e4:
            return f"{amount / 1e4:,.1f}万"
        return f"¥ {amount:,.0f}"
    if size >= 1e6:
        return f"¥{amount / 1e6:,.1f}M"
    if size >= 1e3:
        return f"¥{amount / 1e3:,.1f}K"
    return f"¥{amount:,.0f}"


def change_text(change: float | None) -> str:
    """+12.5 % / −3.0 % against the previous period ("—" when there is nothing to compare)."""
    if change is None:
        return "—"
    sign = "+" if change >= 0 else "−"
    return f"{sign}{abs(change) * 100:.1f} %"


def percent(ratio: float | None) -> str:
    return "—" if ratio is None else f"{ratio * 100:.1f} %"
