"""Page URLs of referrals (issue 15 part 4): the shared link, the referrer's page and QR code."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import referrals

urlpatterns: list[URLPattern | URLResolver] = [
    path("r/<str:code>", referrals.referral_link, name="referral_link"),
    path("member/referrals/", referrals.my_referrals, name="my_referrals"),
    path("member/referrals/code", referrals.create_code, name="referral_code_create"),
    path("member/referrals/qr.svg", referrals.referral_qr, name="referral_qr"),
]
