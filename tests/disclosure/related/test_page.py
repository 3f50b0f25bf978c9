"""The staff page of related parties: the list, flagging and ending by POST (audited), refusals, roles."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from peerlend.accounts.models import Identity
from peerlend.clock import set_business_date
from peerlend.compliance.models import AuditEvent
from peerlend.disclosure.models import RelatedParty
from peerlend.disclosure.monthly.related import end_related_party, flag_related_party
from tests.factories import make_agent, make_staff, make_user
from tests.web.test_get_writes_nothing import writes_captured

pytestmark = pytest.mark.django_db
URL = "/compliance/related-parties"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TODAY = date(2026, 3, 2)


@pytest.fixture(autouse=True)
def _today() -> None:
    set_business_date(TODAY)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def end_url(flag: RelatedParty) -> str:
    return f"{URL}/{flag.pk}/end"


def audit_count() -> int:
    return AuditEvent.objects.filter(action__startswith="disclosure.related_party").count()


def flagged(member=None, *, since: date = date(2026, 1, 1), reason: str = "director") -> RelatedParty:
    return flag_related_party(actor=make_staff("operator"), user=member or make_user(roles=("borrower",)),
                              reason=reason, since=since)


def business_writes(seen: list[str]) -> list[str]:
    """Writes other than the member's language, which a POST in another language records (accounts)."""
    return [sql for sql in seen if not sql.startswith('UPDATE "accounts_user" SET "language" = ')]


def html_of(response) -> str:
    return response.content.decode()


# ---- the list


@pytest.mark.parametrize("role", ["operator", "compliance", "admin"])
def test_staff_open_the_page(role: str) -> None:
    r = client_for(make_staff(role)).get(URL, **EN)
    assert r.status_code == 200
    assert "Related parties" in html_of(r) and "No member is flagged as a related party." in html_of(r)


def test_the_list_shows_current_rows_with_masked_names() -> None:
    member = make_user("rp_member", roles=("borrower",))
    operator = make_staff("operator")
    flag_related_party(actor=operator, user=member, reason="director of the platform", since=date(2026, 1, 15))
    html = html_of(client_for(make_staff("compliance")).get(URL, **EN))
    masked = Identity.objects.get(user=member).real_name_masked
    assert f'data-related="{RelatedParty.objects.get().pk}"' in html
    assert "rp_member" in html and masked in html and "张三" not in html
    assert "director of the platform" in html and "2026-01-15" in html and operator.username in html
    assert "Current flags: 1" in html and "Ended flags: 0" in html


def test_the_list_shows_ended_rows_with_who_ended_them() -> None:
    flag = flagged(make_user("rp_gone", roles=("investor",)))
    admin = make_staff("admin")
    end_related_party(actor=admin, user=flag.user, until=date(2026, 2, 1), reason="resigned")
    html = html_of(client_for(make_staff("operator")).get(URL, **EN))
    assert "Current flags: 0" in html and "Ended flags: 1" in html
    ended = html.split("data-related-ended", 1)[1]
    assert "rp_gone" in ended and "2026-02-01" in ended and admin.username in ended and "resigned" in ended
    assert end_url(flag) not in html  # an ended flag has no end form


def test_a_member_without_identity_is_listed_with_a_dash() -> None:
    flagged(make_user("rp_nokyc", roles=("borrower",), kyc=False))
    html = html_of(client_for(make_staff("operator")).get(URL, **EN))
    assert "rp_nokyc" in html and "Current flags: 1" in html


def test_the_form_defaults_to_the_business_date() -> None:
    html = html_of(client_for(make_staff("operator")).get(URL, **EN))
    assert 'name="since"' in html and 'value="2026-03-02"' in html


def test_each_current_row_has_an_end_form_with_csrf() -> None:
    flag = flagged()
    c = Client(enforce_csrf_checks=True)
    c.force_login(make_staff("operator"))
    html = html_of(c.get(URL, **EN))
    assert f'action="{end_url(flag)}"' in html and "csrfmiddlewaretoken" in html


# ---- flagging


def test_flag_a_member_redirects_with_a_message_and_is_audited() -> None:
    member = make_user("rp_new", roles=("borrower",))
    operator = make_staff("operator")
    c = client_for(operator)
    r = c.post(URL, {"username": "rp_new", "since": "2026-02-01", "reason": "shareholder"}, **EN)
    assert r.status_code == 302 and r["Location"] == URL
    row = RelatedParty.objects.get(user=member)
    assert (row.since, row.until, row.reason) == (date(2026, 2, 1), None, "shareholder")
    event = AuditEvent.objects.get(action="disclosure.related_party_flagged")
    assert event.actor_id == operator.pk and event.target_id == str(row.pk) and event.reason == "shareholder"
    html = html_of(c.get(URL, **EN))
    assert "rp_new is flagged as a related party from 2026-02-01." in html


@pytest.mark.parametrize("role", ["compliance", "admin"])
def test_compliance_and_admin_flag_too(role: str) -> None:
    make_user("rp_by_role", roles=("investor",))
    r = client_for(make_staff(role)).post(URL, {"username": "rp_by_role", "since": "2026-03-02", "reason": "staff"})
    assert r.status_code == 302 and RelatedParty.objects.count() == 1


