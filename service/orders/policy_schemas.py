"""Response models of GET /v1/policy: the order policy in force, its rules, destinations, categories and
cited sources."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from service.orders.policy import Policy
from service.orders.policy_model import Citation

CITATION_EXAMPLE: dict[str, Any] = {
    "act": "Council Regulation (EU) No 833/2014, Article 2",
    "url": "https://eur-lex.europa.eu/eli/reg/2014/833/oj",
    "checked": "2026-11-24",
    "verify": False,
}
CATEGORY_EXAMPLE: dict[str, Any] = {
    "id": "facial_recognition",
    "label": "Facial recognition systems",
    "flags": ["cyber_surveillance"],
    "terms": 14,
    "sources": [CITATION_EXAMPLE],
}


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
