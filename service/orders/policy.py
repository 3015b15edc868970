"""The order-screening policy: loaded from the TOML files in lists/policy, validated, versioned.

The policy is data a compliance officer reviews; this module turns it into slotted dataclasses
the pure rules read. The files are validated against their schema (policy_files.py), whose errors
name the file and the key ("destinations.toml: destination[3].sources[0].checked: missing"), so a
bad edit is found without reading code.

Version: `version` from policy.toml plus the sha256 of the five files' bytes (in file-name
order), so any edit yields a new version id. `PolicyStore` reloads when the files change and
keeps serving the last good policy when an edit is broken (store.py).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from service.errors import ScreeningError
from service.orders import policy_files as schema
from service.orders.policy_model import (
    MEASURES,
    REASON_CODES,
    Citation,
    ControlCode,
    CountrySet,
    Destination,
    EndUserCategory,
    HighRisk,
    ListImplication,
    Policy,
    ProductCategory,
    Region,
    RuleBasis,
    normalise_code,
)
from service.orders.terms import TermSet

__all__ = [
    "MEASURES",
    "REASON_CODES",
    "ControlCode",
    "CountrySet",
    "Destination",
    "EndUserCategory",
    "HighRisk",
    "ListImplication",
    "Policy",
    "PolicyError",
    "ProductCategory",
    "Region",
    "RuleBasis",
    "load_policy",
    "normalise_code",
    "parse_policy",
    "policy_digest",
    "read_policy_files",
]

POLICY_FILES = ("destinations.toml", "end_users.toml", "policy.toml", "products.toml", "regions.toml")


class PolicyError(ScreeningError):
    """A policy file is missing, not TOML, or breaks the policy schema."""

    status_code = 503
    code = "policy_invalid"


def policy_digest(files: Mapping[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def read_policy_files(lists_dir: Path) -> dict[str, bytes]:
    """The policy files' bytes; `lists_dir` is the folder holding `policy/` (or the policy folder)."""
    folder = lists_dir / "policy" if (lists_dir / "policy").is_dir() else lists_dir
    files: dict[str, bytes] = {}
    for name in POLICY_FILES:
        path = folder / name
        try:
            files[name] = path.read_bytes()
        except OSError as error:
            raise PolicyError(f"{name}: cannot read {path}: {error.strerror or error}") from None
    return files


def load_policy(lists_dir: Path) -> Policy:
    """Read, validate and compile the policy in `lists_dir/policy` (or `lists_dir` itself)."""
    return parse_policy(read_policy_files(lists_dir))


def parse_policy(files: Mapping[str, bytes]) -> Policy:
    docs: dict[str, dict[str, Any]] = {}
    for name in POLICY_FILES:
        try:
            data = tomllib.loads(files[name].decode("utf-8"))
        except UnicodeDecodeError as error:
            raise PolicyError(f"{name}: not UTF-8 ({error.reason} at byte {error.start})") from None
        except tomllib.TOMLDecodeError as error:
            raise PolicyError(f"{name}: not valid TOML: {error}") from None
        docs[name] = data
    try:
        return _build(
            schema.read_file("policy.toml", docs["policy.toml"], schema.PolicyFile),
            schema.read_file("destinations.toml", docs["destinations.toml"], schema.DestinationsFile),
            schema.read_file("end_users.toml", docs["end_users.toml"], schema.EndUsersFile),
            schema.read_file("regions.toml", docs["regions.toml"], schema.RegionsFile),
            schema.read_file("products.toml", docs["products.toml"], schema.ProductsFile),
            policy_digest(files),
        )
    except schema.SchemaError as error:
        raise PolicyError(str(error)) from None


