"""Request and response models of the screening endpoints (the API edge; pydantic only here)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator, model_validator

from service.countries import to_iso_country
from service.decisions import Decision
from service.sources.model import BirthDate
from service.timeutil import utc_now

HARD_MAX_NAME = 1000  # before cleaning; the served schema states SCREENING_MAX_NAME_LENGTH (service/openapi.py)
MAX_IDENTIFIERS = 20
MAX_COUNTRY_TEXT = 100  # the longest country name the lists use is about 50 characters
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

PartyType = Literal["person", "organization", "vessel", "aircraft", "any"]


def parse_birth_date(value: str) -> BirthDate:
    """YYYY, YYYY-MM or YYYY-MM-DD, checked as a real calendar date."""
    match = _DATE.match(value.strip())
    if not match:
        raise ValueError("use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError as error:
        raise ValueError(f"not a calendar date: {error}") from None
    if not 1800 <= int(year) <= utc_now().year:
        raise ValueError(f"year {year} is out of range")
    precision: Literal["year", "month", "day"] = "day" if day else "month" if month else "year"
    return BirthDate(value.strip(), precision)


def clean_text(value: str) -> str:
    """NFC, control characters removed, whitespace collapsed."""
    value = unicodedata.normalize("NFC", value)
    value = "".join(ch for ch in value if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    return " ".join(value.split())


# Limits that a deployment sets (Settings) rather than the model: the served OpenAPI document states the
# setting's value in place of the model's ceiling (service/openapi.py), so schema and server agree.
def setting_limit(setting: str) -> dict[str, JsonValue]:
    return {"x-setting": setting}


class IdentifierIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"type": "passport", "value": "C1234567", "country": "DE"}]},
    )

    type: str = Field("", max_length=100, description="Passport, national id, registration number, IMO ...")
    value: str = Field(..., min_length=1, max_length=100)
    country: str | None = Field(None, max_length=MAX_COUNTRY_TEXT, description="ISO alpha-2 or country name")

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return validate_country(value)


def validate_country(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    code = to_iso_country(value)
    if code is None:
        raise ValueError(f"unknown country '{value[:60]}'; use an ISO 3166 alpha-2 code such as 'DE' or a name")
    return code


class PartyFields(BaseModel):
    """Who a party is: the fields screening and monitoring share, validated the same way."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(
        ...,
        min_length=1,
        max_length=HARD_MAX_NAME,
        description="The party's name, any script.",
        json_schema_extra=setting_limit("SCREENING_MAX_NAME_LENGTH"),
    )
    type: PartyType = "any"
    country: str | None = Field(None, max_length=MAX_COUNTRY_TEXT, description="ISO 3166 alpha-2 code or country name")
    date_of_birth: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD", examples=["1962-11-23"])
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=MAX_IDENTIFIERS)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        cleaned = clean_text(value)
        if not cleaned:
            raise ValueError("the name is empty")
        return cleaned

    @field_validator("country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return validate_country(value)

    @field_validator("date_of_birth")
    @classmethod
    def _dob(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return parse_birth_date(value).value


class PartyIn(PartyFields):
    """A party to screen: a customer, consignee, end user ..."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "Nicolas Maduro Moros", "type": "person", "country": "VE", "date_of_birth": "1962-11-23"}
            ]
        },
    )

    address: str | None = Field(None, max_length=1000)
    sources: list[Annotated[str, Field(max_length=64)]] | None = Field(
        None, max_length=50, description="Only screen against these source ids."
    )
    threshold: float | None = Field(None, ge=0.0, le=1.0, description="Lowest score reported; default from settings")
    limit: int | None = Field(None, ge=1, le=100, description="Most matches returned")
    reference: str | None = Field(None, max_length=200, description="The caller's own id for the party")
    monitor: bool = Field(False, description="Also keep the party under monitoring (needs `reference`)")

    @model_validator(mode="after")
    def _monitor_needs_reference(self) -> PartyIn:
        # Cleaned as monitoring will clean it: a reference of invisible characters only identifies nobody.
        if self.monitor and not clean_text(self.reference or ""):
            raise ValueError("reference: required when monitor is true (it identifies the monitored party)")
        return self

    @field_validator("address")
    @classmethod
    def _address(cls, value: str | None) -> str | None:
        return clean_text(value) or None if value is not None else None


# Examples, shared by the models that nest them: one screening of a listed person, end to end.
EXPLANATION_EXAMPLE: dict[str, Any] = {
    "feature": "name_tokens",
    "score": 1.0,
    "detail": "all name parts agree: nicolas, maduro, moros",
}
MATCH_EXAMPLE: dict[str, Any] = {
    "source": "us_ofac_sdn",
    "entity_id": "22790",
    "name": "MADURO MOROS, Nicolas",
    "matched_name": "MADURO MOROS, Nicolas",
    "type": "person",
    "score": 0.99,
    "decision": "block",
    "programs": ["VENEZUELA"],
    "countries": ["VE"],
    "explanation": [EXPLANATION_EXAMPLE],
    "cleared": False,
}
LIST_VERSION_EXAMPLE: dict[str, Any] = {
    "source": "us_ofac_sdn",
    "version": 3,
    "published_at": None,
    "fetched_at": "2026-11-24T06:15:00Z",
}
SCREEN_EXAMPLE: dict[str, Any] = {
    "screening_id": "5f0c3a52-8a5e-4f55-9d53-2f1f8f3b9a10",
    "decision": "block",
    "screened_at": "2026-11-24T12:00:00Z",
    "reference": "CUST-1001",
    "matches": [MATCH_EXAMPLE],
    "lists": [LIST_VERSION_EXAMPLE],
}
ITEM_ERROR_EXAMPLE: dict[str, Any] = {"detail": "name: the name is empty", "code": "invalid_input"}


class ExplanationOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXPLANATION_EXAMPLE]})

    feature: str = Field(..., description="name_tokens, phonetic, birth_date, country, type, identifier ...")
    score: float
    detail: str = Field(..., description="What matched and how, in words")


class MatchOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MATCH_EXAMPLE]})

    source: str
    entity_id: str
    name: str = Field(..., description="The listed party's primary name")
    matched_name: str = Field(..., description="The listed name or alias that matched")
    type: str
    score: float = Field(..., ge=0.0, le=1.0)
    decision: Literal["block", "review"]
    programs: list[str]
    countries: list[str]
    explanation: list[ExplanationOut]
    cleared: bool = Field(False, description="A clearance says this party is not this listed entry")


class ListVersionRef(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [LIST_VERSION_EXAMPLE]})

    source: str
    version: int
    published_at: datetime | None
    fetched_at: datetime


class ScreenResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [SCREEN_EXAMPLE]})

    screening_id: str
    decision: Decision
    screened_at: datetime
    reference: str | None = None
    matches: list[MatchOut]
    lists: list[ListVersionRef]


class BatchRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"parties": [{"name": "Nicolas Maduro Moros", "reference": "C-1"}, {"name": "Hans Müller"}]}]
        },
    )

    parties: list[Any] = Field(
        ...,
        min_length=1,
        description="Party objects as for POST /v1/screen; each is validated on its own. At most"
        " SCREENING_MAX_BATCH parties and SCREENING_MAX_BATCH_NAME_PARTS words in all their names (413 beyond).",
        json_schema_extra={"items": {"$ref": "#/components/schemas/PartyIn"}, **setting_limit("SCREENING_MAX_BATCH")},
    )


class ItemErrorOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ITEM_ERROR_EXAMPLE]})

    detail: str
    code: str


class BatchItemError(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"index": 1, "error": ITEM_ERROR_EXAMPLE}]})

    index: int = Field(..., description="Position of the party in the request")
    error: ItemErrorOut


class BatchResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "batch_id": "0b7e2d8c-3c1e-4a57-9a43-6f3f1b2d9e01",
                    "results": [SCREEN_EXAMPLE, {"index": 1, "error": ITEM_ERROR_EXAMPLE}],
                }
            ]
        }
    )

    batch_id: str
    results: list[ScreenResponse | BatchItemError] = Field(..., description="One per party, in request order")


# base64 of "created_at|screening_id" of the last record on the page
CURSOR_EXAMPLE = "MjAyNi0xMS0yNFQxMjowMDowMCswMDowMHw1ZjBjM2E1Mi04YTVlLTRmNTUtOWQ1My0yZjFmOGYzYjlhMTA="
RECORD_EXAMPLE: dict[str, Any] = {
    "screening_id": SCREEN_EXAMPLE["screening_id"],
    "created_at": "2026-11-24T12:00:00Z",
    "kind": "single",
    "caller": "erp-prod",
    "reference": "CUST-1001",
    "decision": "block",
    "batch_id": None,
    "request": {"name": "Nicolas Maduro Moros", "type": "person", "country": "VE", "reference": "CUST-1001"},
    "response": SCREEN_EXAMPLE,
    "lists": [LIST_VERSION_EXAMPLE],
}


class ScreeningRecordOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [RECORD_EXAMPLE]})

    screening_id: str
    created_at: datetime
    kind: str = Field(..., description="single | batch | order | rescreen")
    caller: str
    reference: str | None
    decision: Decision
    batch_id: str | None
    request: dict[str, Any] = Field(..., description="What the caller sent")
    response: dict[str, Any] = Field(..., description="What the caller received")
    lists: list[dict[str, Any]] = Field(..., description="The list versions screened against")


class ScreeningPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [RECORD_EXAMPLE],
                    "next_cursor": CURSOR_EXAMPLE,
                }
            ]
        }
    )

    items: list[ScreeningRecordOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last")
