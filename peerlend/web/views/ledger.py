"""Pages of the ledger context: the member's account, the sandbox gateway, the operator's books."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from peerlend.domain.money import format_grouped
from peerlend.errors import ApplicationError, NotFound, PermissionDenied
from peerlend.ledger import limits, payments, selectors, services
from peerlend.ledger.gateway import sandbox, sandbox_enabled
from peerlend.ledger.models import PaymentStatus, ReconciliationItem, Withdrawal
from peerlend.ledger.reconciliation import import_statement, resolve_item
from peerlend.web.errors import error_response
from peerlend.web.params import form_id

OPERATOR_ROLES = ("operator", "admin")


def _is_operator(user: Any) -> bool:
    return bool(user.is_authenticated and set(getattr(user, "roles", None) or []).intersection(OPERATOR_ROLES))


def _require_operator(request: HttpRequest) -> None:
    if not _is_operator(request.user):
        raise PermissionDenied(_("operators only"))


@login_required
def account(request: HttpRequest) -> HttpResponse:
    bal = selectors.balances(request.user)
    context = {
        # Minor units: the template formats every amount with the one ``money`` filter.
        "available": bal.available_minor,
        "frozen": bal.frozen_minor,
        "currency": bal.currency,
        "entries": [
            {"entry": e, "available": e.available_change_minor, "frozen": e.frozen_change_minor}
            for e in selectors.recent_entries(request.user)
        ],
        "deposits": selectors.user_deposit_orders(request.user),
        "withdrawals": selectors.user_withdrawals(request.user),
        # A fresh key per rendered form: a double submit replays instead of moving money twice.
        "form_key": uuid.uuid4().hex,
        # Shown with each form: the most per transaction, and what is left of today's limit.
        "deposit_limit": limits.headroom(request.user, "deposit"),
        "withdrawal_limit": limits.headroom(request.user, "withdrawal"),
    }
    return render(request, "web/ledger/account.html", context)


def _form_amount_and_key(request: HttpRequest) -> tuple[int, str]:
    """The form's amount (minor units) and its key ("" when missing: the service refuses it)."""
    amount_minor = services.parse_money_input({"amount": request.POST.get("amount", "").strip()})
    return amount_minor, request.POST.get("idempotency_key") or ""


@login_required
@require_POST
def deposit(request: HttpRequest) -> HttpResponse:
    try:
        amount_minor, key = _form_amount_and_key(request)
        # The service takes the key, in the API's scope: the same key from both opens one order.
        _order, pay_url = payments.open_deposit_order(request.user, amount_minor, idempotency_key=key)
    except ApplicationError as exc:
        messages.error(request, exc.message or _("the deposit was refused"))
        return redirect("web:account")
    return HttpResponseRedirect(pay_url)


@login_required
@require_POST
def withdraw(request: HttpRequest) -> HttpResponse:
    try:
        amount_minor, key = _form_amount_and_key(request)
        w = payments.request_withdrawal(request.user, amount_minor, idempotency_key=key)
    except ApplicationError as exc:
        messages.error(request, exc.message or _("the withdrawal was refused"))
        return redirect("web:account")
    messages.success(request, _("Withdrawal of %(amount)s requested; the funds are frozen until the bank "
                                "pays out.") % {"amount": format_grouped(w.amount_minor, w.currency)})
    return redirect("web:account")


