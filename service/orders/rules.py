"""The order rules: parties' list screenings + destination + items + end use -> decision and reasons.

Pure: no I/O; the policy and the parties' screening outcomes come in as arguments. Rules
combine and the strictest wins (clear < review < block); every rule that applies adds a reason
with a stable `code` (see policy.REASON_CODES), the party or item it concerns, a plain-language
message, and the rule text and legal basis from policy.toml.

    party_match            listed party: block (certain match) / review (possible match)
    embargoed_destination  destination, party country or address in a comprehensively embargoed
                           country or region: block (review for partly occupied oblasts)
    foreign_embargo        embargo of an observed non-EU jurisdiction only (US on Cuba): review
    dual_use_ban           controlled item to an EU dual-use ban destination (Russia, Belarus ...): block
    sectoral_sanctions     any order to a destination under broad EU goods bans: review
    surveillance_ban       cyber-surveillance item to a destination under an EU monitoring-equipment
                           ban: block (telecom monitoring) / review (other)
    xinjiang_nexus         cyber-surveillance item, security end user, Xinjiang nexus: block;
                           research/unknown end user or non-surveillance item for a security end user: review
    human_rights_risk      cyber-surveillance item, security end user, high-risk destination: block;
                           security end user elsewhere, or unknown/research end user in a high-risk
                           destination: review (Reg. 2021/821 art. 5)
    military_end_use       military end user in an arms-embargoed destination: review (art. 4(1)(b))
    licence_required       controlled item outside the EU and EU001: review
    missing_end_user       cyber-surveillance order without an end-user party: review
    unknown_category       unknown item category or control code: review
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.orders.classify import (
    ItemClass,
    PlaceHit,
    RegionHit,
    categories_from_listing,
    classify_item,
    destinations_in_text,
    end_user_categories,
    regions_in_text,
)
from service.orders.outcomes import (
    Decision,
    ItemLike,
    ItemRef,
    MatchedListing,
    OrderEvaluation,
    OrderLike,
    PartyLike,
    PartyOutcome,
    PartyRef,
    Reason,
    ReasonDecision,
    unscreened_outcomes,
)
from service.orders.policy import Destination, Policy

__all__ = [
    "ItemLike",
    "MatchedListing",
    "OrderEvaluation",
    "OrderLike",
    "PartyLike",
    "PartyOutcome",
    "evaluate_order",
    "unscreened_outcomes",
]
_SEVERITY: dict[str, int] = {"clear": 0, "review": 1, "block": 2}
DELIVERY_ROLES = frozenset({"ship_to", "end_user", "consignee"})
ROLE_LABELS = {
    "sold_to": "Sold-to party",
    "ship_to": "Ship-to party",
    "end_user": "End user",
    "consignee": "Consignee",
    "intermediary": "Intermediary",
}


@dataclass(slots=True)
class _Party:
    outcome: PartyOutcome
    ref: PartyRef
    categories: dict[str, list[str]]
    places: list[PlaceHit]
    regions: list[RegionHit]

    @property
    def label(self) -> str:
        return f"{ROLE_LABELS.get(self.ref.role, self.ref.role)} '{self.ref.name}'"


class _Reasons:
    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._seen: set[tuple[object, ...]] = set()
        self.items: list[Reason] = []

    def add(
        self,
        code: str,
        decision: ReasonDecision,
        message: str,
        *,
        key: tuple[object, ...],
        party: PartyRef | None = None,
        item: ItemRef | None = None,
        legal_basis: str | None = None,
    ) -> None:
        if (code, *key) in self._seen:
            return
        self._seen.add((code, *key))
        basis = self._policy.rules[code]
        legal = legal_basis or basis.legal_basis
        cite = legal.split(";")[0].strip()
        self.items.append(Reason(code, decision, f"{message} ({cite}.)", basis.rule, legal, party, item))


def evaluate_order(order: OrderLike, party_outcomes: Sequence[PartyOutcome], policy: Policy) -> OrderEvaluation:
    """Decide an order: the strictest of every applicable rule, each reported as a reason."""
    parties = [_party_facts(outcome, policy) for outcome in party_outcomes]
    items = [
        classify_item(
            categories=item.categories,
            eccn=item.eccn,
            eu_dual_use=item.eu_dual_use,
            description=item.description,
            policy=policy,
        )
        for item in order.items
    ]
    item_refs = [ItemRef(i, item.sku) for i, item in enumerate(order.items)]
    reasons = _Reasons(policy)

    _listed_parties(parties, policy, reasons)
    _destinations(order, parties, items, item_refs, policy, reasons)
    _human_rights(order, parties, items, item_refs, policy, reasons)
    _licences(order, parties, items, item_refs, policy, reasons)
    _unknowns(items, item_refs, reasons)

    ordered = sorted(reasons.items, key=lambda r: -_SEVERITY[r.decision])
    decision: Decision = "clear"
    for reason in ordered:
        if _SEVERITY[reason.decision] > _SEVERITY[decision]:
            decision = reason.decision
    return OrderEvaluation(decision, tuple(ordered), policy.version_id)


def _party_facts(outcome: PartyOutcome, policy: Policy) -> _Party:
    text = " ".join(t for t in (outcome.name, outcome.address) if t)
    categories = {
        category: [f"name/address contains '{t}'" for t in terms]
        for category, terms in end_user_categories([text], policy).items()
    }
    for match in outcome.matches:
        for category, evidence in categories_from_listing(match.source, match.name, match.programs, policy).items():
            categories.setdefault(category, []).extend(evidence)
    # Country names inside company names mislead ("Cuba Libre Bar GmbH", "Russia House Ltd"):
    # destinations come from the address, and from the name only for occupied regions
    # ("Crimean Sea Ports"). Xinjiang counts in either ("Xinjiang University").
    places = destinations_in_text(outcome.address, outcome.country, policy)
    seen = {hit.destination.id for hit in places}
    places += [
        hit
        for hit in destinations_in_text(outcome.name, outcome.country, policy)
        if hit.destination.kind == "region" and hit.destination.id not in seen
    ]
    return _Party(
        outcome=outcome,
        ref=PartyRef(outcome.index, outcome.role, outcome.name),
        categories=categories,
        places=places,
        regions=regions_in_text(text, outcome.country, policy),
    )


def _listed_parties(parties: list[_Party], policy: Policy, reasons: _Reasons) -> None:
    for party in parties:
        outcome = party.outcome
        if outcome.decision == "clear":
            continue
        if outcome.matches:
            best = max(outcome.matches, key=lambda m: m.score)
            programs = f", programs {', '.join(best.programs)}" if best.programs else ""
            more = f" and {len(outcome.matches) - 1} more" if len(outcome.matches) > 1 else ""
            how = "is" if outcome.decision == "block" else "may be"
            message = (
                f"{party.label} {how} the listed party '{best.name}' ({best.source} {best.entity_id}{programs}; "
                f"score {best.score:.2f}){more}"
            )
            basis = policy.list_basis(best.source).legal_basis
        else:
            message, basis = f"{party.label} was flagged by list screening", None
        reasons.add(
            "party_match", outcome.decision, message, key=(party.ref.index,), party=party.ref, legal_basis=basis
        )


@dataclass(slots=True, frozen=True)
class _Place:
    destination: Destination
    review_only: bool
    where: str
    party: PartyRef | None


def _places(order: OrderLike, parties: list[_Party], policy: Policy) -> list[_Place]:
    places: list[_Place] = []
    if order.destination_country:
        for dest in policy.destinations_by_country.get(order.destination_country, ()):
            places.append(_Place(dest, False, f"the destination country ({order.destination_country})", None))
    for party in parties:
        country = party.outcome.country
        for dest in policy.destinations_by_country.get(country or "", ()):
            places.append(_Place(dest, False, f"{party.label} (country {country})", party.ref))
        for hit in party.places:
            where = f"{party.label} (name or address contains '{hit.term}')"
            places.append(_Place(hit.destination, hit.review_only, where, party.ref))
    for hit in destinations_in_text(order.end_use, order.destination_country, policy):
        places.append(_Place(hit.destination, hit.review_only, f"the stated end use (names '{hit.term}')", None))
    return places


def _destinations(
    order: OrderLike,
    parties: list[_Party],
    items: list[ItemClass],
    refs: list[ItemRef],
    policy: Policy,
    reasons: _Reasons,
) -> None:
    military = any("military" in p.categories for p in parties)
    for place in _places(order, parties, policy):
        dest = place.destination
        binding = dest.measures_in(policy.exporter_jurisdictions)
        observed = dest.measures_in(policy.observed_jurisdictions) - binding
        level: ReasonDecision = "review" if place.review_only else "block"
        partly = " Only part of this area is occupied: confirm the exact location." if place.review_only else ""
        if "comprehensive" in binding:
            message = f"{_cap(place.where)} is in {dest.name}, under a comprehensive embargo.{partly} {dest.note}"
            legal = dest.legal_basis("comprehensive")
            reasons.add(
                "embargoed_destination", level, message.strip(), key=(dest.id,), party=place.party, legal_basis=legal
            )
        elif "comprehensive" in observed:
            by = "/".join(policy.observed_jurisdictions)
            message = f"{_cap(place.where)} is in {dest.name}: embargoed by {by} only. {dest.note}"
            legal = dest.legal_basis("comprehensive")
            reasons.add("foreign_embargo", "review", message, key=(dest.id,), party=place.party, legal_basis=legal)
        if "sectoral" in binding:
            message = (
                f"{_cap(place.where)} is in {dest.name}, under broad EU goods bans: check each item against the annexes"
            )
            legal = dest.legal_basis("sectoral")
            reasons.add("sectoral_sanctions", "review", message, key=(dest.id,), party=place.party, legal_basis=legal)
        if "arms_embargo" in binding and military:
            message = (
                f"A military end user in {dest.name}, which is under an EU arms embargo: authorisation may be required"
            )
            reasons.add("military_end_use", "review", message, key=(dest.id,), party=place.party)
        for item, ref in zip(items, refs, strict=True):
            if "dual_use_ban" in binding and item.controlled:
                message = (
                    f"Item {_item_label(ref)} is a controlled dual-use item and {place.where} is in {dest.name}, "
                    "where its export is prohibited"
                )
                legal = dest.legal_basis("dual_use_ban")
                reasons.add(
                    "dual_use_ban",
                    level,
                    message,
                    key=(dest.id, ref.index),
                    item=ref,
                    party=place.party,
                    legal_basis=legal,
                )
            if "surveillance_ban" in binding and item.cyber_surveillance:
                ban: ReasonDecision = "block" if item.telecom_monitoring else "review"
                message = (
                    f"Item {_item_label(ref)} ({_categories(item)}) goes to {dest.name}, where the EU bans "
                    "monitoring and interception equipment"
                    + ("" if item.telecom_monitoring else ": check whether this item falls under the ban")
                )
                reasons.add(
                    "surveillance_ban",
                    ban,
                    message,
                    key=(dest.id, ref.index),
                    item=ref,
                    party=place.party,
                    legal_basis=dest.legal_basis("surveillance_ban"),
                )


def _delivery_countries(order: OrderLike, parties: list[_Party]) -> set[str]:
    countries = {order.destination_country} if order.destination_country else set()
    for party in parties:
        if party.ref.role in DELIVERY_ROLES:
            if party.outcome.country:
                countries.add(party.outcome.country)
            countries.update(h.destination.country for h in party.places if h.destination.kind == "country")
    return countries


def _human_rights(
    order: OrderLike,
    parties: list[_Party],
    items: list[ItemClass],
    refs: list[ItemRef],
    policy: Policy,
    reasons: _Reasons,
) -> None:
    security_ids = policy.security_categories
    end_use_categories = end_user_categories([order.end_use], policy)
    security = [p for p in parties if security_ids & p.categories.keys()]
    end_use_security = sorted(security_ids & end_use_categories.keys())
    research = [p for p in parties if "university_research" in p.categories and p not in security]
    nexus: list[tuple[PartyRef | None, RegionHit]] = [(p.ref, h) for p in parties for h in p.regions]
    nexus += [(None, h) for h in regions_in_text(order.end_use, order.destination_country, policy)]
    delivery = _delivery_countries(order, parties)
    located = delivery | {p.outcome.country for p in security if p.outcome.country}
    high_risk = sorted(c for c in located if c in policy.high_risk)

    who = _security_label(security, end_use_security, policy, end_use_categories)
    nexus_text = _nexus_label(*nexus[0]) if nexus else ""
    hr_text = "; ".join(f"{c}: {policy.high_risk[c].reason}" for c in high_risk)
    first_security = security[0].ref if security else None

    cs_items = [(item, ref) for item, ref in zip(items, refs, strict=True) if item.cyber_surveillance]
    for item, ref in cs_items:
        label = f"Cyber-surveillance item {_item_label(ref)} ({_categories(item)})"
        if who and nexus:
            reasons.add(
                "xinjiang_nexus",
                "block",
                f"{label} for {who} with a nexus to {nexus_text}: authorisation required",
                key=(ref.index,),
                item=ref,
                party=first_security,
            )
        elif who and high_risk:
            reasons.add(
                "human_rights_risk",
                "block",
                f"{label} for {who} in a high-risk destination ({hr_text}): authorisation required",
                key=(ref.index,),
                item=ref,
                party=first_security,
            )
        elif who:
            reasons.add(
                "human_rights_risk",
                "review",
                f"{label} for {who}: assess the risk of use for internal repression",
                key=(ref.index,),
                item=ref,
                party=first_security,
            )
        elif nexus or high_risk:
            if research:
                kind = f"a university or research end user ({research[0].label})"
            else:
                kind = "an end user whose activity is not recognised"
            code = "xinjiang_nexus" if nexus else "human_rights_risk"
            where = f"with a nexus to {nexus_text}" if nexus else f"in a high-risk destination ({hr_text})"
            reasons.add(
                code,
                "review",
                f"{label} for {kind} {where}: identify the end user and end use",
                key=(ref.index,),
                item=ref,
                party=research[0].ref if research else None,
            )
    if nexus and who and not cs_items:
        reasons.add(
            "xinjiang_nexus",
            "review",
            f"An order for {who} with a nexus to {nexus_text}",
            key=("order",),
            party=first_security,
        )
    if cs_items and not any(p.ref.role == "end_user" for p in parties):
        skus = ", ".join(_item_label(ref) for _, ref in cs_items)
        reasons.add(
            "missing_end_user",
            "review",
            f"The order has cyber-surveillance items ({skus}) but no end-user party: name the end user",
            key=("order",),
            item=cs_items[0][1],
        )


def _nexus_label(party: PartyRef | None, hit: RegionHit) -> str:
    where = (
        "the stated end use" if party is None else f"{ROLE_LABELS.get(party.role, party.role).lower()} '{party.name}'"
    )
    return f"{hit.region.name} ('{hit.term}' in {where})"


def _security_label(
    security: list[_Party], end_use: list[str], policy: Policy, end_use_categories: dict[str, list[str]]
) -> str:
    if security:
        party = security[0]
        category = sorted(policy.security_categories & party.categories.keys())[0]
        evidence = party.categories[category][0]
        return f"a {policy.end_user_categories[category].label.lower()} end user, {party.label} ({evidence})"
    if end_use:
        category = end_use[0]
        term = end_use_categories[category][0]
        return f"a {policy.end_user_categories[category].label.lower()} end use (stated end use mentions '{term}')"
    return ""


def _licences(
    order: OrderLike,
    parties: list[_Party],
    items: list[ItemClass],
    refs: list[ItemRef],
    policy: Policy,
    reasons: _Reasons,
) -> None:
    delivery = _delivery_countries(order, parties)
    free = policy.eu_member_states.countries | policy.eu001.countries
    for item, ref in zip(items, refs, strict=True):
        controlled = [c for c in item.codes if c.status == "controlled"]
        if not controlled:
            continue
        codes = ", ".join(f"{c.regime} {c.code}" for c in controlled)
        if not delivery:
            message = (
                f"Item {_item_label(ref)} is controlled ({codes}) and the destination is unknown: determine the licence"
            )
            reasons.add("licence_required", "review", message, key=(ref.index,), item=ref)
            continue
        outside = sorted(delivery - free)
        if outside:
            message = (
                f"Item {_item_label(ref)} is controlled ({codes}) and goes to {', '.join(outside)}, outside the EU "
                "and the EU001 general authorisation: determine the licence"
            )
            reasons.add("licence_required", "review", message, key=(ref.index,), item=ref)


def _unknowns(items: list[ItemClass], refs: list[ItemRef], reasons: _Reasons) -> None:
    for item, ref in zip(items, refs, strict=True):
        for category in item.unknown_categories:
            message = (
                f"Item {_item_label(ref)} has the category '{category}', which the policy does not know: classify it"
            )
            reasons.add("unknown_category", "review", message, key=(ref.index, "category", category), item=ref)
        for code in item.unknown_codes:
            message = f"Item {_item_label(ref)}: {code.detail}: classify it"
            reasons.add("unknown_category", "review", message, key=(ref.index, "code", code.code), item=ref)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _item_label(ref: ItemRef) -> str:
    return f"'{ref.sku}'" if ref.sku else f"#{ref.index + 1}"


def _categories(item: ItemClass) -> str:
    return ", ".join(f"{c}: {why}" for c, why in sorted(item.evidence.items()) if c != "general")
