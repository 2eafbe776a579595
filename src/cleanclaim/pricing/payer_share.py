"""What Medicare Part B pays of the allowed amounts: deductible, 80%, sequestration.

Per line, in line order:  deductible = min(remaining, allowed);
coinsurance = 20% x (allowed - deductible);  payment = allowed - deductible - coinsurance;
sequestration (CO-253) = 2% x payment;  expected paid = payment - sequestration.
Each step is rounded to cents, as a remittance shows it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from . import rates
from .model import LinePrice, cents


def remaining_deductible(setting, year: int) -> tuple[Decimal, str]:
    """(remaining Part B deductible for the year, how it was decided).

    `setting`: None or "met" (assume met: the default), "full" (none of it met yet),
    or an amount (capped at the year's deductible).
    """
    yearly = rates.part_b_deductible(year)
    if setting is None or str(setting).strip().lower() in ("", "met", "0"):
        return Decimal("0"), ("Part B deductible assumed met (set [pricing] deductible_remaining or "
                              "--deductible-remaining to change this)")
    if yearly is None:
        return Decimal("0"), f"no Part B deductible on file for {year}: assumed met"
    if str(setting).strip().lower() == "full":
        return yearly.value, f"Part B deductible not met: ${yearly.value} for {year} ({yearly.label})"
    amount = Decimal(str(setting))
    if amount > yearly.value:
        return yearly.value, (f"remaining deductible ${amount} is more than the {year} Part B deductible "
                              f"${yearly.value}: ${yearly.value} used ({yearly.label})")
    return amount, f"remaining Part B deductible ${amount} (of ${yearly.value} for {year}; {yearly.label})"


def apply_medicare_share(lines: list[LinePrice], dos_of: dict[int, date], remaining: Decimal) -> Decimal:
    """Fill deductible, coinsurance, sequestration and expected_paid on priced lines.

    Returns the deductible left after this claim.
    """
    coins_rate = rates.coinsurance().value
    for lp in lines:
        if lp.allowed is None:
            continue
        deductible = cents(min(remaining, lp.allowed))
        remaining -= deductible
        coinsurance = cents((lp.allowed - deductible) * coins_rate)
        payment = lp.allowed - deductible - coinsurance
        seq = rates.sequestration(dos_of[lp.line])
        sequestration = cents(payment * seq.value)
        lp.deductible, lp.coinsurance, lp.sequestration = deductible, coinsurance, sequestration
        lp.expected_paid = payment - sequestration
        parts = [f"allowed ${lp.allowed}"]
        if deductible:
            parts.append(f"- deductible ${deductible}")
        parts.append(f"- coinsurance {coins_rate * 100:.0f}% ${coinsurance} = ${payment}")
        if sequestration:
            parts.append(f"- sequestration {seq.value * 100:.0f}% (CO-253) ${sequestration}")
        lp.explanation += "; payer share: " + " ".join(parts) + f" = expected paid ${lp.expected_paid}"
    return remaining
