"""Order screening: every party against the lists, the order against the policy in lists/policy."""

from __future__ import annotations

from fastapi import APIRouter, Request

from service.api_errors import POST_BODY, error_responses
from service.auth import PrincipalDep
from service.deps import PolicyStoreDep, ScreeningContextDep
from service.orders.policy_schemas import PolicyOut
from service.orders.schemas import OrderRequest, OrderResponse
from service.orders.screening import screen_and_record_order

router = APIRouter(prefix="/v1", tags=["orders"])


@router.post("/orders/screen", responses=error_responses(*POST_BODY, 401, 403, 503))
def screen_order(
    order: OrderRequest, request: Request, context: ScreeningContextDep, policies: PolicyStoreDep
) -> OrderResponse:
    """Screen an order before it is confirmed: its parties, destination, items and end use.

    Rules combine and the strictest wins; every rule that applied is a reason with a stable
    `code`, the party or item it concerns, a plain-language message and its legal basis.
    """
    response = screen_and_record_order(context, policies.get(), order)
    request.state.screening_id = response.screening_id
    return response


@router.get("/policy", responses=error_responses(401, 503))
def get_policy(policies: PolicyStoreDep, _caller: PrincipalDep) -> PolicyOut:
    """The order-screening policy in force: its version, rules, destinations, categories and cited sources."""
    return PolicyOut.of(policies.get())
