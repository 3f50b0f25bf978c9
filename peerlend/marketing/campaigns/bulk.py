"""The set-based campaign grant, PostgreSQL only: a few multi-row statements for any segment size.

``running.run_campaign`` calls :func:`grant` on PostgreSQL, under the campaign row's lock, in its
transaction; SQLite keeps the row-by-row path (``running._grant_rows``), which gives the same result.

1. The segment's member ids go into a work table with one ``INSERT ... SELECT`` (RFM scores are
   computed in that statement, ``segments/rfm.py``), minus the members this campaign already reached
   (``CampaignGrant`` is unique per campaign and member: a re-run grants nobody twice).
2. The budget cut: ``n = (budget - spent) // unit cost`` members are kept, in ascending member id
   (the same order as the row path), and the rest are counted as left out. So the spending is
   exactly ``n * cost <= budget - spent``, and the database's ``campaign_spent_within_budget`` check
   stands behind it.
3. Points: the members' rows are created if missing and locked in id order (DESIGN.md: a fixed lock
   order), one ``INSERT ... SELECT`` writes every points entry (a new lot, key ``campaign:<id>``,
   unique per member) and the same statement adds each inserted entry to its member's balance, so
   the entries still sum to the balances. Coupons: codes are drawn in Python (``secrets``, as
   ``issue_coupon`` does) and inserted with the coupons in one statement; a code already taken
   (rare) is drawn again for those members only.
4. Messages: one ``INSERT ... SELECT`` writes the inbox/e-mail/SMS rows on the channels each member
   chose and can be reached on (the rules of ``servicing.notices.store``) and the same statement
   queues one outbox message per e-mail/SMS row. Up to ``SEND_NOW_MAX`` are sent right after commit
   (as ``outbox.enqueue_many`` does); a larger run leaves them to ``peerlend send-outbox`` / ``run-day``,
   the sender that retries, so a commit never waits for 100k deliveries.

Nothing is booked in the ledger at grant time: points cost the platform nothing, and a coupon is
marketing expense only when the platform pays on it (``coupons/payouts.py``, one balanced entry per
payout). So the books' marketing expense equals what coupons paid out, however large the run.
"""

# ruff: noqa: S608 -- the SQL is ours: table names from models, the work table from an integer id, values bound

from __future__ import annotations

import functools
import json
from datetime import date

from django.db import connection, transaction
from django.utils.translation import gettext as _

from peerlend.accounts.models import Identity, User
from peerlend.clock import business_date
from peerlend.errors import Conflict
from peerlend.ledger import outbox
from peerlend.ledger.models import OutboxMessage
from peerlend.marketing.coupons.codes import new_code
from peerlend.marketing.coupons.rules import check_channel_rule
from peerlend.marketing.members.points import _expiry_from
from peerlend.marketing.models_campaigns import Campaign, CampaignGrant, CampaignReward
from peerlend.marketing.models_coupons import Coupon, CouponSource, CouponStatus
from peerlend.marketing.models_members import Member, PointsEntry, PointsReason
from peerlend.marketing.segments.members import segment_sql
from peerlend.marketing.segments.rfm import large_sort_memory
from peerlend.servicing.models import Channel, Notification, NotificationPreference
from peerlend.servicing.notices import OUTBOX_KIND

NOTICE_EVENT = "marketing_campaign"
SEND_NOW_MAX = 100  # measured: ~14 ms a message sent inline; more wait for the sender
_CODE_ROUNDS = 5


def _t(model: type) -> str:
    return str(model._meta.db_table)  # type: ignore[attr-defined]


