"""Page URLs of the service-point network (issue 15 part 6): locator, operator, agent and counter pages."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import network_agent, network_counter, network_points

urlpatterns: list[URLPattern | URLResolver] = [
    path("service-points/", network_points.locator, name="service_points"),
    path("operator/service-points/", network_points.operator_points, name="point_admin"),
    path("operator/service-points/reconciliation", network_counter.reconciliation, name="point_reconciliation"),
    path("operator/service-points/<int:point_id>/", network_points.operator_point, name="point_admin_detail"),
    path("operator/service-points/<int:point_id>/staff", network_points.operator_point_staff,
         name="point_admin_staff"),
    path("operator/service-points/<int:point_id>/staff/<int:membership_id>/remove",
         network_points.operator_point_staff_remove, name="point_admin_staff_remove"),
    path("agent/visits/", network_agent.visits, name="agent_visits"),
    path("agent/loans/<int:loan_id>/field-verification", network_agent.field_verification,
         name="agent_field_verification"),
    path("review/field-photos/<int:photo_id>", network_agent.field_photo, name="field_photo"),
    path("agent/counter/", network_counter.counter_page, name="agent_counter"),
    path("counter/receipts/<int:receipt_id>", network_counter.receipt, name="counter_receipt"),
    path("agent/point/close", network_counter.day_close, name="point_day_close"),
]
