"""What goes into and comes out of the order rules: party outcomes, reasons, the evaluation.

Plain slotted dataclasses (the rules are pure); schemas.py maps them to the API models. The
Protocols say what the rules read of an order, so schemas.OrderRequest fits without the rules
importing pydantic models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from service.decisions import Decision

ReasonDecision = Literal["review", "block"]


class ItemLike(Protocol):
    @property
    def sku(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def eccn(self) -> str | None: ...
    @property
    def eu_dual_use(self) -> str | None: ...
    @property
    def categories(self) -> Sequence[str]: ...


class OrderLike(Protocol):
    """What the rules read of an order (schemas.OrderRequest satisfies it)."""

    @property
    def destination_country(self) -> str | None: ...
    @property
    def items(self) -> Sequence[ItemLike]: ...
    @property
    def end_use(self) -> str | None: ...


class PartyLike(Protocol):
    @property
    def role(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def country(self) -> str | None: ...
    @property
    def address(self) -> str | None: ...


@dataclass(slots=True, frozen=True)
class MatchedListing:
    """One list entry a party matched (not cleared), as the screening service reported it."""

    source: str
    entity_id: str
    name: str
    score: float
    decision: ReasonDecision
    programs: tuple[str, ...] = ()


@dataclass(slots=True)
class PartyOutcome:
    """One order party after list screening; `index` is its position in the request's parties."""

    index: int
    role: str
    name: str
    country: str | None
    address: str | None
    decision: Decision
    matches: list[MatchedListing] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class PartyRef:
    index: int
    role: str
    name: str


@dataclass(slots=True, frozen=True)
class ItemRef:
    index: int
    sku: str | None


@dataclass(slots=True, frozen=True)
class Reason:
    code: str
    decision: ReasonDecision
    message: str
    rule: str
    legal_basis: str
    party: PartyRef | None = None
    item: ItemRef | None = None


@dataclass(slots=True, frozen=True)
class OrderEvaluation:
    decision: Decision
    reasons: tuple[Reason, ...]
    policy_version: str
    end_user: PartyRef | None = None
    end_user_presumed: bool = False

    def codes(self) -> list[str]:
        return sorted({r.code for r in self.reasons})


def unscreened_outcomes(parties: Sequence[PartyLike]) -> list[PartyOutcome]:
    """Party outcomes with no list matches: for callers (and tests) evaluating the policy alone."""
    return [
        PartyOutcome(index=i, role=p.role, name=p.name, country=p.country, address=p.address, decision="clear")
        for i, p in enumerate(parties)
    ]
