"""Pricing options: from config [pricing], overridden by command-line flags."""

from __future__ import annotations

import re
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
    # the user's PFS conversion factors: ((year, cf, apm cf | None, where), ...) from
    # [pricing] conversion_factor_YYYY = 34.1234 and conversion_factor_YYYY_apm = ...
    conversion_factors: tuple = ()
    # [pricing] localities = {"10505" = "13202-03"}: the biller's own locality for a ZIP that
    # CMS prices by ZIP+4 (ZIP9 file not shipped); ((zip5, carrier, locality), ...)
    localities: tuple = ()

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
            conversion_factors=_factors(section, config.path),
            localities=_localities(section.get("localities", {}), config.path),
        )
        extra = {k: v for k, v in overrides.items() if v is not None and v != ()}
        if "deductible_remaining" in extra:
            extra["deductible_remaining"] = _deductible(extra["deductible_remaining"], "--deductible-remaining")
        if "fee_schedules" in extra:
            extra["fee_schedules"] = opts.fee_schedules + tuple(Path(p) for p in extra["fee_schedules"])
        return replace(opts, **extra)


def _factors(section: dict, path) -> tuple:
    """[pricing] conversion_factor_YYYY (and _YYYY_apm): a year's PFS conversion factor."""
    found: dict[int, list] = {}
    for key, value in section.items():
        m = re.fullmatch(r"conversion_factor_(\d{4})(_apm)?", key)
        if not m:
            if key.startswith("conversion_factor"):
                raise PricingOptionError(f"{path}: [pricing] {key}: name it conversion_factor_YYYY "
                                         "or conversion_factor_YYYY_apm (e.g. conversion_factor_2027)")
            continue
        try:
            amount = Decimal(str(value).strip())
        except InvalidOperation:
            raise PricingOptionError(f"{path}: [pricing] {key} = {value!r} is not a number") from None
        if not amount.is_finite() or not Decimal("1") <= amount <= Decimal("1000"):
            raise PricingOptionError(f"{path}: [pricing] {key} = {value!r} is not a conversion factor "
                                     "(dollars per RVU, e.g. 34.1234)")
        found.setdefault(int(m.group(1)), [None, None])[1 if m.group(2) else 0] = str(amount)
    out = []
    for year, (cf, apm) in sorted(found.items()):
        if cf is None:
            raise PricingOptionError(f"{path}: [pricing] conversion_factor_{year}_apm needs "
                                     f"conversion_factor_{year} too")
        out.append((year, cf, apm, f"config [pricing] conversion_factor_{year}"))
    return tuple(out)


def _localities(value, path) -> tuple:
    """[pricing] localities: ZIP5 -> "CARRIER-LOCALITY" (e.g. "13202-03")."""
    if not isinstance(value, dict):
        raise PricingOptionError(f"{path}: [pricing] localities must be a table of ZIP = \"CARRIER-LOCALITY\"")
    out = []
    for zip5, where in value.items():
        m = re.fullmatch(r"(\d{5})-(\d{1,2})", str(where).strip())
        if not re.fullmatch(r"\d{5}", str(zip5).strip()) or not m:
            raise PricingOptionError(f"{path}: [pricing] localities {zip5} = {where!r}: use a 5-digit ZIP and "
                                     "\"CARRIER-LOCALITY\" as in CMS's ZIP5/GPCI files, e.g. \"13202-03\"")
        out.append((str(zip5).strip(), m.group(1), m.group(2).zfill(2)))
    return tuple(out)


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
