"""Expected payment: Medicare PFS (RVUs x GPCIs x conversion factor, MPPR, payer share)
and payer fee schedules (CSV).

    from cleanclaim.pricing import price_claim
    price = price_claim(claim, store, config=None, history=None)
    price.lines[0].allowed, price.lines[0].expected_paid, price.total_expected
"""

from .api import price_claim, price_claims
from .fee_schedule import FeeSchedule, FeeScheduleError
from .model import ClaimPrice, LinePrice
from .mppr import PricingBatch
from .options import PricingOptionError, PricingOptions

__all__ = ["price_claim", "price_claims", "ClaimPrice", "LinePrice", "PricingBatch", "PricingOptions",
           "PricingOptionError", "FeeSchedule", "FeeScheduleError"]
