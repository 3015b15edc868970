"""The policy files' schema: one pydantic model per TOML file, strict and closed.

Strict, because TOML already types its values: "yes" is not a boolean, and a number is not a string.
Closed (`extra="forbid"`), because an unknown key is a typo or a key under the wrong [table] header,
and a silently ignored key is a rule that does not apply. `read_file` turns validation errors into
one line each that names the file, the key path and the reason:
`destinations.toml: destination[3].sources[0].checked: missing`.
The cross-references inside one file (a category that must exist, a duplicate id) are checked here
too. policy.py compiles the validated files into the dataclasses the rules read (policy_model.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails

from service.countries import is_country_code
from service.orders.policy_model import MEASURES, REASON_CODES, normalise_code

MAX_ERRORS = 5  # reported per file; the first ones are enough to find a bad edit

Model = TypeVar("Model", bound=BaseModel)


class SchemaError(ValueError):
    """A policy file breaks the schema; the message names the file and the key path."""


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("empty")
    return value


def _iso_country(value: str) -> str:
    if not (len(value) == 2 and value.isupper() and is_country_code(value)):
        raise ValueError(f"{value!r} is not an ISO 3166 alpha-2 code")
    return value


def _one_of(options: Sequence[str]) -> Callable[[str], str]:
    def check(value: str) -> str:
        if value not in options:
            raise ValueError(f"{value!r} is not one of {', '.join(options)}")
        return value

    return check


def _measures(values: list[str]) -> list[str]:
    unknown = sorted(set(values) - MEASURES)
    if unknown:
        raise ValueError(f"unknown measure {unknown[0]!r}; use one of {sorted(MEASURES)}")
    return values


def _measure(value: str) -> str:
    if value not in MEASURES:
        raise ValueError(f"unknown measure {value!r}; use one of {sorted(MEASURES)}")
    return value


Text = Annotated[str, AfterValidator(_non_blank)]
Texts = list[Text]
Country = Annotated[str, AfterValidator(_non_blank), AfterValidator(_iso_country)]


class _File(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Source(_File):
    act: str = ""
    url: str = ""
    checked: date
    verify: bool = False

    @field_validator("url")
    @classmethod
    def _https(cls, url: str) -> str:
        if url and not url.startswith("https://"):
            raise ValueError("must be an https:// URL")
        return url

    @model_validator(mode="after")
    def _cited(self) -> Source:
        if not self.act and not self.url:
            raise ValueError("give `act` (legal act with article/annex) or `url`")
        return self


Sources = Annotated[list[Source], Field(min_length=1)]


class RuleEntry(_File):
    rule: Text
    legal_basis: Text
    sources: Sources


class ListSourceEntry(_File):
    legal_basis: Text
    sources: Sources


class PolicyFile(_File):
    version: Text
    title: str = ""
    exporter_jurisdictions: Annotated[Texts, Field(min_length=1)]
    observed_jurisdictions: Texts = []
    citation_status: str = ""
    rules: Annotated[dict[str, RuleEntry], Field(min_length=1)]
    list_sources: Annotated[dict[str, ListSourceEntry], Field(min_length=1)]

    @field_validator("rules")
    @classmethod
    def _every_reason(cls, rules: dict[str, RuleEntry]) -> dict[str, RuleEntry]:
        missing = [code for code in REASON_CODES if code not in rules]
        if missing:
            raise ValueError(f"missing entries for {', '.join(missing)}")
        return rules

    @field_validator("list_sources")
    @classmethod
    def _default_source(cls, sources: dict[str, ListSourceEntry]) -> dict[str, ListSourceEntry]:
        if "default" not in sources:
            raise ValueError("needs a `default` entry")
        return sources


class DestinationEntry(_File):
    id: Text
    kind: Annotated[str, AfterValidator(_one_of(("country", "region")))]
    country: Country
    name: Text
    measures: dict[str, Annotated[Texts, AfterValidator(_measures)]]
    basis: dict[Annotated[str, AfterValidator(_measure)], Text] = {}
    note: str = ""
    verify: bool = False
    names: Texts = []
    local_names: Texts = []
    review_names: Texts = []
    gate_countries: Texts = []
    sources: Sources


class HighRiskEntry(_File):
    country: Country
    reason: Text
    sources: Sources


class CountrySetEntry(_File):
    countries: Annotated[list[Country], Field(min_length=1)]
    note: str = ""
    sources: Sources


class DestinationsFile(_File):
    destination: Annotated[list[DestinationEntry], Field(min_length=1)]
    high_risk: Annotated[list[HighRiskEntry], Field(min_length=1)]
    eu001: CountrySetEntry
    eu_member_states: CountrySetEntry

    @field_validator("destination")
    @classmethod
    def _unique_ids(cls, destinations: list[DestinationEntry]) -> list[DestinationEntry]:
        _unique([d.id for d in destinations], "id")
        return destinations


class EndUserCategoryEntry(_File):
    label: Text
    security: bool
    en: Texts = []
    zh: Texts = []
    ru: Texts = []
    ar: Texts = []
    sources: Sources


class ImplicationEntry(_File):
    category: Text
    source: str = ""
    contains: Texts = []
    equals: Texts = []
    sources: Sources

    @model_validator(mode="after")
    def _pattern(self) -> ImplicationEntry:
        if not self.contains and not self.equals:
            raise ValueError("give `contains` or `equals`")
        return self


class EndUsersFile(_File):
    categories: Annotated[dict[str, EndUserCategoryEntry], Field(min_length=1)]
    list_implies: list[ImplicationEntry] = []

    @model_validator(mode="after")
    def _known_categories(self) -> EndUsersFile:
        for index, implication in enumerate(self.list_implies):
            if implication.category not in self.categories:
                known = ", ".join(self.categories)
                raise ValueError(f"list_implies[{index}].category: {implication.category!r} is not one of {known}")
        return self


class RegionEntry(_File):
    id: Text
    nexus: Annotated[str, AfterValidator(_non_blank), AfterValidator(_one_of(REASON_CODES))]
    country: Country
    name: Text
    names: Texts
    local_names: Texts = []
    gate_countries: Texts = []
    sources: Sources


class RegionsFile(_File):
    region: Annotated[list[RegionEntry], Field(min_length=1)]


class ProductCategoryEntry(_File):
    label: Text
    cyber_surveillance: bool
    telecom_monitoring: bool = False
    en: Texts = []
    de: Texts = []
    zh: Texts = []
    sources: Sources


class ControlCodeEntry(_File):
    code: Text
    regime: Annotated[str, AfterValidator(_non_blank), AfterValidator(_one_of(("EU", "US", "both")))]
    controlled: bool
    categories: Texts = []
    description: Text
    sources: Sources


class ProductsFile(_File):
    uncontrolled: Texts = []
    categories: Annotated[dict[str, ProductCategoryEntry], Field(min_length=1)]
    control_code: Annotated[list[ControlCodeEntry], Field(min_length=1)]

    @field_validator("categories")
    @classmethod
    def _general(cls, categories: dict[str, ProductCategoryEntry]) -> dict[str, ProductCategoryEntry]:
        if "general" not in categories:
            raise ValueError("needs a `general` entry")
        return categories

    @field_validator("control_code")
    @classmethod
    def _unique_codes(cls, codes: list[ControlCodeEntry]) -> list[ControlCodeEntry]:
        _unique([f"{normalise_code(c.code)}/{c.regime}" for c in codes], "code")
        return codes

    @model_validator(mode="after")
    def _known_categories(self) -> ProductsFile:
        for index, code in enumerate(self.control_code):
            for category in code.categories:
                if category not in self.categories:
                    raise ValueError(f"control_code[{index}].categories: unknown product category {category!r}")
        return self


def _unique(values: Sequence[str], label: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"duplicate {label} {value!r}")
        seen.add(value)


def read_file(name: str, data: dict[str, Any], model: type[Model]) -> Model:
    """`data` (one parsed TOML file) validated as `model`; SchemaError names the file, key path and reason."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = [_describe(name, detail, model) for detail in error.errors()[:MAX_ERRORS]]
        if error.error_count() > MAX_ERRORS:
            problems.append(f"and {error.error_count() - MAX_ERRORS} more")
        raise SchemaError("; ".join(problems)) from None


