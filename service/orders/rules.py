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
    missing_end_user       cyber-surveillance order naming no party that can be the end user: review
                           (without an end_user, the consignee or ship-to, else the sold-to, is
                           presumed to be it, unless it is a distributor; the response says so)
    unknown_category       unknown item category or control code: review
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from service.decisions import rank, strictest
from service.orders.classify import (
    ItemClass,
    classify_item,
    destinations_in_text,
)
from service.orders.facts import (
    PartyFacts,
    ReasonLog,
    capitalised,
    delivery_countries,
    end_user_of,
    item_categories,
    item_label,
    party_facts,
)
from service.orders.human_rights import human_rights_rules
from service.orders.outcomes import (
    ItemLike,
    ItemRef,
    MatchedListing,
    OrderEvaluation,
    OrderLike,
    PartyLike,
    PartyOutcome,
    PartyRef,
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


def evaluate_order(order: OrderLike, party_outcomes: Sequence[PartyOutcome], policy: Policy) -> OrderEvaluation:
    """Decide an order: the strictest of every applicable rule, each reported as a reason."""
    parties = [party_facts(outcome, policy) for outcome in party_outcomes]
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
    reasons = ReasonLog(policy)

    _listed_parties(parties, policy, reasons)
    _destinations(order, parties, items, item_refs, policy, reasons)
    human_rights_rules(order, parties, items, item_refs, policy, reasons)
    _licences(order, parties, items, item_refs, policy, reasons)
    _unknowns(items, item_refs, reasons)

    ordered = sorted(reasons.items, key=lambda r: -rank(r.decision))
    end_user, presumed = end_user_of(parties)
    return OrderEvaluation(
        strictest(reason.decision for reason in ordered),
        tuple(ordered),
        policy.version_id,
        end_user.ref if end_user is not None else None,
        presumed,
    )


def _listed_parties(parties: list[PartyFacts], policy: Policy, reasons: ReasonLog) -> None:
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


def _places(order: OrderLike, parties: list[PartyFacts], policy: Policy) -> list[_Place]:
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
    parties: list[PartyFacts],
    items: list[ItemClass],
    refs: list[ItemRef],
    policy: Policy,
    reasons: ReasonLog,
) -> None:
    military = any("military" in p.categories for p in parties)
    for place in _places(order, parties, policy):
        dest = place.destination
        binding = dest.measures_in(policy.exporter_jurisdictions)
        observed = dest.measures_in(policy.observed_jurisdictions) - binding
        level: ReasonDecision = "review" if place.review_only else "block"
        partly = " Only part of this area is occupied: confirm the exact location." if place.review_only else ""
        if "comprehensive" in binding:
            message = (
                f"{capitalised(place.where)} is in {dest.name}, under a comprehensive embargo.{partly} {dest.note}"
            )
            legal = dest.legal_basis("comprehensive")
            reasons.add(
                "embargoed_destination", level, message.strip(), key=(dest.id,), party=place.party, legal_basis=legal
            )
        elif "comprehensive" in observed:
            by = "/".join(policy.observed_jurisdictions)
            message = f"{capitalised(place.where)} is in {dest.name}: embargoed by {by} only. {dest.note}"
            legal = dest.legal_basis("comprehensive")
            reasons.add("foreign_embargo", "review", message, key=(dest.id,), party=place.party, legal_basis=legal)
        if "sectoral" in binding:
            message = (
                f"{capitalised(place.where)} is in {dest.name}, under broad EU goods bans:"
                " check each item against the annexes"
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
                    f"Item {item_label(ref)} is a controlled dual-use item and {place.where} is in {dest.name}, "
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
                    f"Item {item_label(ref)} ({item_categories(item)}) goes to {dest.name}, where the EU bans "
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


def _licences(
    order: OrderLike,
    parties: list[PartyFacts],
    items: list[ItemClass],
    refs: list[ItemRef],
    policy: Policy,
    reasons: ReasonLog,
) -> None:
    delivery = delivery_countries(order, parties)
    free = policy.eu_member_states.countries | policy.eu001.countries
    for item, ref in zip(items, refs, strict=True):
        controlled = [c for c in item.codes if c.status == "controlled"]
        if not controlled:
            continue
        codes = ", ".join(f"{c.regime} {c.code}" for c in controlled)
        if not delivery:
            message = (
                f"Item {item_label(ref)} is controlled ({codes}) and the destination is unknown: determine the licence"
            )
            reasons.add("licence_required", "review", message, key=(ref.index,), item=ref)
            continue
        outside = sorted(delivery - free)
        if outside:
            message = (
                f"Item {item_label(ref)} is controlled ({codes}) and goes to {', '.join(outside)}, outside the EU "
                "and the EU001 general authorisation: determine the licence"
            )
            reasons.add("licence_required", "review", message, key=(ref.index,), item=ref)


def _unknowns(items: list[ItemClass], refs: list[ItemRef], reasons: ReasonLog) -> None:
    for item, ref in zip(items, refs, strict=True):
        for category in item.unknown_categories:
            message = (
                f"Item {item_label(ref)} has the category '{category}', which the policy does not know: classify it"
            )
            reasons.add("unknown_category", "review", message, key=(ref.index, "category", category), item=ref)
        for code in item.unknown_codes:
            message = f"Item {item_label(ref)}: {code.detail}: classify it"
            reasons.add("unknown_category", "review", message, key=(ref.index, "code", code.code), item=ref)
