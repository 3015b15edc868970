"""Country names and codes, in any language, as publishers and customer records write them -> ISO 3166-1 alpha-2.

`countrynames` (maintained for OpenSanctions) knows the ISO names, the publishers' styles ("Korea, North",
"Burma", "Congo, Democratic Republic of the"), the names in many languages and scripts ("Deutschland",
"España", "Россия") and common codes ("UAE", "PRC", "UK"); pycountry is the fallback for ISO names it
misses. The table below holds only what neither knows. Regions without an ISO code of their own map to the
country that holds them under international law, and the region is kept in the address text.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

import pycountry

# Checked against countrynames 1.17: these it does not resolve.
_PUBLISHER_NAMES: dict[str, str] = {
    "congo (democratic republic)": "CD",  # the UK government's style
    "congo (republic)": "CG",
    "gaza": "PS",
    "kafia kingi": "SS",
}

_NON_LETTERS = re.compile(r"[^a-z' ,:.()-]+")
_REGION_PREFIX = re.compile(r"^\s*region\s*:\s*", re.IGNORECASE)
# Not territories: countrynames also returns these for "EU", "Soviet Union" and the like.
_NOT_A_COUNTRY = {"EU", "UN", "ZZ", "XX"}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_LETTERS.sub(" ", ascii_only.lower()).split())


def _known_code(code: str) -> str | None:
    code = code.upper()
    if code == "XK" or (code not in _NOT_A_COUNTRY and pycountry.countries.get(alpha_2=code) is not None):
        return code
    return None


@functools.cache
def _countrynames() -> Callable[..., str | None]:
    # Imported on first use: its name table takes a second or more to load, which `--help`, ISO names and
    # codes never need.
    import countrynames

    return countrynames.to_code


def _from_countrynames(text: str) -> str | None:
    code = _countrynames()(text)
    if code is None:
        return None
    # A subdivision ("UA-CRI" for Crimea, "IQ-KR" for Kurdistan) counts as the country that holds it;
    # historic codes ("SUHH", "YUCS") name no country today.
    return _known_code(code.split("-", 1)[0]) if len(code.split("-", 1)[0]) == 2 else None


@functools.lru_cache(maxsize=4096)
def to_iso_country(text: str | None) -> str | None:
    """The ISO alpha-2 code of a country name or code, or None when it names no country."""
    if not text:
        return None
    stripped = _REGION_PREFIX.sub("", text.strip())
    if len(stripped) == 2 and stripped.isascii() and stripped.isalpha():
        return "GB" if stripped.upper() == "UK" else _known_code(stripped)
    if not stripped:
        return None
    folded = _fold(stripped)
    if folded in _PUBLISHER_NAMES:
        return _PUBLISHER_NAMES[folded]
    if len(folded) == 3 and folded.isalpha():
        country = pycountry.countries.get(alpha_3=folded.upper())
        if country is not None:
            return str(country.alpha_2)
    if folded:
        # ISO names first: pycountry answers at once, countrynames loads its table (seconds) on first use.
        try:
            return str(pycountry.countries.lookup(folded).alpha_2)
        except LookupError:
            pass
    code = _from_countrynames(stripped)
    if code is not None:
        return code
    if "(" in stripped:
        # "Iran (Islamic Republic of)" (UN style): the name before the bracket is enough.
        return to_iso_country(stripped.split("(", 1)[0])
    if not folded:
        return None
    for country in pycountry.countries:
        names = {getattr(country, attr, "") for attr in ("name", "common_name", "official_name")}
        if any(_fold(name) == folded for name in names if name):
            return str(country.alpha_2)
    return None


def is_country_code(code: str) -> bool:
    return to_iso_country(code) == code.upper() if len(code) == 2 else False
