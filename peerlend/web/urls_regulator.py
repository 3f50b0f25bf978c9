"""Page URLs of the regulator console (issue 16 parts 5 and 7) and the public reconciliation report."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import regulator, regulator_reports

urlpatterns: list[URLPattern | URLResolver] = [
    path("regulator/", regulator.console, name="regulator"),
    path("regulator/loans", regulator.loans, name="regulator_loans"),
    path("regulator/members", regulator.members, name="regulator_members"),
    path("regulator/members/<int:user_id>", regulator.member, name="regulator_member"),
    path("regulator/audit", regulator.audit_log, name="regulator_audit"),
    path("regulator/access-log", regulator.access_log, name="regulator_access_log"),
    path("regulator/exports/", regulator_reports.exports, name="regulator_exports"),
    path("regulator/exports/<slug:dataset>.<slug:fmt>", regulator_reports.export_file, name="regulator_export"),
    path("regulator/reconciliation", regulator_reports.reconciliation, name="regulator_reconciliation"),
    path("regulator/reconciliation.<slug:fmt>", regulator_reports.reconciliation_export,
         name="regulator_reconciliation_export"),
    path("disclosure/reconciliation", regulator_reports.public_reconciliation, name="disclosure_reconciliation"),
]
