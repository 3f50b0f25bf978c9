"""Page URLs of coupons (issue 15 part 3): members', operators' and agents'."""

from django.urls import URLPattern, URLResolver, path

from peerlend.web.views import coupons

urlpatterns: list[URLPattern | URLResolver] = [
    path("coupons/", coupons.my_coupons, name="my_coupons"),
    path("coupons/buy/<int:template_id>", coupons.buy, name="coupon_buy"),
    path("coupons/<int:coupon_id>/fee-discount", coupons.apply_fee_discount, name="coupon_fee_discount"),
    path("operator/coupons/", coupons.operator_templates, name="coupon_templates"),
    path("operator/coupons/issue", coupons.operator_issue, name="coupon_issue"),
    path("operator/coupons/<int:template_id>/active", coupons.operator_switch, name="coupon_template_active"),
    path("agent/coupons/redeem", coupons.agent_redeem, name="agent_coupon_redeem"),
]
