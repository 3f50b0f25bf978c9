"""Page URLs of membership (issue 15): the member centre."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import members

urlpatterns: list[URLPattern | URLResolver] = [
    path("member/", members.member_centre, name="member_centre"),
]