def _build(
    head: schema.PolicyFile,
    dest_doc: schema.DestinationsFile,
    users_doc: schema.EndUsersFile,
    regions_doc: schema.RegionsFile,
    prod_doc: schema.ProductsFile,
    digest: str,
) -> Policy:
    destinations = tuple(_destination(entry) for entry in dest_doc.destination)
    by_country: dict[str, list[Destination]] = {}
    for dest in destinations:
        if dest.kind == "country":
            by_country.setdefault(dest.country, []).append(dest)
    high_risk = {h.country: HighRisk(h.country, h.reason, _citations(h.sources)) for h in dest_doc.high_risk}
    categories = {key: _end_user_category(key, entry) for key, entry in users_doc.categories.items()}
    products = {key: _product_category(key, entry) for key, entry in prod_doc.categories.items()}
    codes = tuple(_control_code(entry) for entry in prod_doc.control_code)
    return Policy(
        version=head.version,
        digest=digest,
        title=head.title,
        exporter_jurisdictions=tuple(head.exporter_jurisdictions),
        observed_jurisdictions=tuple(head.observed_jurisdictions),
        rules={code: RuleBasis(code, r.rule, r.legal_basis, _citations(r.sources)) for code, r in head.rules.items()},
        list_sources={
            key: RuleBasis(key, "", s.legal_basis, _citations(s.sources)) for key, s in head.list_sources.items()
        },
        destinations=destinations,
        high_risk=high_risk,
        eu001=_country_set(dest_doc.eu001),
        eu_member_states=_country_set(dest_doc.eu_member_states),
        end_user_categories=categories,
        list_implies=tuple(_implication(entry) for entry in users_doc.list_implies),
        regions=tuple(_region(entry) for entry in regions_doc.region),
        product_categories=products,
        control_codes=tuple(sorted(codes, key=lambda c: len(c.code), reverse=True)),
        uncontrolled_codes=frozenset(normalise_code(c) for c in prod_doc.uncontrolled),
        citation_status=head.citation_status.strip(),
        destinations_by_country={k: tuple(v) for k, v in by_country.items()},
    )


def _citations(sources: list[schema.Source]) -> tuple[Citation, ...]:
    return tuple(Citation(s.act or None, s.url or None, s.checked, s.verify) for s in sources)


def _destination(entry: schema.DestinationEntry) -> Destination:
    return Destination(
        id=entry.id,
        kind=entry.kind,
        country=entry.country,
        name=entry.name,
        measures={jurisdiction: frozenset(values) for jurisdiction, values in entry.measures.items()},
        basis=dict(entry.basis),
        names=TermSet.of(entry.names),
        local_names=TermSet.of(entry.local_names),
        review_names=TermSet.of(entry.review_names),
        gate_countries=frozenset(entry.gate_countries) if entry.gate_countries else frozenset({entry.country}),
        note=entry.note,
        verify=entry.verify,
        sources=_citations(entry.sources),
    )


def _country_set(entry: schema.CountrySetEntry) -> CountrySet:
    return CountrySet(frozenset(entry.countries), _citations(entry.sources))


def _end_user_category(key: str, entry: schema.EndUserCategoryEntry) -> EndUserCategory:
    terms = TermSet.of([*entry.en, *entry.zh, *entry.ru, *entry.ar])
    return EndUserCategory(key, entry.label, entry.security, terms, _citations(entry.sources))


def _implication(entry: schema.ImplicationEntry) -> ListImplication:
    return ListImplication(
        entry.category,
        entry.source or None,
        tuple(s.casefold() for s in entry.contains),
        frozenset(s.casefold() for s in entry.equals),
        _citations(entry.sources),
    )


def _region(entry: schema.RegionEntry) -> Region:
    return Region(
        id=entry.id,
        nexus=entry.nexus,
        country=entry.country,
        name=entry.name,
        names=TermSet.of(entry.names),
        local_names=TermSet.of(entry.local_names),
        gate_countries=frozenset(entry.gate_countries) if entry.gate_countries else frozenset({entry.country}),
        sources=_citations(entry.sources),
    )


def _product_category(key: str, entry: schema.ProductCategoryEntry) -> ProductCategory:
    return ProductCategory(
        id=key,
        label=entry.label,
        cyber_surveillance=entry.cyber_surveillance,
        telecom_monitoring=entry.telecom_monitoring,
        terms=TermSet.of([*entry.en, *entry.de, *entry.zh]),
        sources=_citations(entry.sources),
    )


def _control_code(entry: schema.ControlCodeEntry) -> ControlCode:
    return ControlCode(
        code=normalise_code(entry.code),
        regime=entry.regime,
        controlled=entry.controlled,
        categories=tuple(entry.categories),
        description=entry.description,
        sources=_citations(entry.sources),
    )
