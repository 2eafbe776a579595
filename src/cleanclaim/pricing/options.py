"""Pricing options: from config [pricing], overridden by command-line flags."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from pathlib import Path


class PricingOptionError(ValueError):
    """A [pricing] setting or option that cannot be used (names the key)."""


@dataclass(frozen=True)
class PricingOptions:
    apm_participant: bool = False  # 2026: qualifying APM participant conversion factor
    participating: bool = True  # Medicare participating provider (else 95% of the fee schedule)
    deductible_remaining: str | None = None  # None/"met" (assumed met), "full", or an amount
    fee_schedules: tuple[Path, ...] = field(default_factory=tuple)
    payer_type: str | None = None  # medicare | medicaid | commercial; None = from SBR09

    @classmethod
    def from_config(cls, config=None, **overrides) -> "PricingOptions":
        """[pricing] of a Config (None: the user's config file), then the overrides not None."""
        if config is None:
            from ..config import load_config

            config = load_config()
        section = config.section("pricing")
        files = section.get("fee_schedules", [])
        if isinstance(files, str):
            files = [files]
        if not isinstance(files, list):
            raise PricingOptionError(f"{config.path}: [pricing] fee_schedules must be a list of paths")
        opts = cls(
            apm_participant=_flag(section, "apm_participant", False, config.path),
            participating=_flag(section, "participating", True, config.path),
            deductible_remaining=_deductible(section.get("deductible_remaining"), f"{config.path}: [pricing] "
                                             "deductible_remaining"),
            fee_schedules=tuple(config.resolve_path(f) for f in files),
        )
        extra = {k: v for k, v in overrides.items() if v is not None and v != ()}
        if "deductible_remaining" in extra:
            extra["deductible_remaining"] = _deductible(extra["deductible_remaining"], "--deductible-remaining")
        if "fee_schedules" in extra:
            extra["fee_schedules"] = opts.fee_schedules + tuple(Path(p) for p in extra["fee_schedules"])
        return replace(opts, **extra)


def _flag(section: dict, key: str, default: bool, path) -> bool:
    value = section.get(key, default)
    if not isinstance(value, bool):
        raise PricingOptionError(f"{path}: [pricing] {key} must be true or false, not {value!r}")
    return value


def _deductible(value, where: str) -> str | None:
    if value is None:
        return None
    text = str(value).strip().lower().lstrip("$")
    if text in ("", "met", "full"):
        return text or None
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise PricingOptionError(f"{where}: {value!r} is not 'met', 'full' or an amount") from None
    if amount < 0 or not amount.is_finite():
        raise PricingOptionError(f"{where}: {value!r} must be 0 or more")
    return str(amount)
