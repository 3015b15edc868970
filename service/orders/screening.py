"""Screen an order and record it: what the API route and the order desk page both run."""

from __future__ import annotations

from service.ids import uuid4_text
from service.orders.policy import Policy
from service.orders.rules import evaluate_order
from service.orders.schemas import OrderRequest, OrderResponse, party_outcome, party_summary
from service.screening.audit import order_record_row
from service.screening.pipeline import ScreeningContext, screen_order_parties
from service.timeutil import utc_now


def screen_and_record_order(context: ScreeningContext, policy: Policy, order: OrderRequest) -> OrderResponse:
    """Every party against the lists, the order against the policy; the answer is in the audit trail."""
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
    response.screening_id = uuid4_text()
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
    context.metrics.record_screening("order", response.decision)
    return response
