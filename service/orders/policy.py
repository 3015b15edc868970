"""The order-screening policy: loaded from the TOML files in lists/policy, validated, versioned.

The policy is data a compliance officer reviews; this module turns it into slotted dataclasses
the pure rules read. Validation errors name the file and the key ("destinations.toml:
destination[3].sources[0].checked: missing"), so a bad edit is found without reading code.

Version: `version` from policy.toml plus the sha256 of the five files' bytes (in file-name
order), so any edit yields a new version id. `PolicyStore` reloads when the files change and
keeps serving the last good policy when an edit is broken (store.py).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from pathlib import Path

from service.errors import ScreeningError
from service.orders import policy_reader as pr
from service.orders.policy_model import (
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
)
from service.orders.terms import TermSet

__all__ = [
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
    docs: dict[str, pr.Node] = {}
    for name in POLICY_FILES:
        try:
            data = tomllib.loads(files[name].decode("utf-8"))
        except UnicodeDecodeError as error:
            raise PolicyError(f"{name}: not UTF-8 ({error.reason} at byte {error.start})") from None
        except tomllib.TOMLDecodeError as error:
            raise PolicyError(f"{name}: not valid TOML: {error}") from None
        docs[name] = pr.Node(name, "", data)
    try:
        return _build(docs, policy_digest(files))
    except pr.SchemaError as error:
        raise PolicyError(str(error)) from None


def _build(docs: Mapping[str, pr.Node], digest: str) -> Policy:
    head = docs["policy.toml"].allow(
        "version",
        "title",
        "exporter_jurisdictions",
        "observed_jurisdictions",
        "citation_status",
        "rules",
        "list_sources",
    )
    rules = {code: _rule_basis(code, node) for code, node in head.table("rules").items()}
    missing = [code for code in REASON_CODES if code not in rules]
    if missing:
        raise pr.SchemaError(f"policy.toml: rules: missing entries for {', '.join(missing)}")
    list_sources = {key: _rule_basis(key, node, rule_key=False) for key, node in head.table("list_sources").items()}
    if "default" not in list_sources:
        raise pr.SchemaError("policy.toml: list_sources.default: missing")

    dest_doc = docs["destinations.toml"].allow("destination", "high_risk", "eu001", "eu_member_states")
    destinations = tuple(_destination(node) for node in dest_doc.array("destination"))
    pr.unique([d.id for d in destinations], dest_doc, "destination[].id")
    by_country: dict[str, list[Destination]] = {}
    for dest in destinations:
        if dest.kind == "country":
            by_country.setdefault(dest.country, []).append(dest)
    high_risk = {}
    for node in dest_doc.array("high_risk"):
        node.allow("country", "reason", "sources")
        entry = HighRisk(node.country("country"), node.string("reason"), node.citations())
        high_risk[entry.country] = entry

    users_doc = docs["end_users.toml"].allow("categories", "list_implies")
    categories = {key: _end_user_category(key, node) for key, node in users_doc.table("categories").items()}
    implies = tuple(_implication(node, categories) for node in users_doc.array("list_implies", required=False))

    regions = tuple(_region(node) for node in docs["regions.toml"].allow("region").array("region"))

    prod_doc = docs["products.toml"].allow("uncontrolled", "categories", "control_code")
    products = {key: _product_category(key, node) for key, node in prod_doc.table("categories").items()}
    if "general" not in products:
        raise pr.SchemaError("products.toml: categories.general: missing")
    codes = tuple(_control_code(node, products) for node in prod_doc.array("control_code"))
    pr.unique([f"{c.code}/{c.regime}" for c in codes], prod_doc, "control_code[].code")

    return Policy(
        version=head.string("version"),
        digest=digest,
        title=head.string("title", default=""),
        exporter_jurisdictions=tuple(head.strings("exporter_jurisdictions", min_items=1)),
        observed_jurisdictions=tuple(head.strings("observed_jurisdictions", required=False)),
        rules=rules,
        list_sources=list_sources,
        destinations=destinations,
        high_risk=high_risk,
        eu001=_country_set(dest_doc.child("eu001")),
        eu_member_states=_country_set(dest_doc.child("eu_member_states")),
        end_user_categories=categories,
        list_implies=implies,
        regions=regions,
        product_categories=products,
        control_codes=tuple(sorted(codes, key=lambda c: len(c.code), reverse=True)),
        uncontrolled_codes=frozenset(normalise_code(c) for c in prod_doc.strings("uncontrolled", required=False)),
        citation_status=head.string("citation_status", default="").strip(),
        destinations_by_country={k: tuple(v) for k, v in by_country.items()},
    )


_DESTINATION_KEYS = (
    "id", "kind", "country", "name", "measures", "basis", "note", "verify",
    "names", "local_names", "review_names", "gate_countries", "sources",
)  # fmt: skip


def normalise_code(code: str) -> str:
    """'5a001.j.1 ' -> '5A001.J.1': control codes compare case-insensitively, without spaces."""
    return "".join(code.split()).upper().rstrip(".")


def _rule_basis(code: str, node: pr.Node, *, rule_key: bool = True) -> RuleBasis:
    node.allow(*(("rule",) if rule_key else ()), "legal_basis", "sources")
    rule = node.string("rule") if rule_key else ""
    return RuleBasis(code, rule, node.string("legal_basis"), node.citations())


def _destination(node: pr.Node) -> Destination:
    node.allow(*_DESTINATION_KEYS)
    kind = node.choice("kind", ("country", "region"))
    country = node.country("country")
    measures_node = node.child("measures")
    measures = {}
    for jurisdiction in measures_node.keys():
        values = measures_node.strings(jurisdiction, required=False)
        unknown = sorted(set(values) - MEASURES)
        if unknown:
            raise pr.SchemaError(
                f"{measures_node.where(jurisdiction)}: unknown measure {unknown[0]!r}; use one of {sorted(MEASURES)}"
            )
        measures[jurisdiction] = frozenset(values)
    basis = {}
    if "basis" in node.data:
        basis_node = node.child("basis")
        for measure in basis_node.keys():
            if measure not in MEASURES:
                raise pr.SchemaError(f"{basis_node.where(measure)}: unknown measure; use one of {sorted(MEASURES)}")
            basis[measure] = basis_node.string(measure)
    gate = node.strings("gate_countries", required=False)
    return Destination(
        id=node.string("id"),
        kind=kind,
        country=country,
        name=node.string("name"),
        measures=measures,
        basis=basis,
        names=TermSet.of(node.strings("names", required=False)),
        local_names=TermSet.of(node.strings("local_names", required=False)),
        review_names=TermSet.of(node.strings("review_names", required=False)),
        gate_countries=frozenset(gate) if gate else frozenset({country}),
        note=node.string("note", default=""),
        verify=node.boolean("verify", default=False),
        sources=node.citations(),
    )


def _country_set(node: pr.Node) -> CountrySet:
    node.allow("countries", "note", "sources")
    return CountrySet(frozenset(node.country_list("countries")), node.citations())


def _end_user_category(key: str, node: pr.Node) -> EndUserCategory:
    node.allow("label", "security", "en", "zh", "ru", "ar", "sources")
    terms = [t for lang in ("en", "zh", "ru", "ar") for t in node.strings(lang, required=False)]
    return EndUserCategory(key, node.string("label"), node.boolean("security"), TermSet.of(terms), node.citations())


def _implication(node: pr.Node, categories: Mapping[str, EndUserCategory]) -> ListImplication:
    node.allow("category", "source", "contains", "equals", "sources")
    category = node.choice("category", tuple(categories))
    contains = tuple(s.casefold() for s in node.strings("contains", required=False))
    equals = frozenset(s.casefold() for s in node.strings("equals", required=False))
    if not contains and not equals:
        raise pr.SchemaError(f"{node.where('contains')}: give `contains` or `equals`")
    source = node.string("source", default="") or None
    return ListImplication(category, source, contains, equals, node.citations())


def _region(node: pr.Node) -> Region:
    node.allow("id", "nexus", "country", "name", "names", "local_names", "gate_countries", "sources")
    country = node.country("country")
    gate = node.strings("gate_countries", required=False)
    return Region(
        id=node.string("id"),
        nexus=node.choice("nexus", REASON_CODES),
        country=country,
        name=node.string("name"),
        names=TermSet.of(node.strings("names")),
        local_names=TermSet.of(node.strings("local_names", required=False)),
        gate_countries=frozenset(gate) if gate else frozenset({country}),
        sources=node.citations(),
    )


def _product_category(key: str, node: pr.Node) -> ProductCategory:
    node.allow("label", "cyber_surveillance", "telecom_monitoring", "en", "de", "zh", "sources")
    terms = [t for lang in ("en", "de", "zh") for t in node.strings(lang, required=False)]
    return ProductCategory(
        id=key,
        label=node.string("label"),
        cyber_surveillance=node.boolean("cyber_surveillance"),
        telecom_monitoring=node.boolean("telecom_monitoring", default=False),
        terms=TermSet.of(terms),
        sources=node.citations(),
    )


def _control_code(node: pr.Node, products: Mapping[str, ProductCategory]) -> ControlCode:
    node.allow("code", "regime", "controlled", "categories", "description", "sources")
    categories = node.strings("categories", required=False)
    for category in categories:
        if category not in products:
            raise pr.SchemaError(f"{node.where('categories')}: unknown product category {category!r}")
    return ControlCode(
        code=normalise_code(node.string("code")),
        regime=node.choice("regime", ("EU", "US", "both")),
        controlled=node.boolean("controlled"),
        categories=tuple(categories),
        description=node.string("description"),
        sources=node.citations(),
    )