def test_flag_reason_is_stripped() -> None:
    make_user("rp_strip", roles=("investor",))
    client_for(make_staff("operator")).post(URL, {"username": "rp_strip", "since": "2026-03-02",
                                                  "reason": "  employee  "})
    assert RelatedParty.objects.get().reason == "employee"


def _refused_flag(data: dict[str, str], status: int, message: str) -> None:
    before = (RelatedParty.objects.count(), audit_count())
    c = client_for_operator()
    with writes_captured() as seen:
        r = c.post(URL, data, **EN)
    assert r.status_code == status, r.status_code
    html = html_of(r)
    assert message in html and "data-related-error" in html
    assert (RelatedParty.objects.count(), audit_count()) == before
    assert business_writes(seen) == [], seen  # a refused change writes nothing



def client_for_operator() -> Client:
    return client_for(make_staff("operator"))


def test_unknown_username_is_refused() -> None:
    _refused_flag({"username": "nobody-at-all", "since": "2026-03-02", "reason": "x"}, 400,
                  "No member has this username.")


def test_already_flagged_is_refused_with_409() -> None:
    flagged(make_user("rp_twice", roles=("borrower",)))
    _refused_flag({"username": "rp_twice", "since": "2026-03-02", "reason": "again"}, 409,
                  "This member is flagged as a related party already.")


def test_ended_flag_cannot_be_set_again() -> None:
    flag = flagged(make_user("rp_again", roles=("borrower",)))
    end_related_party(actor=make_staff("operator"), user=flag.user, until=date(2026, 2, 1), reason="left")
    _refused_flag({"username": "rp_again", "since": "2026-03-02", "reason": "back"}, 409,
                  "This member is flagged as a related party already.")


def test_empty_reason_is_refused() -> None:
    make_user("rp_noreason", roles=("borrower",))
    _refused_flag({"username": "rp_noreason", "since": "2026-03-02", "reason": "   "}, 400,
                  "Give the reason (at most 200 characters).")


def test_too_long_reason_is_refused() -> None:
    make_user("rp_long", roles=("borrower",))
    _refused_flag({"username": "rp_long", "since": "2026-03-02", "reason": "x" * 201}, 400,
                  "at most 200 characters")


def test_reason_of_200_characters_is_taken() -> None:
    make_user("rp_200", roles=("borrower",))
    r = client_for_operator().post(URL, {"username": "rp_200", "since": "2026-03-02", "reason": "x" * 200})
    assert r.status_code == 302 and len(RelatedParty.objects.get().reason) == 200


@pytest.mark.parametrize("since", ["not-a-date", "2026-02-30", "", "2026-13-01"])
def test_a_since_that_does_not_parse_is_refused(since: str) -> None:
    make_user("rp_baddate", roles=("borrower",))
    message = "This field is required." if since == "" else "Enter a valid date."
    _refused_flag({"username": "rp_baddate", "since": since, "reason": "director"}, 400, message)


def test_empty_username_is_refused() -> None:
    _refused_flag({"username": "", "since": "2026-03-02", "reason": "director"}, 400, "This field is required.")


def test_a_refused_form_keeps_what_was_typed() -> None:
    r = client_for_operator().post(URL, {"username": "nobody-at-all", "since": "2026-01-31", "reason": "typed"}, **EN)
    html = html_of(r)
    assert 'value="nobody-at-all"' in html and 'value="2026-01-31"' in html and 'value="typed"' in html


# ---- ending


def test_end_a_flag_redirects_with_a_message_and_is_audited() -> None:
    flag = flagged(make_user("rp_end", roles=("borrower",)))
    compliance = make_staff("compliance")
    c = client_for(compliance)
    r = c.post(end_url(flag), {"until": "2026-03-01", "reason": "no longer a director"}, **EN)
    assert r.status_code == 302 and r["Location"] == URL
    flag.refresh_from_db()
    assert flag.until == date(2026, 3, 1)
    event = AuditEvent.objects.get(action="disclosure.related_party_ended")
    assert event.actor_id == compliance.pk and event.reason == "no longer a director"
    assert "The related-party flag of rp_end ends on 2026-03-01." in html_of(c.get(URL, **EN))


def _refused_end(flag_id: int, data: dict[str, str], status: int, message: str) -> None:
    before = (list(RelatedParty.objects.values_list("pk", "until")), audit_count())
    c = client_for_operator()
    with writes_captured() as seen:
        r = c.post(f"{URL}/{flag_id}/end", data, **EN)
    assert r.status_code == status, r.status_code
    assert message in html_of(r) and "data-related-error" in html_of(r)
    assert (list(RelatedParty.objects.values_list("pk", "until")), audit_count()) == before
    assert business_writes(seen) == [], seen  # a refused change writes nothing


def test_end_before_the_start_is_refused() -> None:
    flag = flagged(since=date(2026, 2, 1))
    _refused_end(flag.pk, {"until": "2026-01-31", "reason": "typo"}, 400,
                 "The end must be after the start of the flag.")


