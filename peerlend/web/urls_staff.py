"""Page URLs of staff performance (issue 15 part 7): the operators' targets and reports, the agent's own pages."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import staff_agent, staff_reports

urlpatterns: list[URLPattern | URLResolver] = [
    path("operator/staff/targets", staff_reports.staff_targets, name="staff_targets"),
    path("operator/staff/report", staff_reports.staff_report, name="staff_report"),
    path("operator/staff/report/chart.svg", staff_reports.staff_report_chart, name="staff_report_chart"),
    path("operator/staff/report/export", staff_reports.staff_report_export, name="staff_report_export"),
    path("operator/staff/commissions", staff_reports.staff_commissions, name="staff_commissions"),
    path("agent/my-members/", staff_agent.my_members, name="agent_my_members"),
    path("agent/my-members/<int:member_id>/", staff_agent.my_member, name="agent_my_member"),
    path("agent/my-members/<int:member_id>/tag", staff_agent.tag_member, name="agent_member_tag"),
    path("agent/my-members/<int:member_id>/contact", staff_agent.log_contact, name="agent_member_contact"),
    path("agent/my-members/<int:member_id>/coupon", staff_agent.send_coupon, name="agent_member_coupon"),
    path("agent/my-targets", staff_agent.my_targets, name="agent_my_targets"),
    path("agent/my-commissions", staff_agent.my_commissions, name="agent_my_commissions"),
]
