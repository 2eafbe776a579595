"""Payer policy packs: declarative, dated, cited YAML rules (coverage, necessity,
credentials, referral, prior authorisation, visit caps, KX thresholds, ...).

    from cleanclaim.policies import load_packs
    policy = load_packs().for_claim(claim, ctx)
    policy.visit_caps(on=dos)

Built-in packs live in ``policies/packs/``; users add folders with ``[policies] dirs``
in the config file or ``--policies DIR``.
"""

from .loader import BUILTIN_DIR, Pack, PackLoadError, PackSet, default_packs, load_packs, policy_for, read_pack
from .model import Policy, PolicyRule, code_matches, discipline_for_taxonomy, icd_matches, taxonomy_matches
from .schema import PackError, validate

__all__ = ["BUILTIN_DIR", "Pack", "PackError", "PackLoadError", "PackSet", "Policy", "PolicyRule",
           "code_matches", "default_packs", "discipline_for_taxonomy", "icd_matches", "load_packs",
           "policy_for", "read_pack", "taxonomy_matches", "validate"]