def _describe(name: str, detail: ErrorDetails, model: type[BaseModel]) -> str:
    loc = detail["loc"]
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif part != "[key]":  # a bad key of a table: the key itself is the last part already
            path += f".{part}" if path else part
    where = f"{name}: {path}" if path else name
    return f"{where}: {_reason(detail, model)}"


_TYPE_LABELS = {
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "an array",
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
    "date_type": "a date such as 2026-11-24",
}


def _reason(detail: ErrorDetails, model: type[BaseModel]) -> str:
    kind = detail["type"]
    if kind == "missing":
        return "missing"
    if kind == "extra_forbidden":
        return f"unknown key (allowed here: {', '.join(_keys_at(model, detail['loc'][:-1]))})"
    if kind == "too_short":
        return "empty"
    if kind == "value_error":
        return str(detail.get("ctx", {}).get("error", detail["msg"]))
    if kind in _TYPE_LABELS:
        return f"expected {_TYPE_LABELS[kind]}, got {type(detail['input']).__name__}"
    return detail["msg"]


def _keys_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The keys the model allows at `loc`, following the field types down through arrays and tables."""
    annotation: Any = model
    for part in loc:
        while get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            annotation = annotation.model_fields[str(part)].annotation
        else:  # list[X] (an index) or dict[str, X] (a key): X
            annotation = get_args(annotation)[-1]
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return list(annotation.model_fields)
