"""Pack codes looked up in the code store: ICD-10-CM entries that match no code (warnings).

The schema (schema.py) checks shapes; this checks existence. "M54.9O" (letter O) has a
valid shape but names no ICD-10-CM code, so a diagnosis rule with it would never match:
`policy validate` warns, naming file:line: key. A code counts as known when any loaded
ICD-10-CM release has it or a code under it (a prefix such as Z3A or a category such as
M54.5); a range is known when both its ends are.
"""

from __future__ import annotations

from .loader import Pack
from .schema import PackError

ICD_KEYS = {"diagnosis_requirements": ("any_of", "not_sufficient")}


def _release_ids(store) -> list[str]:
    releases = getattr(store, "_releases", None)
    if releases is not None:
        return [r[0] for r in releases()]
    from datetime import date

    return [store.icd_release(date.today()).release_id]


def icd_known(store, code: str, release_ids: list[str]) -> bool:
    """True when some release has ``code`` (dotted or not) or a code starting with it."""
    text = code.replace(".", "").upper().rstrip("*")
    for release in release_ids:
        if store.icd_code(text, release) is not None or store.icd_children(text, release, billable_only=False):
            return True
    return False


def unknown_icd_codes(pack: Pack, store) -> list[PackError]:
    """One warning per ICD-10-CM entry of the pack that matches no code in the store."""
    releases = _release_ids(store)
    out: list[PackError] = []
    for rule in pack.rules:
        for key in ICD_KEYS.get(rule.section, ()):
            for item in rule.get(key) or []:
                ends = str(item).split("-", 1)
                missing = [e for e in ends if not icd_known(store, e, releases)]
                if not missing:
                    continue
                what = (f"range {item!r}: {', '.join(repr(m) for m in missing)} matches" if len(ends) > 1
                        else f"{item!r} matches")
                out.append(PackError(pack.path, rule.key_lines.get(key, rule.line), f"{rule.section}[{rule.id}].{key}",
                                     f"{what} no ICD-10-CM code in the loaded releases, so it never applies "
                                     "(check it against the ICD-10-CM tabular)"))
    return out
