"""The served OpenAPI document: tag descriptions, examples as the models give them, and the limits a deployment
sets stated as the server enforces them.

A request field whose limit is a setting (a name's length, a batch's size) carries `x-setting` in its
schema (`service.screening.schemas.setting_limit`). Here that setting's value, from the app's own
`Settings`, replaces the model's ceiling: a deployment with `SCREENING_MAX_BATCH=200` serves
`maxItems: 200`, so what the schema allows is what the server accepts.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from service.config import Settings

OPENAPI_TAGS: list[dict[str, str]] = [
    {
        "name": "screening",
        "description": "Screen one party or a batch against the loaded watchlists; read the audit trail of past "
        "screenings.",
    },
    {
        "name": "orders",
        "description": "Screen a whole sales order (parties, items, destination, end use) against the export "
        "policy; read the policy and the acts it cites.",
    },
    {
        "name": "clearances",
        "description": "Reviewed false positives: a clearance marks a listed entry `cleared` for a party in later "
        "screenings (scope admin to create or revoke).",
    },
    {
        "name": "monitoring",
        "description": "Keep parties under ongoing screening: alerts when a list change changes their outcome, "
        "delivered by webhook.",
    },
    {
        "name": "cases",
        "description": "Review cases: every screening that is not `clear` opens its party's case; reviewers "
        "(scope review) decide its hits, with optional four-eyes approval, and export the decisions.",
    },
    {"name": "lists", "description": "The watchlists: status and age, list entries, change reports, refresh."},
    {"name": "health", "description": "Liveness (`/healthz`) and readiness (`/readyz`) probes; no key needed."},
]


def _setting_value(settings: Settings, setting: str) -> int:
    field = setting.removeprefix("SCREENING_").lower()
    value = getattr(settings, field)
    if not isinstance(value, int):
        raise TypeError(f"{setting} is not an integer setting")
    return value


def apply_setting_limits(document: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """Set `maxLength`/`maxItems` of every `x-setting` property to the setting's value (in place)."""
    for schema in document.get("components", {}).get("schemas", {}).values():
        for prop in schema.get("properties", {}).values():
            setting = prop.get("x-setting")
            if setting is None:
                continue
            limit = _setting_value(settings, setting)
            key = "maxItems" if prop.get("type") == "array" else "maxLength"
            # The model's own ceiling still applies where it is the lower of the two.
            prop[key] = min(limit, prop.get(key, limit))
    return document


def _service_models() -> dict[str, type[BaseModel]]:
    """The service's pydantic models by class name; a name two models share is left out (ambiguous)."""
    found: dict[str, type[BaseModel]] = {}
    shared: set[str] = set()
    pending = list(BaseModel.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if not model.__module__.startswith("service."):
            continue
        if model.__name__ in found and found[model.__name__] is not model:
            shared.add(model.__name__)
        found[model.__name__] = model
    return {name: model for name, model in found.items() if name not in shared}


def restore_examples(document: dict[str, Any]) -> dict[str, Any]:
    """Put the models' own examples back (in place): FastAPI drops every null from the document it builds,
    so an example's `"published_at": null` would go and the example would lack a required field."""
    models = _service_models()
    for name, schema in document.get("components", {}).get("schemas", {}).items():
        model = models.get(name)
        extra = model.model_config.get("json_schema_extra") if model is not None else None
        if isinstance(extra, dict) and "examples" in extra:
            schema["examples"] = copy.deepcopy(extra["examples"])
    return document


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """Serve the document with the limits of `settings` (built once, on first request, like FastAPI's own)."""
    generate: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = apply_setting_limits(restore_examples(generate()), settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the document
