"""Log-in throttling on top of django-axes, the client's address, and the 429 answer.

django-axes locks a username from one address after ``AXES_FAILURE_LIMIT`` failures. It
knows only one limit for all its lockout parameters, so the second, higher limit per
address (one password sprayed over many usernames) is added here by a handler that also
counts every failure from the address within the cool-off time, whatever the username.
Both counts live in axes' database table, so they hold across processes and machines.

The address is ``REMOTE_ADDR``; ``X-Forwarded-For`` is believed only when the request comes
from one of ``PEERLEND_TRUSTED_PROXIES``, otherwise anyone could lock out anyone's address.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries if entry.strip())


def _parse(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address (``AXES_CLIENT_IP_CALLABLE``).

    Walk ``X-Forwarded-For`` from the right, starting at the peer, while the hop is a trusted
    proxy: the first untrusted hop is the client. Values a client wrote into the header
    itself stand to the left of what our proxies appended and are never reached.
    """
    peer = str(request.META.get("REMOTE_ADDR") or "")
    networks = _networks(tuple(getattr(settings, "PEERLEND_TRUSTED_PROXIES", ()) or ()))
    current = _parse(peer)
    if current is None or not networks:
        return peer
    hops = [hop for hop in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    while _trusted(current, networks) and hops:
        previous = _parse(hops.pop())
        if previous is None:  # a malformed hop: stop at the last address we can vouch for
            break
        current = previous
    return str(current)


def address_failures(request: HttpRequest) -> int:
    """Failed log-ins from the request's address within the cool-off time, over all usernames."""
    attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)  # type: ignore[attr-defined]
    if settings.AXES_COOLOFF_TIME is not None:
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class AddressThrottlingHandler(AxesDatabaseHandler):  # type: ignore[misc]
    """axes' database handler plus a per-address limit (``PEERLEND_LOGIN_ADDRESS_FAILURE_LIMIT``)."""

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        failures = int(super().get_failures(request, credentials))
        if address_failures(request) >= settings.PEERLEND_LOGIN_ADDRESS_FAILURE_LIMIT:
            # Reaching the address limit counts as reaching axes' limit: axes then refuses and answers 429.
            request.peerlend_address_throttled = True  # type: ignore[attr-defined]
            return max(failures, get_failure_limit(request, credentials))
        return failures


def lockout_response(request: HttpRequest, original_response: HttpResponse | None = None,
                     credentials: dict[str, Any] | None = None) -> HttpResponse:
    minutes = round(float(settings.AXES_COOLOFF_TIME) * 60)
    if getattr(request, "peerlend_address_throttled", False):
        message = _(
            "Too many failed log-in attempts from this address: try again in %(minutes)d minutes."
        ) % {"minutes": minutes}
    else:
        message = _(
            "Too many failed log-in attempts: this account is locked for %(minutes)d minutes from this address."
        ) % {"minutes": minutes}
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "locked_out"}, status=429)
    return render(request, "web/accounts/locked_out.html", {"message": message}, status=429)