def grant(campaign: Campaign, cost: int, today: date) -> tuple[int, int]:
    """Grant the campaign to its segment within its budget; returns (granted now, left out)."""
    work = f"mkt_campaign_{campaign.pk}"
    key = f"campaign:{campaign.pk}"
    with connection.cursor() as cur:
        large_sort_memory(cur)
        cur.execute(f"DROP TABLE IF EXISTS {work}")
        cur.execute(f"CREATE TEMP TABLE {work} (user_id bigint PRIMARY KEY, code varchar(16)) ON COMMIT DROP")
        seg, params = segment_sql(campaign, today)
        cur.execute(f"""INSERT INTO {work} (user_id) SELECT s.user_id FROM ({seg}) s
                        WHERE NOT EXISTS (SELECT 1 FROM {_t(CampaignGrant)} g
                                          WHERE g.campaign_id = %s AND g.user_id = s.user_id)""",
                    [*params, campaign.pk])
        todo = cur.rowcount
        allowed = max(0, (campaign.budget - campaign.spent) // cost) if cost > 0 else 0
        if todo > allowed:  # the budget cut: keep the lowest ids
            cur.execute(f"""DELETE FROM {work} WHERE user_id NOT IN
                            (SELECT user_id FROM {work} ORDER BY user_id LIMIT %s)""", [allowed])
        granted = min(todo, allowed)
        if granted == 0:
            return 0, todo
        cur.execute(f"ANALYZE {work}")
        if campaign.reward == CampaignReward.POINTS:
            _points(cur, work, campaign, cost, key, today)
        else:
            _coupons(cur, work, campaign, cost, key, today)
        _messages(cur, work, campaign, key)
    return granted, todo - granted


def _points(cur: object, work: str, campaign: Campaign, cost: int, key: str, today: date) -> None:
    booked = business_date()
    execute = cur.execute  # type: ignore[attr-defined]
    execute(f"""INSERT INTO {_t(Member)} (user_id, balance, birth_md, created_at)
                SELECT user_id, 0, '', now() FROM {work} ON CONFLICT (user_id) DO NOTHING""")
    execute(f"""SELECT count(*) FROM (SELECT 1 FROM {_t(Member)} m JOIN {work} w ON w.user_id = m.user_id
                                      ORDER BY m.user_id FOR UPDATE OF m) locked""")
    # A replayed key (an entry already there) is left as it is and adds nothing to the balance.
    execute(f"""WITH ins AS (
                  INSERT INTO {_t(PointsEntry)} (member_id, delta, reason, reference, idempotency_key, remaining,
                                                 expires_on, reversal_of_id, booked_on, created_at)
                  SELECT user_id, %s, %s, %s, %s, %s, %s, NULL, %s, now() FROM {work} ORDER BY user_id
                  ON CONFLICT (member_id, idempotency_key) DO NOTHING RETURNING member_id, delta)
                UPDATE {_t(Member)} m SET balance = m.balance + ins.delta FROM ins WHERE m.user_id = ins.member_id""",
            [cost, PointsReason.CAMPAIGN_TASK.value, key, key, cost, _expiry_from(booked), booked])
    execute(f"""INSERT INTO {_t(CampaignGrant)} (campaign_id, user_id, cost, coupon_id, granted_on)
                SELECT %s, user_id, %s, NULL, %s FROM {work} ORDER BY user_id""", [campaign.pk, cost, today])


def _coupons(cur: object, work: str, campaign: Campaign, cost: int, key: str, today: date) -> None:
    template = campaign.coupon_template
    assert template is not None
    check_channel_rule(template.kind, template.channel)
    if not template.active or today > template.valid_until:
        raise Conflict(_("this coupon is no longer offered"), code="coupon_template_closed")
    execute, fetch = cur.execute, cur.fetchall  # type: ignore[attr-defined]
    # A coupon already issued under this key (a replay) is the member's grant, as issue_coupon returns it.
    execute(f"""INSERT INTO {_t(CampaignGrant)} (campaign_id, user_id, cost, coupon_id, granted_on)
                SELECT %s, w.user_id, %s, c.id, %s FROM {work} w
                JOIN {_t(Coupon)} c ON c.user_id = w.user_id AND c.issue_key = %s""", [campaign.pk, cost, today, key])
    for _round in range(_CODE_ROUNDS):
        execute(f"""SELECT user_id FROM {work} w WHERE NOT EXISTS (SELECT 1 FROM {_t(CampaignGrant)} g
                    WHERE g.campaign_id = %s AND g.user_id = w.user_id) ORDER BY user_id""", [campaign.pk])
        missing = [int(row[0]) for row in fetch()]
        if not missing:
            return
        execute(f"""UPDATE {work} w SET code = v.code FROM unnest(%s::bigint[], %s::text[]) AS v(user_id, code)
                    WHERE w.user_id = v.user_id""", [missing, [new_code() for _ in missing]])
        # A code another coupon holds makes that row a no-op: its member is drawn again next round.
        execute(f"""WITH c AS (
                      INSERT INTO {_t(Coupon)} (template_id, user_id, code, kind, channel, status, source, issue_key,
                          issued_on, expires_on, redeemed_on, redeemed_channel, redeemed_by_id, service_point_id,
                          note_id, loan_id, paid_minor, boost_payouts, created_at)
                      SELECT %s, w.user_id, w.code, %s, %s, %s, %s, %s, %s, %s, NULL, '', NULL, NULL, NULL, NULL, 0, 0,
                             now()
                        FROM {work} w WHERE w.user_id = ANY(%s::bigint[]) ORDER BY w.user_id
                      ON CONFLICT DO NOTHING RETURNING id, user_id)
                    INSERT INTO {_t(CampaignGrant)} (campaign_id, user_id, cost, coupon_id, granted_on)
                    SELECT %s, c.user_id, %s, c.id, %s FROM c""",
                [template.pk, template.kind, template.channel, CouponStatus.ISSUED.value, CouponSource.CAMPAIGN.value,
                 key, today, template.valid_until, missing, campaign.pk, cost, today])
    raise Conflict(_("could not issue the coupon, try again"), code="coupon_issue_retry")


def _messages(cur: object, work: str, campaign: Campaign, key: str) -> None:
    """Inbox, e-mail and SMS rows and their outbox messages, as ``notify_many`` would write them."""
    execute, fetch = cur.execute, cur.fetchall  # type: ignore[attr-defined]
    params = json.dumps({"campaign": campaign.name, "message": campaign.message})
    execute(f"""WITH n AS (
                  INSERT INTO {_t(Notification)} (user_id, event_key, event, channel, params, fallback_subject,
                      fallback_body, status, error, created_at, sent_at, read_at)
                  SELECT w.user_id, %(event_key)s, %(event)s, ch.channel, %(params)s::jsonb, '', '',
                         CASE WHEN ch.channel = %(inbox)s THEN %(sent)s ELSE %(pending)s END, '', now(),
                         CASE WHEN ch.channel = %(inbox)s THEN now() END, NULL
                    FROM {work} w JOIN {_t(User)} u ON u.id = w.user_id
                    LEFT JOIN {_t(NotificationPreference)} p ON p.user_id = w.user_id
                    CROSS JOIN LATERAL (VALUES
                        (%(inbox)s, true),
                        (%(email)s, COALESCE(p.email, true) AND u.email <> ''),
                        (%(sms)s, COALESCE(p.sms, true)
                                  AND EXISTS (SELECT 1 FROM {_t(Identity)} i WHERE i.user_id = w.user_id))
                    ) AS ch(channel, wanted)
                   WHERE ch.wanted ORDER BY w.user_id
                  ON CONFLICT (user_id, event_key, channel) DO NOTHING RETURNING id, channel)
                INSERT INTO {_t(OutboxMessage)} (kind, key, payload, status, attempts, last_error, created_at,
                    next_attempt_at, locked_until, claim, sent_at)
                SELECT %(kind)s, 'notice:' || n.id, jsonb_build_object('notification_id', n.id), %(pending)s, 0, '',
                       now(), now(), NULL, '', NULL
                  FROM n WHERE n.channel <> %(inbox)s ORDER BY n.id
                ON CONFLICT (key) DO NOTHING RETURNING key""",
            {"event_key": f"{NOTICE_EVENT}:{key}"[:120], "event": NOTICE_EVENT, "params": params,
             "inbox": Channel.INBOX.value, "email": Channel.EMAIL.value, "sms": Channel.SMS.value,
             "sent": Notification.Status.SENT.value, "pending": Notification.Status.PENDING.value,
             "kind": OUTBOX_KIND})
    keys = [row[0] for row in fetch()]
    if keys and len(keys) <= SEND_NOW_MAX:
        transaction.on_commit(functools.partial(outbox.send_keys, keys), robust=True)
