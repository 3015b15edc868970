"""What the rules know about an order's parties, and the log of reasons they add."""

from __future__ import annotations

from dataclasses import dataclass

from service.orders.classify import (
    ItemClass,
    PlaceHit,
    RegionHit,
    categories_from_listing,
    destinations_in_text,
    end_user_categories,
    regions_in_text,
)
from service.orders.outcomes import (
    ItemRef,
    OrderLike,
    PartyOutcome,
    PartyRef,
    Reason,
    ReasonDecision,
)
from service.orders.policy import Policy

DELIVERY_ROLES = frozenset({"ship_to", "end_user", "consignee"})
# Without a named end user, the goods' recipient is presumed to use them, else the buyer.
PRESUMED_END_USER_ROLES = (frozenset({"consignee", "ship_to"}), frozenset({"sold_to"}))
# The end_users.toml category of parties that resell (its customers are the end users).
DISTRIBUTOR_CATEGORY = "distributor"
ROLE_LABELS = {
    "sold_to": "Sold-to party",
    "ship_to": "Ship-to party",
    "end_user": "End user",
    "consignee": "Consignee",
    "intermediary": "Intermediary",
}


@dataclass(slots=True)
class PartyFacts:
    outcome: PartyOutcome
    ref: PartyRef
    categories: dict[str, list[str]]
    places: list[PlaceHit]
    regions: list[RegionHit]

    @property
    def label(self) -> str:
        return f"{ROLE_LABELS.get(self.ref.role, self.ref.role)} '{self.ref.name}'"


class ReasonLog:
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


def party_facts(outcome: PartyOutcome, policy: Policy) -> PartyFacts:
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
    return PartyFacts(
        outcome=outcome,
        ref=PartyRef(outcome.index, outcome.role, outcome.name),
        categories=categories,
        places=places,
        regions=regions_in_text(text, outcome.country, policy),
    )


def end_user_of(parties: list[PartyFacts]) -> tuple[PartyFacts | None, bool]:
    """The order's end user and whether it is presumed: the named one, else the first consignee or
    ship-to, else the first sold-to that is not a distributor; (None, False) when no party can be."""
    named = next((party for party in parties if party.ref.role == "end_user"), None)
    if named is not None:
        return named, False
    for roles in PRESUMED_END_USER_ROLES:
        for party in parties:
            if party.ref.role in roles and DISTRIBUTOR_CATEGORY not in party.categories:
                return party, True
    return None, False


def delivery_countries(order: OrderLike, parties: list[PartyFacts]) -> set[str]:
    countries = {order.destination_country} if order.destination_country else set()
    for party in parties:
        if party.ref.role in DELIVERY_ROLES:
            if party.outcome.country:
                countries.add(party.outcome.country)
            countries.update(h.destination.country for h in party.places if h.destination.kind == "country")
    return countries


def item_label(ref: ItemRef) -> str:
    return f"'{ref.sku}'" if ref.sku else f"#{ref.index + 1}"


def item_categories(item: ItemClass) -> str:
    return ", ".join(f"{c}: {why}" for c, why in sorted(item.evidence.items()) if c != "general")


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
