"""The print templates a company starts with: a contract and a quotation, in Chinese and English.

Plain HTML within the subset Qt's rich text engine (QTextDocument) draws: tables with
``border``/``cellpadding``/``width``, ``border-collapse``, ``align``, ``bgcolor``, font size and
weight. Placeholders are ``{{name}}``; ``{{#lines}} … {{/lines}}`` repeats once per product
line (``print_templates.PLACEHOLDERS`` lists them all).
"""
from __future__ import annotations

_TABLE = ('<table border="1" width="100%" cellspacing="0" cellpadding="3" '
          'style="border-collapse: collapse; border-color: #555555; font-size: 9.5pt;">')
_NUM = '<td align="right">'
_LINE_ROW = ('{{#lines}}<tr><td align="center">{{line.no}}</td><td>{{line.product}}</td><td>{{line.code}}</td>'
             '<td align="center">{{line.unit}}</td>'
             f'{_NUM}{{{{line.quantity}}}}</td>{_NUM}{{{{line.price}}}}</td>{_NUM}{{{{line.discount}}}}</td>'
             f'{_NUM}{{{{line.amount}}}}</td></tr>{{{{/lines}}}}')
#: Column widths (percent) of the lines table: numbers get the room they need on one line.
_WIDTHS = (7, 19, 12, 8, 7, 17, 10, 20)


def _header(*titles: str) -> str:
    cells = "".join(f'<th width="{w}%">{t}</th>' for w, t in zip(_WIDTHS, titles, strict=True))
    return f'<tr bgcolor="#eeeeee">{cells}</tr>'


_LETTERHEAD = ('<table width="100%" cellspacing="0" cellpadding="0"><tr><td valign="middle">{{logo}}</td>'
               '<td width="100%" valign="middle">&nbsp;&nbsp;<span style="font-size: 16pt; font-weight: bold;">'
               '{{company_name}}</span></td></tr></table><hr/>')


def _heading(title: str, corner: str) -> str:
    """Logo and company name across the top, the title centred, ``corner`` (the number or the
    date) on the right under it."""
    return (f'{_LETTERHEAD}\n<p align="center"><span style="font-size: 18pt; font-weight: bold;">{title}</span></p>'
            f'\n<p align="right">{corner}</p>')


#: Room to sign or write a date by hand (QTextDocument folds runs of spaces, not &nbsp;).
_BLANK = "&nbsp;" * 8


#: The lines table with its total and the total in capitals, in each language.
_LINES_ZH = f"""{_TABLE}
{_header("序号", "产品名称", "编码", "单位", "数量", "单价（元）", "折扣", "金额（元）")}
{_LINE_ROW}
<tr><td colspan="7" align="right"><b>合计</b></td><td align="right"><b>{{{{total}}}}</b></td></tr>
<tr><td colspan="8"><b>合计金额（大写）：</b>人民币{{{{total_in_words}}}}</td></tr>
</table>"""
_LINES_EN = f"""{_TABLE}
{_header("No.", "Product", "Code", "Unit", "Qty", "Unit price", "Disc.", "Amount")}
{_LINE_ROW}
<tr><td colspan="7" align="right"><b>Total</b></td><td align="right"><b>{{{{total}}}}</b></td></tr>
<tr><td colspan="8"><b>Total in words (RMB):</b> {{{{total_in_words}}}}</td></tr>
</table>"""

CONTRACT_ZH = f"""<html><body style="font-size: 10.5pt;">
{_heading("销售合同", "合同编号：{{number}}")}
<p>合同名称：{{{{name}}}}</p>
<table width="100%" cellspacing="0" cellpadding="3">
<tr><td width="50%"><b>甲方（买方）：</b>{{{{customer_name}}}}</td><td><b>乙方（卖方）：</b>{{{{company_name}}}}</td></tr>
<tr><td>地址：{{{{customer_address}}}}</td><td>签约代表：{{{{our_signer}}}}</td></tr>
<tr><td>联系人：{{{{contact_name}}}}　电话：{{{{contact_mobile}}}}</td><td>签订日期：{{{{order_date}}}}</td></tr>
</table>
<p>经甲乙双方友好协商，甲方向乙方购买下列产品，明细如下：</p>
{_LINES_ZH}
<p><b>付款方式：</b>{{{{payment_terms}}}}</p>
<p><b>合同期限：</b>{{{{start_date}}}} 至 {{{{end_date}}}}</p>
<p><b>备注：</b>{{{{remark}}}}</p>
<p>本合同一式两份，甲乙双方各执一份，自双方签字盖章之日起生效。</p>
<br/>
<table width="100%" cellspacing="0" cellpadding="6">
<tr><td width="50%">甲方（盖章）：{{{{customer_name}}}}</td><td>乙方（盖章）：{{{{company_name}}}}</td></tr>
<tr><td>授权代表（签字）：</td><td>授权代表（签字）：</td></tr>
<tr><td>日期：{_BLANK}年{_BLANK}月{_BLANK}日</td><td>日期：{_BLANK}年{_BLANK}月{_BLANK}日</td></tr>
</table>
</body></html>
"""

