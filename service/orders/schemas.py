"""Request and response models of POST /v1/orders/screen (DESIGN.md section 4; the API edge).

Strict where a wrong value is a broken integration (role, quantity, no parties: 422 naming the
field) and lenient where the vocabulary grows: an unknown item category or control code is
accepted here and becomes an `unknown_category` review reason, never a 422.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from service.countries import to_iso_country
from service.decisions import Decision
from service.orders.outcomes import MatchedListing, OrderEvaluation, PartyOutcome, Reason
from service.orders.policy import Policy
from service.orders.policy_reader import Citation
from service.screening.schemas import (
    LIST_VERSION_EXAMPLE,
    MAX_COUNTRY_TEXT,
    ListVersionRef,
    PartyIn,
    ScreenResponse,
    clean_text,
)

CITATION_EXAMPLE: dict[str, Any] = {
    "act": "Council Regulation (EU) No 833/2014, Article 2",
    "url": "https://eur-lex.europa.eu/eli/reg/2014/833/oj",
    "checked": "2026-11-24",
    "verify": False,
}
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
CATEGORY_EXAMPLE: dict[str, Any] = {
    "id": "facial_recognition",
    "label": "Facial recognition systems",
    "flags": ["cyber_surveillance"],
    "terms": 14,
    "sources": [CITATION_EXAMPLE],
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
    decision: Decision = "clear"
    if matches:
        decision = "block" if any(m.decision == "block" for m in matches) else "review"
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


class CitationOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CITATION_EXAMPLE]})

    act: str | None
    url: str | None
    checked: date
    verify: bool = Field(False, description="Known to have changed recently or uncertain: verify first")

    @classmethod
    def all(cls, sources: tuple[Citation, ...]) -> list[CitationOut]:
        return [cls(act=c.act, url=c.url, checked=c.checked, verify=c.verify) for c in sources]


class PolicyRuleOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "embargoed_destination",
                    "rule": "Deliveries to a destination under a full embargo are blocked.",
                    "legal_basis": "Council Regulation (EU) No 833/2014",
                    "sources": [CITATION_EXAMPLE],
                }
            ]
        }
    )

    code: str
    rule: str
    legal_basis: str
    sources: list[CitationOut]


class DestinationOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "ua-crimea",
                    "kind": "region",
                    "country": "UA",
                    "name": "Autonomous Republic of Crimea",
                    "measures": {"EU": ["comprehensive"], "US": ["comprehensive"]},
                    "note": "EU: no imports, investment or Annex II exports. US: comprehensive embargo.",
                    "sources": [CITATION_EXAMPLE],
                }
            ]
        }
    )

    id: str
    kind: str
    country: str
    name: str
    measures: dict[str, list[str]]
    note: str
    sources: list[CitationOut]


class HighRiskOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"country": "MM", "reason": "Military rule and documented repression", "sources": [CITATION_EXAMPLE]}
            ]
        }
    )

    country: str
    reason: str
    sources: list[CitationOut]


class CategoryOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CATEGORY_EXAMPLE]})

    id: str
    label: str
    flags: list[str] = Field(..., description="security | cyber_surveillance | telecom_monitoring")
    terms: int = Field(..., description="How many recognition terms the policy lists")
    sources: list[CitationOut]


class ControlCodeOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "code": "5A001.J",
                    "regime": "eu_dual_use",
                    "controlled": True,
                    "categories": ["lawful_interception"],
                    "description": "IP network communications surveillance systems",
                }
            ]
        }
    )

    code: str
    regime: str
    controlled: bool
    categories: list[str]
    description: str


class PolicyOut(BaseModel):
    """GET /v1/policy: the loaded policy, its version and every source it cites."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "version": "2026-11-24",
                    "version_id": "2026-11-24+472a0b843f03",
                    "digest": "472a0b843f03dc345de1c089ce47f6ade69bd943694e169faaaeadf749dc1fb1",
                    "exporter_jurisdictions": ["EU"],
                    "observed_jurisdictions": ["US"],
                    "citation_status": "Verified against the consolidated acts on 2026-11-24.",
                    "rules": [],
                    "destinations": [],
                    "high_risk": [],
                    "eu001": ["AU", "CA", "CH", "GB", "IS", "JP", "LI", "NO", "NZ", "US"],
                    "end_user_categories": [],
                    "regions": [],
                    "product_categories": [CATEGORY_EXAMPLE],
                    "control_codes": [],
                }
            ]
        }
    )

    version: str
    version_id: str
    digest: str = Field(..., description="sha256 of the policy files' bytes")
    exporter_jurisdictions: list[str]
    observed_jurisdictions: list[str]
    citation_status: str
    rules: list[PolicyRuleOut]
    destinations: list[DestinationOut]
    high_risk: list[HighRiskOut]
    eu001: list[str]
    end_user_categories: list[CategoryOut]
    regions: list[CategoryOut]
    product_categories: list[CategoryOut]
    control_codes: list[ControlCodeOut]

    @classmethod
    def of(cls, policy: Policy) -> PolicyOut:
        return cls(
            version=policy.version,
            version_id=policy.version_id,
            digest=policy.digest,
            exporter_jurisdictions=list(policy.exporter_jurisdictions),
            observed_jurisdictions=list(policy.observed_jurisdictions),
            citation_status=policy.citation_status,
            rules=[
                PolicyRuleOut(code=r.code, rule=r.rule, legal_basis=r.legal_basis, sources=CitationOut.all(r.sources))
                for r in policy.rules.values()
            ],
            destinations=[
                DestinationOut(
                    id=d.id,
                    kind=d.kind,
                    country=d.country,
                    name=d.name,
                    measures={k: sorted(v) for k, v in d.measures.items()},
                    note=d.note,
                    sources=CitationOut.all(d.sources),
                )
                for d in policy.destinations
            ],
            high_risk=[
                HighRiskOut(country=h.country, reason=h.reason, sources=CitationOut.all(h.sources))
                for h in policy.high_risk.values()
            ],
            eu001=sorted(policy.eu001.countries),
            end_user_categories=[
                CategoryOut(
                    id=c.id,
                    label=c.label,
                    flags=["security"] if c.security else [],
                    terms=len(c.terms),
                    sources=CitationOut.all(c.sources),
                )
                for c in policy.end_user_categories.values()
            ],
            regions=[
                CategoryOut(
                    id=r.id,
                    label=r.name,
                    flags=[r.nexus],
                    terms=len(r.names) + len(r.local_names),
                    sources=CitationOut.all(r.sources),
                )
                for r in policy.regions
            ],
            product_categories=[
                CategoryOut(
                    id=p.id,
                    label=p.label,
                    flags=[
                        f
                        for f, on in (
                            ("cyber_surveillance", p.cyber_surveillance),
                            ("telecom_monitoring", p.telecom_monitoring),
                        )
                        if on
                    ],
                    terms=len(p.terms),
                    sources=CitationOut.all(p.sources),
                )
                for p in policy.product_categories.values()
            ],
            control_codes=[
                ControlCodeOut(
                    code=c.code,
                    regime=c.regime,
                    controlled=c.controlled,
                    categories=list(c.categories),
                    description=c.description,
                )
                for c in policy.control_codes
            ],
        )
