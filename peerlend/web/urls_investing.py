from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import home, investing

urlpatterns: list[URLPattern | URLResolver] = [
    path("investing/questionnaire", investing.questionnaire, name="risk_questionnaire"),
    path("investing/risk-disclosure", investing.disclosure, name="risk_disclosure"),
    path("help/", home.help_page, name="help"),
]
