"""`check --price`: attach the expected payment to every ClaimResult the checker makes.

Like the history Recorder, this wraps a Checker without changing the engine: each
claim is priced right after it is checked (and after it is recorded, when --record is
on: its own stored version is excluded from MPPR). The result gets an
`expected_payment` attribute (a ClaimPrice) that the text and JSON reports show.
"""

from __future__ import annotations

import click

from .fee_schedule import FeeSchedule, FeeScheduleError
from .mppr import PricingBatch
from .options import PricingOptionError, PricingOptions


def wants_pricing(flag: bool | None, config) -> bool:
    """--price/--no-price, else config [pricing] check (default off)."""
    if flag is not None:
        return flag
    value = config.get("pricing", "check", False)
    if not isinstance(value, bool):
        raise click.UsageError(f"{config.path}: [pricing] check must be true or false, not {value!r}")
    return value


def enable_pricing(checker, flag: bool | None, payer_type: str | None = None, fee_schedules=()) -> bool:
    """Price each checked claim when asked; returns whether pricing is on.

    fee_schedules: `check --fee-schedule` files, added to [pricing] fee_schedules.

    Bad [pricing] settings or fee schedule files are usage errors (before any claim is read).
    """
    from ..config import ConfigError, load_config
    from .api import price_claim
    from .denials import apply_denials

    try:
        config = load_config()
        if not wants_pricing(flag, config):
            return False
        options = PricingOptions.from_config(config, payer_type=payer_type, fee_schedules=tuple(fee_schedules))
        FeeSchedule.load(list(options.fee_schedules))  # read now: errors before the first claim
    except (ConfigError, PricingOptionError, FeeScheduleError) as exc:
        raise click.UsageError(str(exc))
    store, batch, check = checker.ctx.store, PricingBatch(), checker.check

    def pricing_check(claim):
        result = check(claim)
        price = price_claim(claim, store, config=options, history=getattr(checker.ctx, "history", None),
                            batch=batch)
        apply_denials(price, result.findings, batch, claim.patient_key)  # as billed: errors pay $0
        result.expected_payment = price
        return result

    checker.check = pricing_check
    return True
