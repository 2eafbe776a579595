"""[pricing] localities: the biller's own locality for a ZIP that CMS prices by ZIP+4.

CMS ZIP5 (October 2025) flags 10505 (NY) as needing ZIP+4; the ZIP9 file is not shipped, so
without a setting the claim is not priced. Set to 13202-03 (POUGHKPSIE/N NYC SUBURBS; CY2025
GPCI work 1.046, PE 1.106, MP 1.269), 97140 in 2025 is
(0.43 x 1.046 + 0.40 x 1.106 + 0.01 x 1.269) x 32.3465 = 0.90487 x 32.3465 = 29.2694 -> $29.27.
"""

from decimal import Decimal as D

import pytest

from cleanclaim.config import load_config
from cleanclaim.pricing import PricingOptionError, PricingOptions, price_claim
from test_pricing import claim, line


def test_plus4_zip_is_not_priced_without_a_setting(store):
    lp = price_claim(claim(line(1, "97140"), zip_code="10505"), store, config=PricingOptions()).lines[0]
    assert lp.allowed is None
    assert any("[pricing] localities" in n for n in price_claim(
        claim(line(1, "97140"), zip_code="10505"), store, config=PricingOptions()).notes)


def test_the_biller_sets_the_locality_of_a_plus4_zip(store):
    options = PricingOptions(localities=(("10505", "13202", "03"),))
    price = price_claim(claim(line(1, "97140"), zip_code="10505"), store, config=options)
    assert price.lines[0].allowed == D("29.27")
    assert price.lines[0].locality.startswith("13202-03")
    assert any("your [pricing] localities" in n for n in price.notes)


def test_setting_is_validated(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text('[pricing]\nlocalities = {"10505" = "13202-3"}\n')
    assert PricingOptions.from_config(load_config(path)).localities == (("10505", "13202", "03"),)
    path.write_text('[pricing]\nlocalities = {"10505" = "Westchester"}\n')
    with pytest.raises(PricingOptionError, match="CARRIER-LOCALITY"):
        PricingOptions.from_config(load_config(path))
