"""Render the Helm chart without helm, for exactly the template constructs the chart uses, by helm's rules.

helm renders Go `text/template` with the sprig functions. The chart keeps to this subset, and anything
else is an error here (so a new construct needs a deliberate addition, with a test):

- text and actions `{{ ... }}`; `{{- ` trims all whitespace (newlines too) before the action, ` -}}` after it;
  comments `{{/* ... */}}`;
- `define "name"` ... `end` in any template (helm shares defines across the chart; `_*.tpl` files render
  nothing), `include "name" ARG`;
- `if PIPELINE` / `else` / `end` with Go truthiness (false, 0, "", nil, empty map or list are false);
- `range $k, $v := PIPELINE` / `end`: a map in sorted key order, a list by index;
- pipelines `a | f b`: the piped value is the last argument; operands `.`, `.Values.a.b`, `$`, `$.Values.a`,
  `$v`, `$v.field`, "string literals", numbers, `true`, `false`;
- functions `quote`, `nindent`, `toYaml`, `default`, `not`, `include`.

Values follow helm's typing: helm reads values through JSON, so every number is a float64 and `{{ 2 }}` prints
`2` but `{{ 1000000 }}` prints `1e+06` (Go's `%v`); `toYaml` sorts keys and drops the final newline. A missing
map key is an error here (helm would print an empty string), which catches typos in templates.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml


class TemplateError(Exception):
    pass


# --- lexing -------------------------------------------------------------------------------------------------

_ACTION_START = "{{"
_TOKEN = re.compile(
    r"""\s*(?:
        (?P<string>"(?:\\.|[^"\\])*")
      | (?P<raw>`[^`]*`)
      | (?P<declare>:=)
      | (?P<pipe>\|)
      | (?P<comma>,)
      | (?P<number>-?\d+(?:\.\d+)?)
      | (?P<variable>\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
      | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
      | (?P<dot>\.)
      | (?P<identifier>[A-Za-z_][A-Za-z0-9_]*)
    )""",
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    kind: str
    text: str


def _find_action_end(source: str, start: int) -> int:
    """Index of the `}}` closing the action that starts at `start`, skipping string literals."""
    index = start
    quote: str | None = None
    while index < len(source):
        char = source[index]
        if quote:
            if char == "\\" and quote == '"':
                index += 2
                continue
            if char == quote:
                quote = None
        elif char in '"`':
            quote = char
        elif source.startswith("}}", index):
            return index
        index += 1
    raise TemplateError(f"unclosed action at offset {start}")


def lex(source: str) -> list[str | list[Token]]:
    """Split a template into text pieces and tokenised actions, applying the trim markers."""
    pieces: list[str | list[Token]] = []
    position = 0
    trim_next = False
    while True:
        start = source.find(_ACTION_START, position)
        text = source[position:] if start < 0 else source[position:start]
        if trim_next:
            text = text.lstrip(" \t\r\n")
        if start < 0:
            pieces.append(text)
            return pieces
        inner_start = start + 2
        if source.startswith("- ", inner_start) or source.startswith("-\n", inner_start):
            text = text.rstrip(" \t\r\n")
            inner_start += 1
        pieces.append(text)
        end = _find_action_end(source, inner_start)
        inner = source[inner_start:end]
        trim_next = inner.endswith((" -", "\n-"))
        if trim_next:
            inner = inner[:-1]
        position = end + 2
        stripped = inner.strip()
        if stripped.startswith("/*"):
            if not stripped.endswith("*/"):
                raise TemplateError(f"malformed comment: {stripped[:40]!r}")
            continue
        pieces.append(_tokens(stripped))


