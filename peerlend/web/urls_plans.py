"""Page URLs of the wealth-plan pages (investors' and operators')."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import plans

urlpatterns: list[URLPattern | URLResolver] = [
    path("investing/plans/", plans.plan_list, name="wealth_plans"),
    path("investing/plans/mine", plans.my_subscriptions, name="my_plan_subscriptions"),
    path("investing/plans/<int:plan_id>/", plans.plan_detail, name="wealth_plan"),
    path("investing/plans/<int:plan_id>/join", plans.join, name="wealth_plan_join"),
    path("investing/plans/subscriptions/<int:subscription_id>/leave", plans.leave, name="wealth_plan_leave"),
    path("operator/plans/", plans.operator_plans, name="plan_admin"),
    path("operator/plans/<int:plan_id>/status", plans.operator_plan_status, name="plan_admin_status"),
]
