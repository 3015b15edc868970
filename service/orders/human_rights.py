"""Human-rights due diligence for cyber-surveillance items (Reg. 2021/821 art. 5): security end users,
high-risk destinations and the Xinjiang nexus."""

from __future__ import annotations

from service.orders.classify import (
    ItemClass,
    RegionHit,
    end_user_categories,
    regions_in_text,
)
from service.orders.facts import (
    ROLE_LABELS,
    PartyFacts,
    ReasonLog,
    delivery_countries,
    end_user_of,
    item_categories,
    item_label,
)
from service.orders.outcomes import (
    ItemRef,
    OrderLike,
    PartyRef,
)
from service.orders.policy import Policy


def human_rights_rules(
    order: OrderLike,
    parties: list[PartyFacts],
    items: list[ItemClass],
    refs: list[ItemRef],
    policy: Policy,
    reasons: ReasonLog,
) -> None:
    security_ids = policy.security_categories
    end_use_categories = end_user_categories([order.end_use], policy)
    security = [p for p in parties if security_ids & p.categories.keys()]
    end_use_security = sorted(security_ids & end_use_categories.keys())
    research = [p for p in parties if "university_research" in p.categories and p not in security]
    nexus: list[tuple[PartyRef | None, RegionHit]] = [(p.ref, h) for p in parties for h in p.regions]
    nexus += [(None, h) for h in regions_in_text(order.end_use, order.destination_country, policy)]
    delivery = delivery_countries(order, parties)
    located = delivery | {p.outcome.country for p in security if p.outcome.country}
    high_risk = sorted(c for c in located if c in policy.high_risk)

    who = _security_label(security, end_use_security, policy, end_use_categories)
    nexus_text = _nexus_label(*nexus[0]) if nexus else ""
    hr_text = "; ".join(f"{c}: {policy.high_risk[c].reason}" for c in high_risk)
    first_security = security[0].ref if security else None

    cs_items = [(item, ref) for item, ref in zip(items, refs, strict=True) if item.cyber_surveillance]
    for item, ref in cs_items:
        label = f"Cyber-surveillance item {item_label(ref)} ({item_categories(item)})"
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
    if cs_items and end_user_of(parties)[0] is None:
        skus = ", ".join(item_label(ref) for _, ref in cs_items)
        reasons.add(
            "missing_end_user",
            "review",
            f"The order has cyber-surveillance items ({skus}) but names no party that can be the end user"
            " (only intermediaries or distributors): name the end user",
            key=("order",),
            item=cs_items[0][1],
        )


def _nexus_label(party: PartyRef | None, hit: RegionHit) -> str:
    where = (
        "the stated end use" if party is None else f"{ROLE_LABELS.get(party.role, party.role).lower()} '{party.name}'"
    )
    return f"{hit.region.name} ('{hit.term}' in {where})"


def _security_label(
    security: list[PartyFacts], end_use: list[str], policy: Policy, end_use_categories: dict[str, list[str]]
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
