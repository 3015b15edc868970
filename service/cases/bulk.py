"""One decision, with one reason, over many cases: those a queue filter selects, or named ones.

Each case is decided in its own transaction, as POST /v1/cases/{id}/decisions would: a case that
cannot take the decision (nothing undecided, a hit awaiting approval, an entry changed) is reported
as skipped and the others go on. With a `source` filter only that list's hits are decided.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlmodel import Session, col

from service.cases.decisions import Decision, DecisionOutcome, check_reason, decide
from service.cases.queries import CaseFilter, case_ids
from service.cases.states import CLOSED_STATES, Action
from service.cases.tables import CaseHit
from service.errors import ScreeningError
from service.screening.tables import Clearance


@dataclass(slots=True)
class BulkOutcome:
    decided: list[str] = field(default_factory=list)
    hits: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    clearances: list[Clearance] = field(default_factory=list)
    pending: bool = False
    more: bool = False


def _undecided(session: Session, case_id: str, source: str | None) -> list[int]:
    statement = select(col(CaseHit.id), col(CaseHit.source), col(CaseHit.state)).where(col(CaseHit.case_id) == case_id)
    return [
        int(hit_id)
        for hit_id, hit_source, state in session.execute(statement)
        if state not in CLOSED_STATES and state != "pending_approval" and source in (None, hit_source)
    ]


def bulk_decide(
    *,
    engine: Engine,
    actor: str,
    filters: CaseFilter,
    chosen: list[str] | None,
    action: Action,
    reason_code: str,
    comment: str,
    limit: int,
    four_eyes: bool,
) -> BulkOutcome:
    check_reason(action, reason_code)
    outcome = BulkOutcome()
    with Session(engine) as session:
        ids = list(dict.fromkeys(chosen)) if chosen is not None else case_ids(session, filters, limit + 1)
        outcome.more = len(ids) > limit
        targets = {case_id: _undecided(session, case_id, filters.source) for case_id in ids[:limit]}
    for case_id, hit_ids in targets.items():
        if not hit_ids:
            outcome.skipped.append(
                (case_id, "no undecided hit" if chosen is None else "no such case, or nothing undecided")
            )
            continue
        decision = Decision(action=action, reason_code=reason_code, comment=comment, hit_ids=hit_ids)
        try:
            result: DecisionOutcome = decide(
                engine=engine, case_id=case_id, actor=actor, decision=decision, four_eyes=four_eyes
            )
        except ScreeningError as error:  # this case cannot take it; the others still can
            outcome.skipped.append((case_id, error.detail))
            continue
        outcome.decided.append(case_id)
        outcome.hits += len(result.hit_ids)
        outcome.clearances.extend(result.clearances)
        outcome.pending = result.status == "pending_approval"
    return outcome
