"""The three answers of a screening, in the order of their strictness: clear < review < block.

One definition for screening, orders, monitoring and metrics: a decision is never ranked twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

Decision = Literal["clear", "review", "block"]
DECISIONS: tuple[Decision, ...] = ("clear", "review", "block")
_RANK: dict[str, int] = {decision: rank for rank, decision in enumerate(DECISIONS)}


def rank(decision: str) -> int:
    """How strict a decision is (0 for clear); a stored value that is no decision ranks as clear."""
    return _RANK.get(decision, 0)


def as_decision(value: str) -> Decision:
    """A stored or computed string as a Decision; anything that is no decision reads as `clear`."""
    if value == "block":
        return "block"
    return "review" if value == "review" else "clear"


def strictest(decisions: Iterable[str]) -> Decision:
    """The strictest of several decisions; `clear` when there is none."""
    return as_decision(max(decisions, key=rank, default="clear"))
