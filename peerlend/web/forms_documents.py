"""The borrower's upload of requested documents (the service checks type and size again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from peerlend.lending.models import LoanDocument
from peerlend.lending.services import DOCUMENT_TYPES, UploadedDocument

ACCEPT = ",".join(DOCUMENT_TYPES)


def _file_input() -> forms.ClearableFileInput:
    return forms.ClearableFileInput(attrs={"accept": ACCEPT, "class": "form-control"})


class DocumentsForm(forms.Form):
    income_document = forms.FileField(label=_("Proof of income"), required=False,
                                      widget=_file_input())
    other_document = forms.FileField(label=_("Other document"), required=False,
                                     widget=_file_input())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        uploads = [data.get(name) for name in ("income_document", "other_document")]
        if not any(uploads):
            raise forms.ValidationError(_("Choose at least one document to upload."))
        for name in ("income_document", "other_document"):
            upload = data.get(name)
            if upload and upload.content_type not in DOCUMENT_TYPES:
                self.add_error(name, _("Documents must be PDF, JPEG or PNG files."))
        return data

    def documents(self) -> list[UploadedDocument]:
        docs = []
        for name, kind in (("income_document", LoanDocument.Kind.INCOME), ("other_document", LoanDocument.Kind.OTHER)):
            upload = self.cleaned_data.get(name)
            if upload:
                docs.append(UploadedDocument(kind, upload.name, upload.content_type, upload.read()))
        return docs
