"""Request and response models of the screening endpoints (the API edge; pydantic only here)."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from service.countries import to_iso_country
from service.decisions import Decision
from service.sources.model import BirthDate
from service.timeutil import utc_now

HARD_MAX_NAME = 1000
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


class IdentifierIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: str = Field("", max_length=100, description="Passport, national id, registration number, IMO ...")
    value: str = Field(..., min_length=1, max_length=100)
    country: str | None = Field(None, description="ISO alpha-2 or country name")

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

    name: str = Field(..., min_length=1, max_length=HARD_MAX_NAME, description="The party's name, any script.")
    type: PartyType = "any"
    country: str | None = Field(None, description="ISO 3166 alpha-2 code or country name")
    date_of_birth: str | None = Field(None, description="YYYY, YYYY-MM or YYYY-MM-DD", examples=["1962-11-23"])
    identifiers: list[IdentifierIn] = Field(default_factory=list, max_length=20)

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
    sources: list[str] | None = Field(None, max_length=50, description="Only screen against these source ids.")
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


class ExplanationOut(BaseModel):
    feature: str = Field(..., description="name_tokens, phonetic, birth_date, country, type, identifier ...")
    score: float
    detail: str = Field(..., description="What matched and how, in words")


class MatchOut(BaseModel):
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
    source: str
    version: int
    published_at: datetime | None
    fetched_at: datetime


class ScreenResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "screening_id": "5f0c3a52-8a5e-4f55-9d53-2f1f8f3b9a10",
                    "decision": "block",
                    "screened_at": "2026-11-24T12:00:00Z",
                    "reference": "CUST-1001",
                    "matches": [
                        {
                            "source": "us_ofac_sdn",
                            "entity_id": "22790",
                            "name": "MADURO MOROS, Nicolas",
                            "matched_name": "MADURO MOROS, Nicolas",
                            "type": "person",
                            "score": 0.99,
                            "decision": "block",
                            "programs": ["VENEZUELA"],
                            "countries": ["VE"],
                            "explanation": [{"feature": "name", "score": 1.0, "detail": "all name parts agree"}],
                            "cleared": False,
                        }
                    ],
                    "lists": [
                        {
                            "source": "us_ofac_sdn",
                            "version": 3,
                            "published_at": None,
                            "fetched_at": "2026-11-24T06:15:00Z",
                        }
                    ],
                }
            ]
        }
    )

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
        description="Party objects as for POST /v1/screen; each is validated on its own",
        json_schema_extra={"items": {"$ref": "#/components/schemas/PartyIn"}},
    )


class ItemErrorOut(BaseModel):
    detail: str
    code: str


class BatchItemError(BaseModel):
    index: int = Field(..., description="Position of the party in the request")
    error: ItemErrorOut


class BatchResponse(BaseModel):
    batch_id: str
    results: list[ScreenResponse | BatchItemError] = Field(..., description="One per party, in request order")


class ScreeningRecordOut(BaseModel):
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
    items: list[ScreeningRecordOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page; null on the last")
