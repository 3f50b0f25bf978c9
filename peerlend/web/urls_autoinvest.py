"""Page URLs of the investor's autoinvest pages."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import autoinvest

urlpatterns: list[URLPattern | URLResolver] = [
    path("investing/auto-invest", autoinvest.rules, name="auto_invest_rules"),
    path("investing/auto-invest/new", autoinvest.rule_new, name="auto_invest_rule_new"),
    path("investing/auto-invest/activity", autoinvest.activity, name="auto_invest_activity"),
    path("investing/auto-invest/<int:rule_id>/edit", autoinvest.rule_edit, name="auto_invest_rule_edit"),
    path("investing/auto-invest/<int:rule_id>/toggle", autoinvest.rule_toggle, name="auto_invest_rule_toggle"),
    path("investing/auto-invest/<int:rule_id>/delete", autoinvest.rule_delete, name="auto_invest_rule_delete"),
]
