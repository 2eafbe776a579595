"""Which Medicare payment locality a claim's services were given in.

The locality is the one of the ZIP code where the service was furnished: the 2310C
service facility, else the billing provider address (the 837P puts the service location
in 2310C only when it differs from the billing provider). CMS's ZIP5 file maps a ZIP to carrier + locality; a ZIP
that spans localities is flagged "needs ZIP+4", and the ZIP9 file is not shipped, so
such a ZIP is not priced (no guess).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..codesets.types import Gpci, ZipLocality


@dataclass(frozen=True)
class LocalityResult:
    gpci: Gpci | None
    zip_row: ZipLocality | None
    zip_code: str | None
    source: str  # "service facility (2310C)" | "billing provider (2010AA)"
    problem: str | None = None  # why no locality (then gpci is None)

    @property
    def label(self) -> str | None:
        if self.gpci is None:
            return None
        return f"{self.gpci.carrier}-{self.gpci.locality} {self.gpci.name.strip()}"


def service_zip(claim) -> tuple[str | None, str]:
    """The ZIP where the service was given and which loop it came from."""
    facility = claim.service_facility
    if facility is not None and (facility.zip_code or "").strip():
        return facility.zip_code.strip(), "service facility (2310C)"
    billing = claim.billing_provider
    if billing is not None and (billing.zip_code or "").strip():
        return billing.zip_code.strip(), "billing provider (2010AA)"
    return None, "none"


def find_locality(claim, store, overrides: tuple = ()) -> LocalityResult:
    """The locality of the service ZIP; ``overrides`` ((zip5, carrier, locality), ...) from
    [pricing] localities settle a ZIP that CMS prices by ZIP+4."""
    zip_code, source = service_zip(claim)
    if zip_code is None:
        return LocalityResult(None, None, None, source,
                              "no ZIP code on the service facility (2310C) or billing provider: "
                              "the Medicare locality is unknown")
    digits = zip_code.replace("-", "")
    if not digits[:5].isdigit():
        return LocalityResult(None, None, zip_code, source,
                              f"ZIP code {zip_code!r} of the {source} is not a US ZIP code")
    row = store.zip_locality(digits[:5])
    if row is None:
        return LocalityResult(None, None, zip_code, source,
                              f"ZIP {digits[:5]} ({source}) is not in the CMS ZIP-to-locality file")
    chosen = next(((c, loc) for z, c, loc in overrides if z == digits[:5]), None)
    if row.plus4_required and chosen is not None:
        gpci = store.gpci(*chosen)
        if gpci is None:
            return LocalityResult(None, row, zip_code, source,
                                  f"[pricing] localities {digits[:5]} = {chosen[0]}-{chosen[1]}: no such "
                                  "carrier and locality in the GPCI file")
        return LocalityResult(gpci, row, zip_code, f"{source}; ZIP+4 locality from your [pricing] localities")
    if row.plus4_required:
        return LocalityResult(None, row, zip_code, source,
                              f"ZIP {digits[:5]} ({source}) spans more than one Medicare locality: CMS "
                              f"prices it by ZIP+4 (ZIP9 file), which is not shipped; not priced (set its "
                              f"locality in [pricing] localities, e.g. {digits[:5]} = \"13202-03\") "
                              f"({row.release})")
    gpci = store.gpci(row.carrier, row.locality)
    if gpci is None:
        return LocalityResult(None, row, zip_code, source,
                              f"carrier {row.carrier} locality {row.locality} (ZIP {digits[:5]}) has no "
                              f"GPCI row")
    return LocalityResult(gpci, row, zip_code, source)
