"""The review vocabulary: hit states, case statuses, decision actions and their reason codes.

A hit is `open` until a reviewer decides it. `false_positive` and `true_match` close it (with
four-eyes on, they first wait in `pending_approval` for a second reviewer); `escalated` and
`needs_information` keep it in the queue. A case's status is the most urgent state among its hits:

    open > escalated > needs_information > pending_approval > closed
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

HitState = Literal["open", "escalated", "needs_information", "pending_approval", "false_positive", "true_match"]
CaseStatus = Literal["open", "escalated", "needs_information", "pending_approval", "closed"]
CASE_STATUSES: tuple[CaseStatus, ...] = ("open", "escalated", "needs_information", "pending_approval", "closed")
CLOSED_STATES = frozenset({"false_positive", "true_match"})

Action = Literal["false_positive", "true_match", "escalate", "needs_information"]
# The actions that change what later screenings decide: with four-eyes on, a second reviewer approves them.
FOUR_EYES_ACTIONS = frozenset({"false_positive", "true_match"})
STATE_OF_ACTION: dict[str, HitState] = {
    "false_positive": "false_positive",
    "true_match": "true_match",
    "escalate": "escalated",
    "needs_information": "needs_information",
}

# Why a reviewer decided as they did, a fixed list so that decisions can be counted and audited;
# the comment says the rest. `other` goes with every action (its comment then carries the reason).
REASON_CODES: dict[str, tuple[str, ...]] = {
    "false_positive": (
        "different_date_of_birth",
        "different_nationality",
        "different_identifier",
        "different_entity_type",
        "different_location",
        "name_only_similarity",
        "other",
    ),
    "true_match": ("confirmed_identity", "confirmed_by_documents", "confirmed_by_ownership", "other"),
    "escalate": ("potential_match_unresolved", "senior_review_required", "legal_review_required", "other"),
    "needs_information": (
        "missing_date_of_birth",
        "missing_identifier",
        "missing_address",
        "missing_ownership",
        "other",
    ),
}
ReasonCode = Literal[
    "different_date_of_birth",
    "different_nationality",
    "different_identifier",
    "different_entity_type",
    "different_location",
    "name_only_similarity",
    "confirmed_identity",
    "confirmed_by_documents",
    "confirmed_by_ownership",
    "potential_match_unresolved",
    "senior_review_required",
    "legal_review_required",
    "missing_date_of_birth",
    "missing_identifier",
    "missing_address",
    "missing_ownership",
    "other",
]

_URGENCY: tuple[CaseStatus, ...] = ("open", "escalated", "needs_information", "pending_approval")


def case_status(states: Iterable[str]) -> CaseStatus:
    """The most urgent of the hits' states; `closed` when every hit is decided (or there is none)."""
    present = set(states)
    for status in _URGENCY:
        if status in present:
            return status
    return "closed"
