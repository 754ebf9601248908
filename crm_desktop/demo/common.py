"""Building blocks the demo data modules share: people's names, random times, the columns
every record has, and the bulk-insert plumbing (one executemany per table, explicit ids,
keyset pages of the owned customers).

Thread rule: plain service code; run it off the GUI thread.
"""
from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Row, func, select, text
from sqlalchemy.orm import Session

from crm_desktop.models import Customer

#: Rows per unit of work (a savepoint inside ``create_demo_company``'s one transaction):
#: bounds the memory one batch takes.
BATCH_SIZE = 5_000

SURNAMES = (("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"), ("陈", "chen"), ("杨", "yang"),
            ("黄", "huang"), ("赵", "zhao"), ("吴", "wu"), ("周", "zhou"), ("徐", "xu"), ("孙", "sun"),
            ("马", "ma"), ("朱", "zhu"), ("胡", "hu"), ("郭", "guo"), ("何", "he"), ("林", "lin"),
            ("罗", "luo"), ("郑", "zheng"), ("梁", "liang"), ("谢", "xie"), ("宋", "song"), ("唐", "tang"),
            ("许", "xu"), ("邓", "deng"), ("冯", "feng"), ("韩", "han"), ("曹", "cao"), ("蔡", "cai"))
GIVEN_MALE = (("伟", "wei"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("杰", "jie"), ("涛", "tao"),
              ("斌", "bin"), ("超", "chao"), ("浩然", "haoran"), ("子轩", "zixuan"), ("宇航", "yuhang"),
              ("俊杰", "junjie"), ("建国", "jianguo"), ("志明", "zhiming"), ("文博", "wenbo"), ("鹏", "peng"))
GIVEN_FEMALE = (("芳", "fang"), ("敏", "min"), ("静", "jing"), ("丽", "li"), ("婷", "ting"), ("雪", "xue"),
                ("慧", "hui"), ("佳怡", "jiayi"), ("欣怡", "xinyi"), ("梦琪", "mengqi"), ("雨涵", "yuhan"),
                ("晓燕", "xiaoyan"), ("秀英", "xiuying"), ("思琪", "siqi"), ("玉兰", "yulan"), ("倩", "qian"))
_MOBILE_PREFIXES = ("135", "136", "137", "139", "150", "151", "152", "158", "159", "186", "187", "188", "189")


def random_person(rng: random.Random) -> tuple[str, str, str]:
    """A Chinese name, its gender and its pinyin (for e-mail and WeChat ids)."""
    sur, sur_py = rng.choice(SURNAMES)
    gender = "male" if rng.random() < 0.6 else "female"
    given, given_py = rng.choice(GIVEN_MALE if gender == "male" else GIVEN_FEMALE)
    return sur + given, gender, sur_py + given_py


def random_mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def random_time(rng: random.Random, low: dt.datetime, high: dt.datetime) -> dt.datetime:
    """A time between ``low`` and ``high`` (``high`` itself when the span is empty)."""
    return low + (high - low) * rng.random() if high > low else high


def record_columns(owner: int | None, created: dt.datetime, updated: dt.datetime) -> dict[str, object]:
    """The columns every record has, for a row its owner created."""
    return {"owner_id": owner, "creator_id": owner, "created_at": created, "updated_at": updated,
            "version": 1, "custom": {}}


def bulk_insert(session: Session, model: Any, rows: Sequence[dict[str, object]]) -> None:
    """One executemany through the table: the ORM's bulk path splits rows whose None values
    differ into separate statements (thousands of them for stage histories)."""
    if rows:
        session.execute(model.__table__.insert(), rows)


def next_id(session: Session, model: Any) -> int:
    """The id after the highest one in use (rows inserted with explicit ids start here)."""
    return int(session.scalar(select(func.max(model.id))) or 0) + 1


def sync_id_sequences(session: Session, tables: Sequence[str]) -> None:
    """Rows were inserted with explicit ids: move PostgreSQL's id sequences past them."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                             f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table}"))


def owned_customers_after(session: Session, last_id: int, limit: int, columns: Sequence[Any],
                          *criteria: ColumnElement[bool]) -> Sequence[Row[Any]]:
    """The next page (keyset, by id) of customers that have an owner, as rows of ``columns``."""
    return session.execute(select(*columns).where(Customer.id > last_id, *criteria, Customer.owner_id.is_not(None))
                           .order_by(Customer.id).limit(limit)).all()
