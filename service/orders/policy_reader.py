"""Typed reads from parsed TOML that name the file and key path in every error.

Kept apart from policy.py so the policy's shape reads as data there; every reader here fails
with `SchemaError("destinations.toml: destination[3].sources[0].checked: missing")`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from service.countries import is_country_code

_MISSING = object()
T = TypeVar("T")


class SchemaError(ValueError):
    pass


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
class Node:
    file: str
    path: str
    data: dict[str, Any]

    def where(self, key: str = "") -> str:
        path = f"{self.path}.{key}" if self.path and key else (self.path or key)
        return f"{self.file}: {path}" if path else self.file

    def _get(self, key: str, default: object = _MISSING) -> Any:
        if key in self.data:
            return self.data[key]
        if default is _MISSING:
            raise SchemaError(f"{self.where(key)}: missing")
        return default

    def _typed(self, key: str, kind: type[T], label: str, default: T | None = None) -> T:
        if key not in self.data and default is not None:
            return default
        value = self._get(key)
        if not isinstance(value, kind):
            raise SchemaError(f"{self.where(key)}: expected {label}, got {type(value).__name__}")
        return value

    def keys(self) -> list[str]:
        return list(self.data)

    def allow(self, *keys: str) -> Node:
        """Reject keys the schema does not know: a typo or a key under the wrong [table] header."""
        for key in self.data:
            if key not in keys:
                raise SchemaError(f"{self.where(key)}: unknown key (allowed here: {', '.join(keys)})")
        return self

    def child(self, key: str) -> Node:
        return Node(self.file, self.where(key).split(": ", 1)[1], self._typed(key, dict, "a table"))

    def table(self, key: str) -> dict[str, Node]:
        parent = self.child(key)
        if not parent.data:
            raise SchemaError(f"{self.where(key)}: empty")
        return {name: parent.child(name) for name in parent.data}

    def array(self, key: str, *, required: bool = True) -> list[Node]:
        items: list[Any] = self._typed(key, list, "an array of tables", None if required else [])
        nodes = []
        for index, item in enumerate(items):
            if not isinstance(item, dict):
                raise SchemaError(f"{self.where(key)}[{index}]: expected a table, got {type(item).__name__}")
            nodes.append(Node(self.file, f"{self.where(key).split(': ', 1)[1]}[{index}]", item))
        if required and not nodes:
            raise SchemaError(f"{self.where(key)}: empty")
        return nodes

    def string(self, key: str, default: str | None = None) -> str:
        value = self._typed(key, str, "a string", default)
        if default is None and not value.strip():
            raise SchemaError(f"{self.where(key)}: empty")
        return value

    def strings(self, key: str, *, required: bool = True, min_items: int = 0) -> list[str]:
        values: list[Any] = self._typed(key, list, "an array of strings", None if required else [])
        for index, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                raise SchemaError(f"{self.where(key)}[{index}]: expected a non-empty string")
        if len(values) < min_items:
            raise SchemaError(f"{self.where(key)}: needs at least {min_items} item(s)")
        return list(values)

    def boolean(self, key: str, default: bool | None = None) -> bool:
        return self._typed(key, bool, "true or false", default)

    def choice(self, key: str, options: Sequence[str]) -> str:
        value = self.string(key)
        if value not in options:
            raise SchemaError(f"{self.where(key)}: {value!r} is not one of {', '.join(options)}")
        return value

    def country(self, key: str) -> str:
        value = self.string(key)
        if not (len(value) == 2 and value.isupper() and is_country_code(value)):
            raise SchemaError(f"{self.where(key)}: {value!r} is not an ISO 3166 alpha-2 code")
        return value

    def country_list(self, key: str) -> list[str]:
        values = self.strings(key, min_items=1)
        for index, value in enumerate(values):
            if not (len(value) == 2 and value.isupper() and is_country_code(value)):
                raise SchemaError(f"{self.where(key)}[{index}]: {value!r} is not an ISO 3166 alpha-2 code")
        return values

    def citations(self) -> tuple[Citation, ...]:
        """The entry's `sources`: at least one, each with `act` or `url` and a `checked` date."""
        cited = []
        for node in self.array("sources"):
            node.allow("act", "url", "checked", "verify")
            act = node.string("act", default="") or None
            url = node.string("url", default="") or None
            if act is None and url is None:
                raise SchemaError(f"{node.where()}: give `act` (legal act with article/annex) or `url`")
            if url is not None and not url.startswith("https://"):
                raise SchemaError(f"{node.where('url')}: must be an https:// URL")
            checked = node._get("checked")
            if isinstance(checked, datetime) or not isinstance(checked, date):
                raise SchemaError(f"{node.where('checked')}: expected a date such as 2026-11-24")
            cited.append(Citation(act, url, checked, node.boolean("verify", default=False)))
        return tuple(cited)


def unique(values: Sequence[str], node: Node, label: str) -> None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            raise SchemaError(f"{node.file}: {label}: duplicate {value!r}")
        seen.add(value)
