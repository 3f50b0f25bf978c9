"""Models of the marketing context."""

from peerlend.marketing.models_campaigns import (  # noqa: F401  (campaigns, issue 15 part 5)
    Campaign,
    CampaignGrant,
)
from peerlend.marketing.models_coupons import (  # noqa: F401  (coupons, issue 15 part 3)
    Coupon,
    CouponPayout,
    CouponTemplate,
)
from peerlend.marketing.models_members import (  # noqa: F401  (members and points, issue 15 parts 1-2)
    Member,
    PointsEntry,
    PointsReason,
)
from peerlend.marketing.models_referrals import (  # noqa: F401  (referrals, issue 15 part 4)
    MemberDevice,
    Referral,
    ReferralCode,
)
from peerlend.marketing.models_staff import (  # noqa: F401  (staff performance, issue 15 part 7)
    Commission,
    CommissionRun,
    MemberContact,
    MemberTag,
    StaffTarget,
)
