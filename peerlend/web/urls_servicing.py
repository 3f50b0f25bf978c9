from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import notifications, servicing

urlpatterns: list[URLPattern | URLResolver] = [
    path("my/loans/<int:loan_id>/repayments", servicing.loan_servicing, name="loan_servicing"),
    path("my/loans/<int:loan_id>/repay", servicing.repay, name="repay"),
    path("my/loans/<int:loan_id>/prepay", servicing.prepay, name="prepay"),
    path("my/notes/income", servicing.notes_income, name="notes_income"),
    path("collections/", servicing.collections_queue, name="collections_queue"),
    path("collections/<int:loan_id>", servicing.collections_action, name="collections_action"),
    path("collections/loans/<int:loan_id>/", servicing.collections_loan, name="collections_loan"),
    path("inbox", servicing.inbox, name="inbox"),
    path("inbox/settings", notifications.preferences, name="notification_preferences"),
]