def test_end_on_the_start_day_is_refused() -> None:
    flag = flagged(since=date(2026, 2, 1))
    _refused_end(flag.pk, {"until": "2026-02-01", "reason": "typo"}, 400,
                 "The end must be after the start of the flag.")


def test_end_of_an_ended_flag_is_refused() -> None:
    flag = flagged()
    end_related_party(actor=make_staff("operator"), user=flag.user, until=date(2026, 2, 1), reason="left")
    _refused_end(flag.pk, {"until": "2026-03-01", "reason": "again"}, 404,
                 "This member is not flagged as a related party.")


def test_end_of_an_unknown_flag_is_refused() -> None:
    _refused_end(999_999, {"until": "2026-03-01", "reason": "nothing"}, 404,
                 "This member is not flagged as a related party.")


@pytest.mark.parametrize("until", ["tomorrow", "2026-02-29", ""])
def test_an_until_that_does_not_parse_is_refused(until: str) -> None:
    flag = flagged()
    _refused_end(flag.pk, {"until": until, "reason": "left"}, 400, "The flag was not ended")


def test_end_without_a_reason_is_refused() -> None:
    flag = flagged()
    _refused_end(flag.pk, {"until": "2026-03-01", "reason": " "}, 400, "Give the reason (at most 200 characters).")


def test_a_refused_end_keeps_what_was_typed_on_its_row() -> None:
    flag = flagged(since=date(2026, 2, 1))
    html = html_of(client_for_operator().post(end_url(flag), {"until": "2026-01-05", "reason": "kept"}, **EN))
    row = html.split(f'data-related="{flag.pk}"', 1)[1].split("</tr>", 1)[0]
    assert 'value="2026-01-05"' in row and 'value="kept"' in row


def test_end_is_post_only() -> None:
    flag = flagged()
    assert client_for_operator().get(end_url(flag)).status_code == 405
    assert RelatedParty.objects.get().until is None


# ---- roles and reads


@pytest.mark.parametrize("role", ["borrower", "investor"])
def test_members_get_403(role: str) -> None:
    member = make_user(roles=(role,))
    flag = flagged()
    c = client_for(member)
    assert c.get(URL).status_code == 403
    assert c.post(URL, {"username": member.username, "since": "2026-03-02", "reason": "me"}).status_code == 403
    assert c.post(end_url(flag), {"until": "2026-03-01", "reason": "me"}).status_code == 403
    assert RelatedParty.objects.count() == 1 and RelatedParty.objects.get().until is None


@pytest.mark.parametrize("role", ["regulator", "risk_officer", "collections"])
def test_other_staff_get_403(role: str) -> None:
    flag = flagged()
    c = client_for(make_staff(role))
    assert c.get(URL).status_code == 403
    assert c.post(URL, {"username": flag.user.username, "since": "2026-03-02", "reason": "x"}).status_code == 403
    assert c.post(end_url(flag), {"until": "2026-03-01", "reason": "x"}).status_code == 403
    assert RelatedParty.objects.get().until is None


def test_agents_get_403() -> None:
    c = client_for(make_agent())
    assert c.get(URL).status_code == 403
    assert c.post(URL, {"username": "x", "since": "2026-03-02", "reason": "x"}).status_code == 403


def test_anonymous_is_sent_to_log_in() -> None:
    flag = flagged()
    for r in (Client().get(URL), Client().post(URL, {}), Client().post(end_url(flag), {})):
        assert r.status_code == 302 and r["Location"].startswith("/login?next=")
    assert RelatedParty.objects.get().until is None


def test_posts_need_a_csrf_token() -> None:
    make_user("rp_csrf", roles=("borrower",))
    c = Client(enforce_csrf_checks=True)
    c.force_login(make_staff("operator"))
    assert c.post(URL, {"username": "rp_csrf", "since": "2026-03-02", "reason": "x"}).status_code == 403
    assert not RelatedParty.objects.exists()


def test_a_get_writes_nothing() -> None:
    flag = flagged()
    end_related_party(actor=make_staff("operator"), user=flag.user, until=date(2026, 2, 1), reason="left")
    flagged()
    c = client_for(make_staff("compliance"))
    with writes_captured() as seen:
        r = c.get(URL, **EN)
    assert r.status_code == 200 and seen == []


def test_other_methods_are_refused() -> None:
    assert client_for_operator().put(URL).status_code == 405


# ---- the menu


@pytest.mark.parametrize("role", ["operator", "compliance", "admin"])
def test_the_menu_links_the_page_for_staff(role: str) -> None:
    html = html_of(client_for(make_staff(role)).get("/dashboard", **EN))
    assert html.count(f'href="{URL}"') == 1
    assert 'href="/compliance/oversight"' in html or role == "operator"


@pytest.mark.parametrize("role", ["borrower", "regulator", "risk_officer"])
def test_the_menu_hides_the_page_from_others(role: str) -> None:
    user = make_user(roles=(role,)) if role == "borrower" else make_staff(role)
    assert f'href="{URL}"' not in html_of(client_for(user).get("/dashboard", **EN))
