"""RFM scores of members, computed set-based in one SQL statement (PostgreSQL and SQLite alike).

Activity is an investment (a note that was not refunded, on the day it was placed) or a repayment
a borrower made (a servicing payment they paid). Per member, the database aggregates:

- recency: the last activity day (more recent scores higher);
- frequency: the number of activities;
- monetary: the sum of their amounts (minor units).

Each is scored 1-5 by quintile among the members with any activity: score = 1 + 5 * (number of
members with a strictly smaller value) // members. ``RANK() - 1`` is exactly that number, so the
score is a window function over the aggregates and equal values get equal scores (deterministic).
Members with no activity have no RFM score (they are in no RFM segment).

Both databases have window functions and integer division of integers, so one statement serves
both; segments are its ``WHERE`` (:func:`segment_sql`), which a campaign run on PostgreSQL inserts
straight into its work table (``campaigns/bulk.py``) without bringing 1M rows into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection, transaction

from peerlend.lending.models import Note, NoteStatus
from peerlend.servicing.models import PaymentKind, ServicingPayment

# Payments a borrower makes themselves (a compensation or recovery is not the borrower's activity).
BORROWER_PAYMENTS = (PaymentKind.REPAYMENT, PaymentKind.AUTO_DEBIT, PaymentKind.PREPAYMENT,
                     PaymentKind.PARTIAL_PREPAYMENT)

# The named RFM segments: the filter on the scores each one is.
SEGMENTS = {
    "champions": "r >= 4 AND f >= 4 AND m >= 4",  # recent, frequent and large
    "at_risk": "r <= 2 AND f >= 3",  # were active often, not recently
}


@dataclass(frozen=True)
class Rfm:
    user_id: int
    last_day: date
    frequency: int
    monetary_minor: int
    r: int = 0
    f: int = 0
    m: int = 0


def scored_sql() -> tuple[str, list[Any]]:
    """``SELECT user_id, last_day, n, total, r, f, m`` for every active member (one statement)."""
    note, pay = Note._meta.db_table, ServicingPayment._meta.db_table
    kinds = ", ".join(["%s"] * len(BORROWER_PAYMENTS))
    sql = f"""
        WITH act AS (
            SELECT investor_id AS user_id, placed_on AS day, amount_minor AS amount FROM {note}
             WHERE status <> %s AND placed_on IS NOT NULL
            UNION ALL
            SELECT payer_id, business_date, amount_minor FROM {pay}
             WHERE kind IN ({kinds}) AND payer_id IS NOT NULL
        ), agg AS (
            SELECT user_id, MAX(day) AS last_day, COUNT(*) AS n, CAST(SUM(amount) AS BIGINT) AS total
              FROM act GROUP BY user_id
        )
        SELECT user_id, last_day, n, total,
               1 + 5 * (RANK() OVER (ORDER BY last_day) - 1) / COUNT(*) OVER () AS r,
               1 + 5 * (RANK() OVER (ORDER BY n) - 1) / COUNT(*) OVER () AS f,
               1 + 5 * (RANK() OVER (ORDER BY total) - 1) / COUNT(*) OVER () AS m
          FROM agg"""  # noqa: S608 - table names are ours, values are parameters
    return sql, [NoteStatus.REFUNDED.value, *(k.value for k in BORROWER_PAYMENTS)]


def segment_sql(name: str) -> tuple[str, list[Any]]:
    """``SELECT user_id`` of one RFM segment (``champions`` or ``at_risk``), for use as a subquery."""
    sql, params = scored_sql()
    return f"SELECT user_id FROM ({sql}) scored WHERE {SEGMENTS[name]}", params  # noqa: S608


# Sort and hash memory for the scoring statement on PostgreSQL: its three window sorts and the
# aggregate hold a row per member (~100 MB at 1M); with the default 4 MB they spill to disk and the
# statement takes about 1.6x as long (measured at 1M members, bench/marketing.py).
WORK_MEM = "256MB"


def large_sort_memory(cursor: Any) -> None:
    """Let this transaction's sorts of a row per member stay in memory (PostgreSQL; no-op elsewhere)."""
    if connection.vendor == "postgresql":
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")


def _day(value: Any) -> date:
    # SQLite hands dates back as ISO text from a raw query; PostgreSQL as dates.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def rfm_scores() -> dict[int, Rfm]:
    """Every active member's RFM values and 1-5 scores (small books and tests: the rows come to Python)."""
    sql, params = scored_sql()
    with transaction.atomic(), connection.cursor() as cur:
        large_sort_memory(cur)
        cur.execute(sql, params)
        rows = cur.fetchall()
    return {int(uid): Rfm(int(uid), _day(last), int(n), int(total), r=int(r), f=int(f), m=int(m))
            for uid, last, n, total, r, f, m in rows}


def _segment(name: str) -> list[int]:
    sql, params = segment_sql(name)
    with transaction.atomic(), connection.cursor() as cur:
        large_sort_memory(cur)
        cur.execute(f"{sql} ORDER BY user_id", params)
        return [int(row[0]) for row in cur.fetchall()]


def champions() -> list[int]:
    """Recent, frequent and large: every score 4 or 5."""
    return _segment("champions")


def at_risk() -> list[int]:
    """Were active often (frequency 3-5) but not recently (recency 1-2)."""
    return _segment("at_risk")


def summary() -> dict[str, int]:
    """How many members are scored and in each RFM segment: every member scored, counted in the database."""
    sql, params = scored_sql()
    counts = ", ".join(f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END)" for cond in SEGMENTS.values())
    with transaction.atomic(), connection.cursor() as cur:
        large_sort_memory(cur)
        cur.execute(f"SELECT COUNT(*), {counts} FROM ({sql}) scored", params)  # noqa: S608
        row = cur.fetchone()
    return {"scored": int(row[0]), **{name: int(v or 0) for name, v in zip(SEGMENTS, row[1:], strict=True)}}
