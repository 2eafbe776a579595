"""A finding is data: what is wrong, where, how to fix it, and the authority."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

SEVERITIES = ("error", "warning", "info")


@dataclass
class Finding:
    code: str
    severity: str
    message: str
    fix: str | None = None
    authority: str | None = None
    line: int | None = None  # 1-based service-line number, None for the claim
    claim_id: str | None = None
    name: str | None = None  # slug, e.g. "ncci.ptp-no-modifier"
    url: str | None = None
    fix_safety: str | None = None  # "safe" (format only) | "unsafe" (changes what is billed)
    carc: str | None = None  # what a payer would answer with, e.g. "CO-97"
    details: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.severity not in SEVERITIES:
            raise ValueError(f"unknown severity {self.severity!r} for {self.code}")

    def to_dict(self) -> dict:
        data = asdict(self)
        if not data["details"]:
            data.pop("details")
        return data
