from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import tokens

urlpatterns: list[URLPattern | URLResolver] = [
    path("account/tokens", tokens.token_list, name="api_tokens"),
    path("account/tokens/<int:token_id>/revoke", tokens.token_revoke, name="api_token_revoke"),
]
