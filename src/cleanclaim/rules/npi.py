"""The NPI check digit: Luhn over the 80840 card-issuer prefix plus the NPI."""

from __future__ import annotations


_CHECKED: dict[str, bool] = {}  # a batch names the same providers again and again
_CHECKED_LIMIT = 65536


def npi_is_valid(npi: str) -> bool:
    """True when `npi` is 10 digits and its check digit is right (CMS NPI standard, 45 CFR 162.406)."""
    known = _CHECKED.get(npi)
    if known is None:
        if len(_CHECKED) >= _CHECKED_LIMIT:
            _CHECKED.clear()
        known = _CHECKED[npi] = _luhn_80840(npi)
    return known


def _luhn_80840(npi: str) -> bool:
    if len(npi) != 10 or not npi.isdigit():
        return False
    digits = [int(d) for d in "80840" + npi]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return total % 10 == 0
