from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import twofactor

urlpatterns: list[URLPattern | URLResolver] = [
    path("account/two-factor/", twofactor.status, name="two_factor"),
    path("account/two-factor/enrol", twofactor.enrol, name="two_factor_enrol"),
    path("account/two-factor/verify", twofactor.verify, name="two_factor_verify"),
    path("account/two-factor/backup-codes", twofactor.backup_codes, name="two_factor_backup_codes"),
]
