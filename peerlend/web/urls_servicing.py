from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import servicing

urlpatterns: list[URLPattern | URLResolver] = [
    path("my/loans/<int:loan_id>/repayments", servicing.loan_servicing, name="loan_servicing"),
    path("my/loans/<int:loan_id>/repay", servicing.repay, name="repay"),
    path("my/loans/<int:loan_id>/prepay", servicing.prepay, name="prepay"),
    path("my/notes/income", servicing.notes_income, name="notes_income"),
    path("collections/", servicing.collections_queue, name="collections_queue"),
    path("collections/<int:loan_id>", servicing.collections_action, name="collections_action"),
    path("inbox", servicing.inbox, name="inbox"),
]
