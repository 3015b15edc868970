"""Order screening: every party against the lists, the order against the policy in lists/policy."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request

from service.api_errors import POST_BODY, error_responses
from service.auth import PrincipalDep
from service.deps import ScreeningContextDep
from service.metrics import get_metrics
from service.orders.rules import evaluate_order
from service.orders.schemas import OrderRequest, OrderResponse, PolicyOut, party_outcome, party_summary
from service.orders.store import PolicyStore
from service.screening.audit import order_record_row
from service.screening.workflow import screen_order_parties
from service.timeutil import utc_now

router = APIRouter(prefix="/v1", tags=["orders"])


def _policy_store(request: Request) -> PolicyStore:
    store: PolicyStore = request.app.state.policy_store
    return store


@router.post("/orders/screen", responses=error_responses(*POST_BODY, 401, 403, 503))
def screen_order(order: OrderRequest, request: Request, context: ScreeningContextDep) -> OrderResponse:
    """Screen an order before it is confirmed: its parties, destination, items and end use.

    Rules combine and the strictest wins; every rule that applied is a reason with a stable
    `code`, the party or item it concerns, a plain-language message and its legal basis.
    """
    policy = _policy_store(request).get()
    screenings = screen_order_parties(context, list(order.parties))
    outcomes = [
        party_outcome(index, party, result)
        for index, (party, result) in enumerate(zip(order.parties, screenings, strict=True))
    ]
    evaluation = evaluate_order(order, outcomes, policy)
    response = OrderResponse.of(
        evaluation,
        [party_summary(party, result) for party, result in zip(order.parties, screenings, strict=True)],
        reference=order.reference,
    )
    response.screening_id = str(uuid.uuid4())
    response.screened_at = utc_now()
    response.lists = screenings[0].lists if screenings else []
    payload = response.model_dump(mode="json")
    context.store(
        [
            order_record_row(
                caller=context.caller,
                request=order.model_dump(mode="json", exclude_none=True),
                response=payload,
                lists=payload["lists"],
            )
        ]
    )
    get_metrics().record_screening("order", response.decision)
    request.state.screening_id = response.screening_id
    return response


@router.get("/policy", responses=error_responses(401, 503))
def get_policy(request: Request, _caller: PrincipalDep) -> PolicyOut:
    """The order-screening policy in force: its version, rules, destinations, categories and cited sources."""
    return PolicyOut.of(_policy_store(request).get())
