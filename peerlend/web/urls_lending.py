from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import documents, lending, quote

urlpatterns: list[URLPattern | URLResolver] = [
    path("loans/", lending.marketplace, name="marketplace"),
    path("loans/<int:loan_id>/", lending.loan_detail, name="loan_detail"),
    path("loans/<int:loan_id>/invest", lending.invest, name="invest"),
    path("loans/<int:loan_id>/cancel", lending.cancel, name="cancel_loan"),
    path("loans/<int:loan_id>/contract.pdf", lending.contract_pdf, name="contract_pdf"),
    path("apply/", lending.apply, name="apply"),
    path("apply/quote", quote.apply_quote, name="apply_quote"),
    path("fees/", quote.fees, name="fees"),
    path("my/loans/", lending.my_loans, name="my_loans"),
    path("my/loans/<int:loan_id>/documents", documents.provide_documents, name="provide_documents"),
    path("my/notes/", lending.my_notes, name="my_notes"),
    path("review/", lending.review_queue, name="review_queue"),
    path("review/<int:loan_id>/", lending.review_detail, name="review_detail"),
    path("review/documents/<int:document_id>", lending.review_document, name="review_document"),
    path("agent/applications/", lending.agent_applications, name="agent_applications"),
]
