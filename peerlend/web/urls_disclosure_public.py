"""Page URLs of risk-event notices, filing information and per-loan facts (issue 16, parts 3 and 4)."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import disclosure_events, disclosure_loans

urlpatterns: list[URLPattern | URLResolver] = [
    path("disclosure/events", disclosure_events.events, name="disclosure_events"),
    path("disclosure/events/<int:event_id>", disclosure_events.event_detail, name="disclosure_event"),
    path("disclosure/about", disclosure_events.about_page, name="disclosure_about"),
    path("operator/disclosure/events", disclosure_events.operator_events, name="risk_event_admin"),
    path("operator/disclosure/events/<int:event_id>", disclosure_events.operator_event_edit, name="risk_event_edit"),
    path("operator/disclosure/events/<int:event_id>/publish", disclosure_events.operator_event_publish,
         name="risk_event_publish"),
    path("loans/<int:loan_id>/disclosure/facts", disclosure_loans.record_fact, name="loan_fact_record"),
    path("my/loans/<int:loan_id>/use-of-funds", disclosure_loans.use_of_funds, name="loan_use_of_funds"),
]
