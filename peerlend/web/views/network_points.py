"""Service points: the public store locator and the operator's pages to create, edit and staff points. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from peerlend.accounts.network import points, selectors
from peerlend.errors import ApplicationError
from peerlend.web.forms_network import PointForm, StaffForm


@require_GET
def locator(request: HttpRequest) -> HttpResponse:
    city = request.GET.get("city", "")[:80]
    return render(request, "web/network/locator.html",
                  {"points": selectors.public_points(city), "cities": selectors.cities(), "city": city})


def _operator(request: HttpRequest) -> None:
    if not selectors.is_point_admin(request.user):
        raise DjangoPermissionDenied(_("This page is for operators."))


def _attach(form: PointForm | StaffForm, exc: ApplicationError) -> None:
    field = (exc.extra or {}).get("field")
    form.add_error(field if field in form.fields else None, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def operator_points(request: HttpRequest) -> HttpResponse:
    _operator(request)
    form = PointForm(request.POST or None, initial={"active": True})
    if request.method == "POST" and form.is_valid():
        try:
            point = points.create_point(request.user, form.to_input(),  # type: ignore[arg-type]
                                        reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Service point %(name)s created.") % {"name": point.name})
            return redirect("web:point_admin_detail", point_id=point.pk)
    return render(request, "web/network/operator_points.html", {"form": form, "points": selectors.all_points()},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def operator_point(request: HttpRequest, point_id: int) -> HttpResponse:
    _operator(request)
    point = selectors.point(point_id)
    if point is None:
        raise Http404(_("No such service point."))
    initial = {k: getattr(point, k) for k in ("code", "name", "city", "address", "opening_hours", "phone", "active")}
    form = PointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            points.update_point(request.user, point_id, form.to_input(),  # type: ignore[arg-type]
                                reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("Service point saved."))
            return redirect("web:point_admin_detail", point_id=point_id)
    return render(request, "web/network/operator_point.html", {
        "point": point, "form": form, "staff_form": StaffForm(), "staff": selectors.staff_of(point_id)},
        status=400 if form.errors else 200)


@login_required
@require_POST
def operator_point_staff(request: HttpRequest, point_id: int) -> HttpResponse:
    _operator(request)
    form = StaffForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a staff username, a role and a reason."))
        return redirect("web:point_admin_detail", point_id=point_id)
    try:
        points.assign_staff(request.user, point_id, form.cleaned_data["username"],  # type: ignore[arg-type]
                            form.cleaned_data["role"], reason=form.cleaned_data["reason"])
    except ApplicationError as exc:
        if exc.code == "service_point_not_found":
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Staff assignment saved."))
    return redirect("web:point_admin_detail", point_id=point_id)


@login_required
@require_POST
def operator_point_staff_remove(request: HttpRequest, point_id: int, membership_id: int) -> HttpResponse:
    _operator(request)
    try:
        points.remove_staff(request.user, point_id, membership_id,  # type: ignore[arg-type]
                            reason=request.POST.get("reason", "")[:500])
    except ApplicationError as exc:
        if exc.status == 404:
            raise Http404(exc.message) from None
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The staff member no longer works at this point."))
    return redirect("web:point_admin_detail", point_id=point_id)
