from django.contrib import admin
from django.urls import include, path

from peerlend.api import api

urlpatterns = [
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("peerlend.web.urls")),
]

# JSON {detail, code} under /api/, a page elsewhere; never a traceback (peerlend/web/errors.py).
handler400 = "peerlend.web.errors.bad_request"
handler403 = "peerlend.web.errors.permission_denied"
handler404 = "peerlend.web.errors.page_not_found"
handler500 = "peerlend.web.errors.server_error"