def _tokens(action: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(action):
        match = _TOKEN.match(action, position)
        if match is None or match.end() == position:
            if action[position:].strip() == "":
                break
            raise TemplateError(f"cannot read {action[position:]!r} in action {action!r}")
        kind = match.lastgroup or ""
        tokens.append(Token(kind, match.group(kind)))
        position = match.end()
    return tokens


# --- parsing ------------------------------------------------------------------------------------------------


@dataclass
class Output:
    pipeline: list[Token]


@dataclass
class If:
    condition: list[Token]
    then: list[Node] = field(default_factory=list)
    otherwise: list[Node] = field(default_factory=list)


@dataclass
class Range:
    key: str
    value: str
    pipeline: list[Token]
    body: list[Node] = field(default_factory=list)


Node = str | Output | If | Range


def parse(source: str, defines: dict[str, list[Node]]) -> list[Node]:
    """Parse a template; `define` blocks go into `defines`."""
    root: list[Node] = []
    # Each frame: (the node list being filled, the block node or define name owning it).
    stack: list[tuple[list[Node], If | Range | str | None]] = [(root, None)]
    for piece in lex(source):
        body = stack[-1][0]
        if isinstance(piece, str):
            if piece:
                body.append(piece)
            continue
        if not piece:
            raise TemplateError("empty action")
        keyword = piece[0].text if piece[0].kind == "identifier" else ""
        if keyword == "define":
            if len(piece) != 2 or piece[1].kind != "string":
                raise TemplateError("define takes one string literal")
            name = json.loads(piece[1].text)
            stack.append(([], name))
        elif keyword == "if":
            node = If(piece[1:])
            body.append(node)
            stack.append((node.then, node))
        elif keyword == "else":
            owner = stack[-1][1]
            if not isinstance(owner, If) or len(piece) != 1 or body is owner.otherwise:
                raise TemplateError("else outside an if (or `else if`, which is not supported)")
            stack[-1] = (owner.otherwise, owner)
        elif keyword == "range":
            loop = _range(piece)
            body.append(loop)
            stack.append((loop.body, loop))
        elif keyword == "end":
            if len(stack) == 1:
                raise TemplateError("end without a block")
            finished, owner = stack.pop()
            if isinstance(owner, str):
                defines[owner] = finished
        elif keyword in {"with", "template", "block", "break", "continue"}:
            raise TemplateError(f"'{keyword}' is not supported by this renderer")
        else:
            body.append(Output(piece))
    if len(stack) != 1:
        raise TemplateError("missing end")
    return root


def _range(piece: list[Token]) -> Range:
    kinds = [token.kind for token in piece[1:5]]
    if kinds != ["variable", "comma", "variable", "declare"]:
        raise TemplateError("range must read `range $key, $value := PIPELINE`")
    return Range(piece[1].text, piece[3].text, piece[5:])


# --- evaluation ---------------------------------------------------------------------------------------------


def go_float(value: float) -> str:
    """Go's `%v` for a float64: shortest digits, exponent form below 1e-4 or from 1e+06 on."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "0"
    sign, digit_tuple, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    digits = "".join(map(str, digit_tuple))
    point = len(digits) + exponent  # position of the decimal point in `digits`
    x = point - 1
    prefix = "-" if sign else ""
    if x < -4 or x >= 6:  # strconv's shortest %g uses precision 6 for this decision
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{prefix}{mantissa}e{'+' if x >= 0 else '-'}{abs(x):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return f"{prefix}{digits}{'0' * (point - len(digits))}"
    return f"{prefix}{digits[:point]}.{digits[point:]}"


def go_print(value: Any) -> str:
    """How `{{ value }}` prints."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return go_float(float(value))
    if isinstance(value, str):
        return value
    raise TemplateError(f"refusing to print {type(value).__name__} {value!r} (helm would print Go's map/slice syntax)")


def truthy(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str | Mapping | Sequence):
        return len(value) > 0
    return True


def _quote(*values: Any) -> str:
    # sprig's quote: Go's %q of each non-nil argument's string value.
    return " ".join(json.dumps(go_print(value), ensure_ascii=False) for value in values if value is not None)


def _nindent(spaces: Any, text: Any) -> str:
    pad = " " * int(spaces)
    return "\n" + pad + str(text).replace("\n", "\n" + pad)


def _to_yaml(value: Any) -> str:
    if not isinstance(value, Mapping | list):
        raise TemplateError("toYaml is used for maps and lists only in this chart")
    return yaml.safe_dump(value, default_flow_style=False, sort_keys=True, allow_unicode=True).removesuffix("\n")


def _default(fallback: Any, *given: Any) -> Any:
    return given[0] if given and truthy(given[0]) else fallback


@dataclass
class Scope:
    dot: Any
    root: Any
    variables: dict[str, Any]


class Renderer:
    def __init__(self, defines: dict[str, list[Node]]) -> None:
        self.defines = defines
        self.functions: dict[str, Callable[..., Any]] = {
            "quote": _quote,
            "nindent": _nindent,
            "toYaml": _to_yaml,
            "default": _default,
            "not": lambda value: not truthy(value),
            "include": self.include,
        }

    def include(self, name: Any, data: Any) -> str:
        if name not in self.defines:
            raise TemplateError(f"no template named {name!r}")
        return self.render_nodes(self.defines[name], Scope(data, data, {"$": data}))

    def render_nodes(self, nodes: list[Node], scope: Scope) -> str:
        out: list[str] = []
        for node in nodes:
            if isinstance(node, str):
                out.append(node)
            elif isinstance(node, Output):
                out.append(go_print(self.pipeline(node.pipeline, scope)))
            elif isinstance(node, If):
                branch = node.then if truthy(self.pipeline(node.condition, scope)) else node.otherwise
                out.append(self.render_nodes(branch, scope))
            else:
                out.append(self.render_range(node, scope))
        return "".join(out)

    def render_range(self, node: Range, scope: Scope) -> str:
        collection = self.pipeline(node.pipeline, scope)
        if isinstance(collection, Mapping):
            items: list[tuple[Any, Any]] = [(key, collection[key]) for key in sorted(collection)]
        elif isinstance(collection, list):
            items = list(enumerate(collection))
        elif collection is None:
            items = []
        else:
            raise TemplateError(f"cannot range over {collection!r}")
        out = []
        for key, value in items:
            inner = Scope(value, scope.root, {**scope.variables, node.key: key, node.value: value})
            out.append(self.render_nodes(node.body, inner))
        return "".join(out)

    def pipeline(self, tokens: list[Token], scope: Scope) -> Any:
        commands: list[list[Token]] = [[]]
        for token in tokens:
            if token.kind == "pipe":
                commands.append([])
            else:
                commands[-1].append(token)
        if any(not command for command in commands):
            raise TemplateError("empty command in pipeline")
        result: Any = None
        for index, command in enumerate(commands):
            head = command[0]
            if head.kind == "identifier" and head.text not in {"true", "false"}:
                function = self.functions.get(head.text)
                if function is None:
                    raise TemplateError(f"function {head.text!r} is not supported by this renderer")
                args = [self.operand(token, scope) for token in command[1:]]
                if index > 0:
                    args.append(result)
                result = function(*args)
            else:
                if index > 0 or len(command) != 1:
                    raise TemplateError(f"cannot pipe into or apply {head.text!r}")
                result = self.operand(head, scope)
        return result

    def operand(self, token: Token, scope: Scope) -> Any:
        if token.kind in {"string", "raw"}:
            return json.loads(token.text) if token.kind == "string" else token.text[1:-1]
        if token.kind == "number":
            return float(token.text) if "." in token.text else int(token.text)
        if token.kind == "identifier" and token.text in {"true", "false"}:
            return token.text == "true"
        if token.kind == "dot":
            return scope.dot
        if token.kind == "field":
            return _walk(scope.dot, token.text[1:].split("."), token.text)
        if token.kind == "variable":
            name, _, path = token.text.partition(".")
            if name not in scope.variables:
                raise TemplateError(f"undefined variable {name}")
            value = scope.variables[name]
            return _walk(value, path.split("."), token.text) if path else value
        raise TemplateError(f"unexpected {token.text!r}")


def _walk(value: Any, path: list[str], text: str) -> Any:
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            raise TemplateError(f"{text}: no key {key!r}")
        value = value[key]
    return value


# --- the chart ----------------------------------------------------------------------------------------------


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Values overrides as helm applies `--set`/`-f`: maps merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def render_chart(
    chart_dir: Path,
    overrides: Mapping[str, Any] | None = None,
    *,
    release: str = "screening",
    namespace: str = "default",
) -> dict[str, str]:
    """Render every template under `templates/`: {file name: rendered text}; helpers render nothing."""
    chart = yaml.safe_load((chart_dir / "Chart.yaml").read_text())
    values = deep_merge(yaml.safe_load((chart_dir / "values.yaml").read_text()) or {}, overrides or {})
    defines: dict[str, list[Node]] = {}
    files = sorted(path for path in (chart_dir / "templates").iterdir() if path.suffix in {".yaml", ".tpl"})
    parsed = {path.name: parse(path.read_text(), defines) for path in files}
    context = {
        "Values": values,
        "Chart": {
            "Name": chart["name"],
            "Version": chart["version"],
            "AppVersion": chart.get("appVersion", ""),
        },
        "Release": {"Name": release, "Namespace": namespace, "Service": "Helm"},
    }
    renderer = Renderer(defines)
    return {
        name: renderer.render_nodes(nodes, Scope(context, context, {"$": context}))
        for name, nodes in parsed.items()
        if not name.startswith("_")
    }


def load_documents(rendered: Mapping[str, str]) -> list[dict[str, Any]]:
    """Parse rendered templates into Kubernetes objects, dropping empty documents as helm does."""
    documents: list[dict[str, Any]] = []
    for name, text in rendered.items():
        for document in yaml.safe_load_all(text):
            if document is None:
                continue
            if not isinstance(document, dict):
                raise TemplateError(f"{name}: rendered a {type(document).__name__}, not an object")
            documents.append(document)
    return documents
