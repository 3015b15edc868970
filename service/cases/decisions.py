"""Deciding hits: a reviewer's decision on some hits of a case, and with four-eyes on, its approval.

`false_positive` creates a clearance per hit (service.screening.clearances, bound to the entry's
content hash), so later screenings of the party mark the match `cleared`; `true_match` confirms
the hit and leaves later screenings as they are (the party stays blocked); `escalate` and
`needs_information` keep the hit in the queue. A decision that takes a hit away from
`false_positive` revokes the clearance it had made.

With four-eyes on (`SCREENING_FOUR_EYES`), a `false_positive` or `true_match` is first a proposal
(event `decision.proposed`, hits `pending_approval`); it takes effect when a reviewer other than the
proposer approves it (`decision.approved`), or is withdrawn when one rejects it (`decision.rejected`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from service.auth import Forbidden
from service.cases.grouping import group_hits
from service.cases.states import (
    CLOSED_STATES,
    FOUR_EYES_ACTIONS,
    REASON_CODES,
    STATE_OF_ACTION,
    Action,
    case_status,
)
from service.cases.tables import CaseEvent, CaseHit, ReviewCase
from service.errors import Conflict, InvalidInput, NotFound
from service.screening.clearances import create_clearance, current_entry_hash, revoke_clearance
from service.screening.tables import Clearance
from service.timeutil import utc_now

Verdict = Literal["approve", "reject"]


@dataclass(slots=True, frozen=True)
class Decision:
    action: Action
    reason_code: str
    comment: str
    hit_ids: Sequence[int] | None = None  # these hits of the case
    group: int | None = None  # or every hit of this group; neither: every undecided hit


@dataclass(slots=True)
class DecisionOutcome:
    event_id: int
    status: Literal["applied", "pending_approval", "rejected"]
    hit_ids: list[int]
    clearances: list[Clearance] = field(default_factory=list)


def check_reason(action: str, reason_code: str) -> None:
    allowed = REASON_CODES.get(action, ())
    if reason_code not in allowed:
        raise InvalidInput(f"reason_code: '{reason_code}' does not go with '{action}'; use one of {', '.join(allowed)}")


def _load(session: Session, case_id: str) -> tuple[ReviewCase, list[CaseHit]]:
    case = session.get(ReviewCase, case_id)
    if case is None:
        raise NotFound(f"no case '{case_id}'")
    hits = list(
        session.execute(select(CaseHit).where(col(CaseHit.case_id) == case_id).order_by(col(CaseHit.id))).scalars()
    )
    return case, hits


def _targets(hits: list[CaseHit], decision: Decision) -> list[CaseHit]:
    if decision.hit_ids is not None and decision.group is not None:
        raise InvalidInput("hit_ids: give hit_ids or group, not both")
    if decision.hit_ids is not None:
        by_id = {hit.id: hit for hit in hits}
        unknown = [hit_id for hit_id in decision.hit_ids if hit_id not in by_id]
        if unknown or not decision.hit_ids:
            raise InvalidInput(f"hit_ids: {unknown or 'none given'} not hits of this case")
        return [by_id[hit_id] for hit_id in dict.fromkeys(decision.hit_ids)]
    if decision.group is not None:
        groups = group_hits([(int(hit.id or 0), hit.source, hit.link_keys) for hit in hits])
        chosen = [hit for hit in hits if groups[int(hit.id or 0)] == decision.group]
        if not chosen:
            raise InvalidInput(f"group: {decision.group} is not a group of this case")
        return chosen
    undecided = [hit for hit in hits if hit.state not in CLOSED_STATES and hit.state != "pending_approval"]
    if not undecided:
        raise Conflict("the case has no undecided hit; name the hits to decide again")
    return undecided


def decide(*, engine: Engine, case_id: str, actor: str, decision: Decision, four_eyes: bool) -> DecisionOutcome:
    """Record a decision on hits of a case; applied at once unless it needs a second reviewer."""
    check_reason(decision.action, decision.reason_code)
    with Session(engine, expire_on_commit=False) as session:
        case, hits = _load(session, case_id)
        targets = _targets(hits, decision)
        waiting = [hit.id for hit in targets if hit.state == "pending_approval"]
        if waiting:
            raise Conflict(f"hit(s) {waiting} await approval of an earlier decision; approve or reject it first")
        details: dict[str, str | int] = {
            "action": decision.action,
            "reason_code": decision.reason_code,
            "comment": decision.comment,
        }
        if not (four_eyes and decision.action in FOUR_EYES_ACTIONS):
            session.rollback()
            return _apply(
                engine, case_id=case_id, actor=actor, hit_ids=[int(h.id or 0) for h in targets], details=details
            )
        event = CaseEvent(
            case_id=case_id,
            actor=actor,
            action="decision.proposed",
            hit_ids=[int(hit.id or 0) for hit in targets],
            details=details,
        )
        session.add(event)
        session.flush()
        for hit in targets:
            hit.state, hit.pending_event_id = "pending_approval", event.id
            session.add(hit)
        _refresh(case, hits)
        session.add(case)
        session.commit()
        return DecisionOutcome(int(event.id or 0), "pending_approval", list(event.hit_ids))


def review_proposal(
    *, engine: Engine, case_id: str, actor: str, event_id: int, verdict: Verdict, comment: str
) -> DecisionOutcome:
    """A second reviewer approves (applies) or rejects (withdraws) a pending decision."""
    with Session(engine, expire_on_commit=False) as session:
        case, hits = _load(session, case_id)
        proposal = session.get(CaseEvent, event_id)
        if proposal is None or proposal.case_id != case_id or proposal.action != "decision.proposed":
            raise NotFound(f"no proposed decision {event_id} on case '{case_id}'")
        pending = [hit for hit in hits if hit.pending_event_id == event_id]
        if not pending:
            raise Conflict(f"decision {event_id} is no longer pending")
        if proposal.actor == actor:
            raise Forbidden(
                f"four-eyes: decision {event_id} was proposed by '{actor}'; a different reviewer must approve it"
            )
        if verdict == "approve":
            details = {
                **proposal.details,
                "proposal": event_id,
                "proposed_by": proposal.actor,
                "approval_comment": comment,
            }
            session.rollback()
            return _apply(
                engine,
                case_id=case_id,
                actor=actor,
                hit_ids=[int(h.id or 0) for h in pending],
                details=details,
                action="decision.approved",
            )
        event = CaseEvent(
            case_id=case_id,
            actor=actor,
            action="decision.rejected",
            hit_ids=[int(hit.id or 0) for hit in pending],
            details={"proposal": event_id, "proposed_by": proposal.actor, "comment": comment},
        )
        session.add(event)
        session.flush()
        for hit in pending:
            hit.state, hit.pending_event_id = "open", None
            session.add(hit)
        _refresh(case, hits)
        session.add(case)
        session.commit()
        return DecisionOutcome(int(event.id or 0), "rejected", list(event.hit_ids))


def _apply(
    engine: Engine,
    *,
    case_id: str,
    actor: str,
    hit_ids: list[int],
    details: dict[str, str | int],
    action: str = "decision",
) -> DecisionOutcome:
    """Make the decision take effect on these hits: clearances first, then the case and its event."""
    decided = str(details["action"])
    with Session(engine, expire_on_commit=False) as session:
        case, hits = _load(session, case_id)
        targets = [hit for hit in hits if hit.id in set(hit_ids)]
        if decided == "false_positive":
            for hit in targets:
                _check_entry_unchanged(session, hit)
    clearances: list[Clearance] = []
    for hit in targets:
        if decided == "false_positive" and hit.clearance_id is None:
            clearance = create_clearance(
                engine=engine,
                actor=actor,
                source=hit.source,
                entity_id=hit.entity_id,
                reason=f"{details['reason_code']}: {details['comment']} (case {case_id})",
                reference=case.reference,
                name=None if case.reference else case.name,
                country=case.country,
                expires_at=None,
            )
            hit.clearance_id = clearance.id
            clearances.append(clearance)
        elif decided != "false_positive" and hit.clearance_id is not None:
            try:
                revoke_clearance(engine=engine, actor=actor, clearance_id=hit.clearance_id)
            except NotFound:
                pass  # revoked already (DELETE /v1/clearances): nothing left to undo
            hit.clearance_id = None
    with Session(engine, expire_on_commit=False) as session:
        event = CaseEvent(case_id=case_id, actor=actor, action=action, hit_ids=hit_ids, details=details)
        session.add(event)
        session.flush()
        for hit in targets:
            hit.state, hit.pending_event_id = STATE_OF_ACTION[decided], None
            session.add(hit)
        _refresh(case, hits)
        session.add(case)
        session.commit()
        return DecisionOutcome(int(event.id or 0), "applied", hit_ids, clearances)


def _check_entry_unchanged(session: Session, hit: CaseHit) -> None:
    """A clearance binds to the entry's content now: refuse when that is not the content screened."""
    try:
        current = current_entry_hash(session, hit.source, hit.entity_id)
    except NotFound:
        raise Conflict(f"hit {hit.id}: {hit.source} {hit.entity_id} is no longer listed; nothing to clear") from None
    if current != hit.entry_hash:
        raise Conflict(f"hit {hit.id}: the entry changed since it was screened; screen the party again and decide then")


def _refresh(case: ReviewCase, hits: list[CaseHit]) -> None:
    status = case_status(hit.state for hit in hits)
    now = utc_now()
    if case.status == "closed" and status != "closed":
        case.opened_at = now
    case.status, case.updated_at = status, now


def assign(*, engine: Engine, case_id: str, actor: str, assignee: str | None) -> None:
    with Session(engine) as session:
        case = session.get(ReviewCase, case_id)
        if case is None:
            raise NotFound(f"no case '{case_id}'")
        previous = case.assignee
        case.assignee, case.updated_at = assignee, utc_now()
        session.add(case)
        session.add(
            CaseEvent(
                case_id=case_id, actor=actor, action="assigned", details={"assignee": assignee, "previous": previous}
            )
        )
        session.commit()
