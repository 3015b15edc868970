"""Request and response models of POST /v1/orders/screen (DESIGN.md section 4; the API edge).

Strict where a wrong value is a broken integration (role, quantity, no parties: 422 naming the
field) and lenient where the vocabulary grows: an unknown item category or control code is
accepted here and becomes an `unknown_category` review reason, never a 422.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.countries import to_iso_country
from service.decisions import Decision, strictest
from service.orders.outcomes import MatchedListing, OrderEvaluation, PartyOutcome, Reason
from service.screening.schemas import (
    LIST_VERSION_EXAMPLE,
    MAX_COUNTRY_TEXT,
    ListVersionRef,
    PartyIn,
    ScreenResponse,
    clean_text,
)

PARTY_REF_EXAMPLE: dict[str, Any] = {"index": 1, "role": "end_user", "name": "上海市公安局"}
END_USER_EXAMPLE: dict[str, Any] = {"index": 1, "role": "end_user", "name": "上海市公安局", "presumed": False}
ITEM_REF_EXAMPLE: dict[str, Any] = {"index": 0, "sku": "FR-200"}
REASON_EXAMPLE: dict[str, Any] = {
    "code": "human_rights_risk",
    "decision": "block",
    "party": PARTY_REF_EXAMPLE,
    "item": ITEM_REF_EXAMPLE,
    "message": "Facial recognition for a public security bureau in China: EU Regulation 2021/821, Article 5.",
    "rule": "cyber_surveillance_to_security_end_user",
    "legal_basis": "Regulation (EU) 2021/821, Article 5",
}
MATCH_SUMMARY_EXAMPLE: dict[str, Any] = {
    "source": "us_trade_csl",
    "entity_id": "a1b2c3d4e5",
    "name": "Shanghai Municipal Public Security Bureau",
    "score": 0.93,
    "decision": "review",
    "programs": ["EAR"],
}
PARTY_SUMMARY_EXAMPLE: dict[str, Any] = {
    "role": "end_user",
    "name": "上海市公安局",
    "decision": "review",
    "screening_id": "7d1e5b0a-2f4c-4e8a-b6d3-9c0f1a2b3c4d",
    "matches": [MATCH_SUMMARY_EXAMPLE],
}

PartyRole = Literal["sold_to", "ship_to", "end_user", "consignee", "intermediary"]


class OrderPartyIn(PartyIn):
    """A party of the order: the screening party fields plus its role in the order."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"role": "end_user", "name": "上海市公安局", "country": "CN", "address": "上海市黄浦区福州路185号"}
            ]
        },
    )

    role: PartyRole = Field(..., description="sold_to | ship_to | end_user | consignee | intermediary")


class OrderItemIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "sku": "FR-200",
                    "description": "Facial recognition server",
                    "quantity": 2,
                    "eccn": "5A992.c",
                    "categories": ["facial_recognition"],
                }
            ]
        },
    )

    sku: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=2000, description="Free text; classified by keywords")
    quantity: float = Field(..., gt=0, le=1e12)
    eccn: str | None = Field(None, max_length=50, description="US ECCN such as 5A001.j, or EAR99")
    eu_dual_use: str | None = Field(None, max_length=50, description="EU Annex I entry such as 5A001.j")
    categories: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list,
        max_length=20,
        description="facial_recognition, emotion_recognition, biometric_identification, video_surveillance, "
        "network_camera, imsi_catcher, lawful_interception, monitoring_centre, intrusion_software, "
        "deep_packet_inspection, mobile_forensics, general. Unknown values become a review reason.",
    )

    @field_validator("categories")
    @classmethod
    def _categories(cls, values: list[str]) -> list[str]:
        return [clean_text(v) for v in values if clean_text(v)]

    @field_validator("sku", "description", "eccn", "eu_dual_use")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return clean_text(value) or None if value is not None else None


class OrderRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reference": "SO-2020-0815",
                    "destination_country": "CN",
                    "parties": [
                        {"role": "sold_to", "name": "Shanghai Surveillance Integration Co., Ltd.", "country": "CN"},
                        {
                            "role": "end_user",
                            "name": "上海市公安局",
                            "country": "CN",
                            "address": "上海市黄浦区福州路185号",
                        },
                    ],
                    "items": [
                        {
                            "sku": "FR-200",
                            "description": "Facial recognition server",
                            "quantity": 2,
                            "categories": ["facial_recognition"],
                        }
                    ],
                    "end_use": "City-wide face search",
                }
            ]
        },
    )

    reference: str | None = Field(None, max_length=200, description="The ERP's order id")
    destination_country: str | None = Field(
        None, max_length=MAX_COUNTRY_TEXT, description="ISO 3166 alpha-2 code or country name"
    )
    parties: list[OrderPartyIn] = Field(..., min_length=1, max_length=50)
    items: list[OrderItemIn] = Field(default_factory=list, max_length=500)
    end_use: str | None = Field(None, max_length=2000, description="The stated end use, free text")

    @field_validator("destination_country")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        code = to_iso_country(value)
        if code is None:
            raise ValueError(f"unknown country '{value[:60]}'; use an ISO 3166 alpha-2 code such as 'DE' or a name")
        return code

    @field_validator("end_use", "reference")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return clean_text(value) or None if value is not None else None


class PartyRefOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [PARTY_REF_EXAMPLE]})

    index: int = Field(..., description="Position of the party in the request's `parties`")
    role: str = Field(..., description="sold_to | ship_to | end_user | consignee | intermediary")
    name: str


class ItemRefOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [ITEM_REF_EXAMPLE]})

    index: int = Field(..., description="Position of the item in the request's `items`")
    sku: str | None


class ReasonOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [REASON_EXAMPLE]})

    code: str = Field(..., description="Stable id: party_match, embargoed_destination, human_rights_risk, ...")
    decision: Literal["review", "block"]
    party: PartyRefOut | None = None
    item: ItemRefOut | None = None
    message: str = Field(..., description="Plain language, citing the rule")
    rule: str
    legal_basis: str

    @classmethod
    def of(cls, reason: Reason) -> ReasonOut:
        party = reason.party
        item = reason.item
        return cls(
            code=reason.code,
            decision=reason.decision,
            party=PartyRefOut(index=party.index, role=party.role, name=party.name) if party else None,
            item=ItemRefOut(index=item.index, sku=item.sku) if item else None,
            message=reason.message,
            rule=reason.rule,
            legal_basis=reason.legal_basis,
        )


class MatchSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [MATCH_SUMMARY_EXAMPLE]})

    source: str
    entity_id: str
    name: str
    score: float = Field(..., ge=0.0, le=1.0)
    decision: Literal["block", "review"]
    programs: list[str]


class PartyScreeningSummary(BaseModel):
    """One party's screening against the lists; the full screening is at /v1/screenings/{id}."""

    model_config = ConfigDict(json_schema_extra={"examples": [PARTY_SUMMARY_EXAMPLE]})

    role: PartyRole
    name: str
    decision: Decision
    screening_id: str | None = None
    matches: list[MatchSummary]


class EndUserOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [END_USER_EXAMPLE]})

    index: int = Field(..., description="Position of the party in the request's `parties`")
    role: str = Field(..., description="end_user when named; else the consignee, ship_to or sold_to taken for it")
    name: str
    presumed: bool = Field(..., description="True when the order names no end_user and this party is presumed to be it")


class OrderResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "screening_id": "3a9d7c21-6b4e-4f0a-8c2d-1e5f7a9b0c3d",
                    "screened_at": "2026-11-24T12:00:00Z",
                    "reference": "SO-2020-0815",
                    "decision": "block",
                    "reasons": [REASON_EXAMPLE],
                    "parties": [PARTY_SUMMARY_EXAMPLE],
                    "policy_version": "2026-11-24+472a0b843f03",
                    "end_user": END_USER_EXAMPLE,
                    "lists": [LIST_VERSION_EXAMPLE],
                }
            ]
        }
    )

    screening_id: str = Field("", description="Id of the order screening in the audit trail")
    screened_at: datetime | None = None
    reference: str | None = None
    decision: Decision = Field(..., description="clear | review | block: the strictest of all reasons")
    reasons: list[ReasonOut]
    parties: list[PartyScreeningSummary]
    policy_version: str = Field(..., description="Policy version id: version string + sha256 prefix of the files")
    end_user: EndUserOut | None = Field(
        None,
        description="The party the rules treat as the end user; null when no party can be (see missing_end_user)",
    )
    lists: list[ListVersionRef] = Field(default_factory=list, description="The list versions screened against")

    @classmethod
    def of(
        cls, evaluation: OrderEvaluation, parties: list[PartyScreeningSummary], *, reference: str | None
    ) -> OrderResponse:
        return cls(
            reference=reference,
            decision=evaluation.decision,
            reasons=[ReasonOut.of(r) for r in evaluation.reasons],
            parties=parties,
            policy_version=evaluation.policy_version,
            end_user=EndUserOut(
                index=end_user.index, role=end_user.role, name=end_user.name, presumed=evaluation.end_user_presumed
            )
            if (end_user := evaluation.end_user) is not None
            else None,
        )


def party_outcome(index: int, party: OrderPartyIn, screening: ScreenResponse) -> PartyOutcome:
    """What the rules need of one party's list screening; cleared matches (reviewed false positives) drop out."""
    matches = [
        MatchedListing(m.source, m.entity_id, m.name, m.score, m.decision, tuple(m.programs))
        for m in screening.matches
        if not m.cleared
    ]
    decision = strictest(m.decision for m in matches)
    return PartyOutcome(index, party.role, party.name, party.country, party.address, decision, matches)


def party_summary(party: OrderPartyIn, screening: ScreenResponse) -> PartyScreeningSummary:
    return PartyScreeningSummary(
        role=party.role,
        name=party.name,
        decision=screening.decision,
        screening_id=screening.screening_id,
        matches=[
            MatchSummary(
                source=m.source,
                entity_id=m.entity_id,
                name=m.name,
                score=m.score,
                decision=m.decision,
                programs=list(m.programs),
            )
            for m in screening.matches
            if not m.cleared
        ],
    )