CONTRACT_EN = f"""<html><body style="font-size: 10.5pt;">
{_heading("Sales Contract", "Contract no. {{number}}")}
<p>Contract: {{{{name}}}}</p>
<table width="100%" cellspacing="0" cellpadding="3">
<tr><td width="50%"><b>Buyer:</b> {{{{customer_name}}}}</td><td><b>Seller:</b> {{{{company_name}}}}</td></tr>
<tr><td>Address: {{{{customer_address}}}}</td><td>Signed for the seller by: {{{{our_signer}}}}</td></tr>
<tr><td>Contact: {{{{contact_name}}}} {{{{contact_mobile}}}}</td><td>Order date: {{{{order_date}}}}</td></tr>
</table>
<p>The buyer purchases from the seller the following products:</p>
{_LINES_EN}
<p><b>Payment terms:</b> {{{{payment_terms}}}}</p>
<p><b>Term:</b> {{{{start_date}}}} to {{{{end_date}}}}</p>
<p><b>Remark:</b> {{{{remark}}}}</p>
<p>This contract is made in two copies, one for each party, and takes effect when both have signed and sealed it.</p>
<br/>
<table width="100%" cellspacing="0" cellpadding="6">
<tr><td width="50%">Buyer (seal): {{{{customer_name}}}}</td><td>Seller (seal): {{{{company_name}}}}</td></tr>
<tr><td>Authorised signature:</td><td>Authorised signature:</td></tr>
<tr><td>Date: {_BLANK}</td><td>Date: {_BLANK}</td></tr>
</table>
</body></html>
"""

QUOTATION_ZH = f"""<html><body style="font-size: 10.5pt;">
{_heading("报价单", "报价日期：{{print_date}}")}
<table width="100%" cellspacing="0" cellpadding="3">
<tr><td width="50%"><b>客户：</b>{{{{customer_name}}}}</td><td><b>报价单位：</b>{{{{company_name}}}}</td></tr>
<tr><td>联系人：{{{{contact_name}}}}　电话：{{{{contact_mobile}}}}</td><td>报价人：{{{{our_signer}}}}</td></tr>
<tr><td>项目：{{{{name}}}}</td><td>预计成交日期：{{{{expected_close_date}}}}</td></tr>
</table>
<p>感谢贵司的垂询，现将报价明细列示如下：</p>
{_LINES_ZH}
<p><b>说明：</b>{{{{remark}}}}</p>
<p>1. 以上报价含税，有效期三十天。2. 交货期以合同约定为准。</p>
<br/>
<table width="100%" cellspacing="0" cellpadding="6">
<tr><td width="50%">报价单位（盖章）：{{{{company_name}}}}</td><td>客户确认（签字）：</td></tr>
<tr><td>日期：{{{{print_date}}}}</td><td>日期：{_BLANK}年{_BLANK}月{_BLANK}日</td></tr>
</table>
</body></html>
"""

QUOTATION_EN = f"""<html><body style="font-size: 10.5pt;">
{_heading("Quotation", "Date: {{print_date}}")}
<table width="100%" cellspacing="0" cellpadding="3">
<tr><td width="50%"><b>Customer:</b> {{{{customer_name}}}}</td><td><b>From:</b> {{{{company_name}}}}</td></tr>
<tr><td>Contact: {{{{contact_name}}}} {{{{contact_mobile}}}}</td><td>Quoted by: {{{{our_signer}}}}</td></tr>
<tr><td>Project: {{{{name}}}}</td><td>Expected close date: {{{{expected_close_date}}}}</td></tr>
</table>
<p>Thank you for your enquiry. Our prices are:</p>
{_LINES_EN}
<p><b>Notes:</b> {{{{remark}}}}</p>
<p>1. Prices include tax and are valid for thirty days. 2. Delivery as agreed in the contract.</p>
<br/>
<table width="100%" cellspacing="0" cellpadding="6">
<tr><td width="50%">For {{{{company_name}}}} (seal):</td><td>Accepted by the customer (signature):</td></tr>
<tr><td>Date: {{{{print_date}}}}</td><td>Date: {_BLANK}</td></tr>
</table>
</body></html>
"""

#: (kind, language) → the template a company starts with.
DEFAULT_TEMPLATES: dict[tuple[str, str], str] = {
    ("contract", "zh_CN"): CONTRACT_ZH, ("contract", "en"): CONTRACT_EN,
    ("quotation", "zh_CN"): QUOTATION_ZH, ("quotation", "en"): QUOTATION_EN,
}

__all__ = ["DEFAULT_TEMPLATES"]
