"""Pure recognisers: end-user categories, places and product categories from order text.

Nothing here decides; rules.py does. Each recogniser returns what it found and why (the
policy term that matched), so a reason can say "name contains '公安局'".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from service.folding import term_fold
from service.orders.policy import ControlCode, Destination, Policy, Region, normalise_code

# Annex I entries and ECCNs: digit (category), letter A-E (product group), three digits, then
# optional sub-items: 5A001, 5A001.j, 5A001.j.1, 0A501.a.
_CODE_SHAPE = re.compile(r"^[0-9][A-E][0-9]{3}(\.[A-Z0-9]+)*$")

Regime = Literal["EU", "US"]
CodeStatus = Literal["controlled", "uncontrolled", "unknown"]


# ------------------------------------------------------------------ end users


def end_user_categories(texts: Iterable[str | None], policy: Policy) -> dict[str, list[str]]:
    """Category id -> the policy terms found in any of the texts (a party's name, address ...)."""
    found: dict[str, list[str]] = {}
    folded = [term_fold(t) for t in texts if t]
    for category in policy.end_user_categories.values():
        terms = [term for text in folded for term in category.terms.find(text)]
        if terms:
            # Longest first: "公安局" says more than "公安" in a reason.
            found[category.id] = sorted(dict.fromkeys(terms), key=len, reverse=True)
    return found


def categories_from_listing(source: str, name: str, programs: Sequence[str], policy: Policy) -> dict[str, list[str]]:
    """Categories a list match implies: its programs / sub-lists (CSL 'MEU' -> military) and its listed name.

    The listed name counts too: the Entity List names "Xinjiang ... Public Security Bureau",
    which is a police end user whatever the order calls it.
    """
    found: dict[str, list[str]] = {}
    folded_programs = [p.casefold().strip() for p in programs if p.strip()]
    for rule in policy.list_implies:
        if rule.source is not None and rule.source != source:
            continue
        for program in folded_programs:
            if program in rule.equals or any(fragment in program for fragment in rule.contains):
                found.setdefault(rule.category, []).append(f"list program '{program}'")
    for category, terms in end_user_categories([name], policy).items():
        found.setdefault(category, []).extend(f"listed name contains '{t}'" for t in terms)
    return found


# ------------------------------------------------------------------ places


@dataclass(slots=True, frozen=True)
class PlaceHit:
    destination: Destination
    term: str
    review_only: bool  # an area only partly occupied: review, not block


@dataclass(slots=True, frozen=True)
class RegionHit:
    region: Region
    term: str


def _gated(gate: frozenset[str], country: str | None) -> bool:
    return country is None or country in gate


def destinations_in_text(text: str | None, country: str | None, policy: Policy) -> list[PlaceHit]:
    """Embargoed or restricted destinations named in an address (any script).

    `country` is the party's ISO country (None when unknown): names that also exist elsewhere
    (`local_names`) only count when it is one of the entry's gate countries.
    """
    if not text:
        return []
    folded = term_fold(text)
    hits: list[PlaceHit] = []
    for dest in policy.destinations:
        terms = dest.names.find(folded)
        if not terms and _gated(dest.gate_countries, country):
            terms = dest.local_names.find(folded)
        if terms:
            hits.append(PlaceHit(dest, max(terms, key=len), review_only=False))
            continue
        review_terms = dest.review_names.find(folded)
        if review_terms:
            hits.append(PlaceHit(dest, max(review_terms, key=len), review_only=True))
    return hits


def regions_in_text(text: str | None, country: str | None, policy: Policy) -> list[RegionHit]:
    """Forced-labour / mass-surveillance regions (Xinjiang) named in a text, Latin or Chinese script."""
    if not text:
        return []
    folded = term_fold(text)
    hits: list[RegionHit] = []
    for region in policy.regions:
        terms = region.names.find(folded)
        if not terms and _gated(region.gate_countries, country):
            terms = region.local_names.find(folded)
        if terms:
            hits.append(RegionHit(region, max(terms, key=len)))
    return hits


# ------------------------------------------------------------------ products


@dataclass(slots=True, frozen=True)
class CodeResult:
    regime: Regime
    code: str  # as given
    status: CodeStatus
    entry: ControlCode | None
    detail: str


@dataclass(slots=True, frozen=True)
class ItemClass:
    categories: frozenset[str]
    evidence: dict[str, str] = field(default_factory=dict)  # category -> why
    unknown_categories: tuple[str, ...] = ()
    codes: tuple[CodeResult, ...] = ()
    cyber_surveillance: bool = False
    telecom_monitoring: bool = False

    @property
    def controlled(self) -> bool:
        return any(code.status == "controlled" for code in self.codes)

    @property
    def unknown_codes(self) -> tuple[CodeResult, ...]:
        return tuple(code for code in self.codes if code.status == "unknown")


def classify_code(code: str, regime: Regime, policy: Policy) -> CodeResult:
    """A control code's status: controlled (and which entry), uncontrolled (EAR99 ...) or unknown."""
    normal = normalise_code(code)
    if normal in policy.uncontrolled_codes or code.strip().casefold() in {
        c.casefold() for c in policy.uncontrolled_codes
    }:
        return CodeResult(regime, code, "uncontrolled", None, f"{code} is not a controlled entry")
    for entry in policy.control_codes:
        if entry.regime in (regime, "both") and (normal == entry.code or normal.startswith(entry.code + ".")):
            status: CodeStatus = "controlled" if entry.controlled else "uncontrolled"
            return CodeResult(regime, code, status, entry, f"{entry.code}: {entry.description}")
    if not _CODE_SHAPE.match(normal):
        return CodeResult(regime, code, "unknown", None, f"'{code}' is not a recognised {regime} control code")
    if regime == "US" and normal[2] == "9":
        # ECCNs xx9xx are anti-terrorism-only entries: a licence only for embargoed destinations,
        # which the embargo rules catch on their own.
        return CodeResult(regime, code, "uncontrolled", None, f"{code}: anti-terrorism controls only")
    return CodeResult(regime, code, "controlled", None, f"{code}: a listed {regime} control entry")


def classify_item(
    *,
    categories: Sequence[str],
    eccn: str | None,
    eu_dual_use: str | None,
    description: str | None,
    policy: Policy,
) -> ItemClass:
    """Product categories from declared categories, control codes and description keywords, combined."""
    found: dict[str, str] = {}
    unknown: list[str] = []
    for raw in categories:
        category = raw.strip().casefold()
        if category in policy.product_categories:
            found.setdefault(category, "declared category")
        elif category:
            unknown.append(raw.strip())
    codes: list[CodeResult] = []
    pairs: tuple[tuple[Regime, str | None], ...] = (("EU", eu_dual_use), ("US", eccn))
    for regime, code in pairs:
        if code and code.strip():
            result = classify_code(code, regime, policy)
            codes.append(result)
            for category in result.entry.categories if result.entry else ():
                found.setdefault(category, f"control code {code.strip()}")
    if description:
        folded = term_fold(description)
        for product in policy.product_categories.values():
            terms = product.terms.find(folded)
            if terms:
                found.setdefault(product.id, f"description mentions '{terms[0]}'")
    if not found and not unknown:
        found["general"] = "no category, control code or keyword of concern"
    products = [policy.product_categories[c] for c in found]
    return ItemClass(
        categories=frozenset(found),
        evidence=found,
        unknown_categories=tuple(unknown),
        codes=tuple(codes),
        cyber_surveillance=any(p.cyber_surveillance for p in products),
        telecom_monitoring=any(p.telecom_monitoring for p in products),
    )
