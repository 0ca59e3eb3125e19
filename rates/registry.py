"""Claim discovery: every module of ``paper_checks`` that defines ``CLAIMS`` (a list) or ``CLAIM``
(one claim) contributes them.

This is the only place where ``rates`` touches ``paper_checks``.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
import re
from functools import cache

from rates.claim import Claim

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@cache
def all_claims() -> dict[str, Claim]:
    """Every registered claim by id, in the order of their modules."""
    package = importlib.import_module("paper_checks")
    found: dict[str, Claim] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        if info.name.startswith("test_") or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"paper_checks.{info.name}")
        one = getattr(module, "CLAIM", None)
        for claim in getattr(module, "CLAIMS", [one] if one is not None else []):
            if not _ID.match(claim.id):
                raise ValueError(f"claim id {claim.id!r} is not kebab-case")
            if claim.id in found:
                raise ValueError(f"claim id {claim.id!r} is registered twice")
            found[claim.id] = claim
    return found


def get(claim_id: str) -> Claim:
    claims = all_claims()
    if claim_id not in claims:
        near = difflib.get_close_matches(claim_id, list(claims), n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise KeyError(f"unknown claim id {claim_id!r}{hint} (`rates list` shows them all)")
    return claims[claim_id]
