"""The policy as slotted dataclasses the pure rules read, and its vocabulary.

Loading: policy.py; the files' schema: policy_files.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from service.orders.terms import TermSet

MEASURES = frozenset({"comprehensive", "dual_use_ban", "sectoral", "surveillance_ban", "arms_embargo"})
REASON_CODES = (
    "party_match",
    "embargoed_destination",
    "foreign_embargo",
    "dual_use_ban",
    "sectoral_sanctions",
    "surveillance_ban",
    "human_rights_risk",
    "xinjiang_nexus",
    "military_end_use",
    "licence_required",
    "missing_end_user",
    "unknown_category",
)


def normalise_code(code: str) -> str:
    """'5a001.j.1 ' -> '5A001.J.1': control codes compare case-insensitively, without spaces."""
    return "".join(code.split()).upper().rstrip(".")


@dataclass(slots=True, frozen=True)
class Citation:
    """Where a policy entry comes from: a legal act (with article/annex) and/or an official URL."""

    act: str | None
    url: str | None
    checked: date
    verify: bool = False

    def __str__(self) -> str:
        return self.act or self.url or ""


@dataclass(slots=True, frozen=True)
class RuleBasis:
    code: str
    rule: str
    legal_basis: str
    sources: tuple[Citation, ...]


@dataclass(slots=True, frozen=True)
class Destination:
    id: str
    kind: str  # country | region
    country: str
    name: str
    measures: Mapping[str, frozenset[str]]
    basis: Mapping[str, str]  # measure -> the provision its reasons cite
    names: TermSet
    local_names: TermSet
    review_names: TermSet
    gate_countries: frozenset[str]
    note: str
    verify: bool
    sources: tuple[Citation, ...]

    def measures_in(self, jurisdictions: tuple[str, ...]) -> frozenset[str]:
        return frozenset().union(*(self.measures.get(j, frozenset()) for j in jurisdictions))

    def legal_basis(self, measure: str) -> str:
        return self.basis.get(measure) or "; ".join(str(c) for c in self.sources)


@dataclass(slots=True, frozen=True)
class HighRisk:
    country: str
    reason: str
    sources: tuple[Citation, ...]


@dataclass(slots=True, frozen=True)
class CountrySet:
    countries: frozenset[str]
    sources: tuple[Citation, ...]


@dataclass(slots=True, frozen=True)
class EndUserCategory:
    id: str
    label: str
    security: bool
    terms: TermSet
    sources: tuple[Citation, ...]


@dataclass(slots=True, frozen=True)
class ListImplication:
    category: str
    source: str | None
    contains: tuple[str, ...]
    equals: frozenset[str]
    sources: tuple[Citation, ...]


@dataclass(slots=True, frozen=True)
class Region:
    id: str
    nexus: str
    country: str
    name: str
    names: TermSet
    local_names: TermSet
    gate_countries: frozenset[str]
    sources: tuple[Citation, ...]


@dataclass(slots=True, frozen=True)
class ProductCategory:
    id: str
    label: str
    cyber_surveillance: bool
    telecom_monitoring: bool
    terms: TermSet
    sources: tuple[Citation, ...]


@dataclass(slots=True, frozen=True)
class ControlCode:
    code: str  # normalised: "5A001.J"
    regime: str  # EU | US | both
    controlled: bool
    categories: tuple[str, ...]
    description: str
    sources: tuple[Citation, ...]


@dataclass(slots=True, frozen=True)
class Policy:
    version: str
    digest: str
    title: str
    exporter_jurisdictions: tuple[str, ...]
    observed_jurisdictions: tuple[str, ...]
    rules: Mapping[str, RuleBasis]
    list_sources: Mapping[str, RuleBasis]
    destinations: tuple[Destination, ...]
    high_risk: Mapping[str, HighRisk]
    eu001: CountrySet
    eu_member_states: CountrySet
    end_user_categories: Mapping[str, EndUserCategory]
    list_implies: tuple[ListImplication, ...]
    regions: tuple[Region, ...]
    product_categories: Mapping[str, ProductCategory]
    control_codes: tuple[ControlCode, ...]
    uncontrolled_codes: frozenset[str]
    citation_status: str = ""
    destinations_by_country: Mapping[str, tuple[Destination, ...]] = field(default_factory=dict)

    @property
    def version_id(self) -> str:
        """What responses and the audit trail record: "2026-11-24+3f2a9c1b04de"."""
        return f"{self.version}+{self.digest[:12]}"

    def list_basis(self, source: str) -> RuleBasis:
        return self.list_sources.get(source) or self.list_sources["default"]

    @property
    def security_categories(self) -> frozenset[str]:
        return frozenset(c.id for c in self.end_user_categories.values() if c.security)
