"""The borrower's answer to "documents requested": upload them from the loan page (thin)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peerlend.errors import ApplicationError
from peerlend.lending import services
from peerlend.lending.models import Loan
from peerlend.web.forms_documents import DocumentsForm


@login_required
@require_POST
def provide_documents(request: HttpRequest, loan_id: int) -> HttpResponse:
    # Owner first, before any upload is read (the service checks again).
    parties = Loan.objects.filter(pk=loan_id).values_list("borrower_id", "agent_id").first()
    if parties is None:
        raise Http404(_("No such loan."))
    if request.user.pk not in parties:
        raise DjangoPermissionDenied(_("Only the applicant or their agent can add documents."))
    form = DocumentsForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("web:loan_detail", loan_id=loan_id)
    try:
        services.provide_documents(actor=request.user, loan_id=loan_id, documents=form.documents())  # type: ignore[arg-type]
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you: your documents were received and the risk team reviews your "
                                    "application again."))
    return redirect("web:loan_detail", loan_id=loan_id)