def _sandbox_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The sandbox's pages answer 404 unless it is the configured gateway outside production.

    The URL patterns are not even registered otherwise; this guards a settings change at run time.
    """

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not sandbox_enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


@_sandbox_only
@require_http_methods(["GET", "POST"])
def sandbox_pay(request: HttpRequest, order_id: str) -> HttpResponse:
    """The sandbox gateway's payer page (stands in for the bank's page), for the order's owner only.

    Its "Pay" button signs a callback itself, so anyone else pressing it would credit money that
    never arrived: anonymous visitors log in first, other members see no such order.
    """
    if not request.user.is_authenticated:
        if request.method == "POST":
            return render(request, "web/ledger/refused.html",
                          {"message": _("Log in to pay your deposit order.")}, status=403)
        return redirect_to_login(request.get_full_path())
    try:
        order = services.get_deposit_order(order_id)
    except NotFound:
        order = None
    if order is None or order.user_id != request.user.pk:
        return render(request, "web/ledger/sandbox_pay.html", {"missing": True}, status=404)
    result = None
    if request.method == "POST":
        succeed = request.POST.get("action") == "pay"
        status, body = sandbox.pay(order, succeed=succeed)
        result = {"status": status, "body": body}
        order.refresh_from_db()
        if status == 200:
            if order.status == "succeeded":
                messages.success(request, _("Deposit received."))
            else:
                messages.warning(request, _("The payment failed; nothing was charged."))
            return redirect("web:account")
    return render(request, "web/ledger/sandbox_pay.html", {
        "order": order, "amount": format_grouped(order.amount_minor, order.currency), "result": result,
    })


def _payout_message(request: HttpRequest, withdrawal: Withdrawal, status: int, body: dict[str, Any]) -> None:
    """Say what happened to the member's money, read back from the withdrawal (not the callback's code)."""
    withdrawal.refresh_from_db()
    params = {"amount": format_grouped(withdrawal.amount_minor, withdrawal.currency), "cur": withdrawal.currency,
              "member": withdrawal.user.username, "ref": withdrawal.public_id[:8]}
    if status >= 400:
        messages.error(request, _("The bank's answer for withdrawal %(ref)s was refused: %(why)s")
                       % {**params, "why": body.get("detail") or status})
    elif withdrawal.status == PaymentStatus.SUCCEEDED:
        messages.success(request, _("Paid out %(amount)s %(cur)s to %(member)s's bank card (withdrawal %(ref)s).")
                         % params)
    elif withdrawal.status == PaymentStatus.FAILED:
        messages.warning(request, _("The payout of %(amount)s %(cur)s to %(member)s bounced (withdrawal %(ref)s); "
                                    "the money is back in the member's available balance.") % params)
    else:
        messages.info(request, _("Withdrawal %(ref)s is still pending.") % params)


@_sandbox_only
@login_required
@require_http_methods(["GET", "POST"])
def sandbox_payouts(request: HttpRequest) -> HttpResponse:
    """The sandbox bank's payout console (operators): settle or bounce pending withdrawals."""
    try:
        _require_operator(request)
    except PermissionDenied as exc:
        return render(request, "web/ledger/refused.html", {"message": exc.message}, status=403)
    if request.method == "POST":
        withdrawal = Withdrawal.objects.filter(public_id=request.POST.get("withdrawal_id", "")).first()
        if withdrawal is None:
            messages.error(request, _("no such withdrawal"))
        else:
            status, body = sandbox.settle_payout(withdrawal, succeed=request.POST.get("action") == "settle")
            _payout_message(request, withdrawal, status, body)
        return redirect("web:sandbox_payouts")
    rows = [(w, format_grouped(w.amount_minor, w.currency)) for w in selectors.pending_withdrawals()]
    return render(request, "web/ledger/sandbox_payouts.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Operators: import a custody statement, see unmatched items on both sides, resolve them."""
    try:
        _require_operator(request)
    except PermissionDenied as exc:
        return render(request, "web/ledger/refused.html", {"message": exc.message}, status=403)
    if request.method == "POST":
        try:
            if "statement" in request.FILES:
                upload = request.FILES["statement"]
                text = upload.read(5 * 1024 * 1024 + 1)
                if len(text) > 5 * 1024 * 1024:
                    raise ApplicationError(_("statement file is larger than 5 MB"))
                result = import_statement(text.decode("utf-8-sig"), filename=upload.name or "statement.csv",
                                          operator=request.user)
                messages.success(request, _("Imported %(n)d line(s): %(m)d matched, %(b)d bank-only, %(l)d "
                                            "ledger-only.") % {"n": result.statement.line_count,
                                                                "m": result.matched, "b": result.unmatched_bank,
                                                                "l": result.unmatched_ledger})
            else:
                item_id = form_id(request.POST.get("item_id"))
                if item_id is None:
                    return error_response(request, 400, "invalid_id",
                                          _("The item id must be a positive whole number."))
                item = ReconciliationItem.objects.filter(pk=item_id).first()
                if item is None:
                    raise NotFound(_("no such reconciliation item"))
                resolve_item(request.user, item, request.POST.get("reason", ""))
                messages.success(request, _("Item resolved through suspense."))
        except (ApplicationError, UnicodeDecodeError) as exc:
            messages.error(request, getattr(exc, "message", _("statement must be UTF-8 CSV")))
        return redirect(reverse("web:reconciliation"))
    items = [(i, format_grouped(i.amount_minor)) for i in selectors.open_reconciliation_items()]
    platform = [(a, format_grouped(bal, a.currency)) for a, bal in selectors.platform_balances()]
    return render(request, "web/ledger/reconciliation.html", {"items": items, "platform": platform})
