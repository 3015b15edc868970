"""Country names as publishers and customer records write them -> ISO 3166-1 alpha-2 codes.

Lists name countries their own way ("Korea, North", "Burma", "Congo, Democratic
Republic of the", "Region: Crimea"); pycountry knows the ISO names, the table
below the rest. Regions without an ISO code of their own map to the country that
holds them under international law, and the region is kept in the address text.

Customer records (ERP exports) write countries in their users' language ("Deutschland",
"España", "Россия") or as common codes ("UAE", "PRC"): `country_in_any_language` looks
those up in `countrynames`, maintained for OpenSanctions. List parsing does not use it:
countrynames also takes cities for their country ("Moscow" -> RU), and the parsers look for
country names inside free text, where a city must not become a nationality.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

import pycountry

_PUBLISHER_NAMES: dict[str, str] = {
    "korea, north": "KP",
    "north korea": "KP",
    "democratic people's republic of korea": "KP",
    "dprk": "KP",
    "korea, south": "KR",
    "south korea": "KR",
    "republic of korea": "KR",
    "burma": "MM",
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo, republic of the": "CG",
    "congo": "CG",
    "congo (democratic republic)": "CD",  # the UK government's style
    "congo (republic)": "CG",
    "democratic republic of congo": "CD",
    "korea (north)": "KP",
    "korea (south)": "KR",
    "turkey": "TR",
    "turkiye": "TR",
    "russia": "RU",
    "iran": "IR",
    "syria": "SY",
    "laos": "LA",
    "vietnam": "VN",
    "macau": "MO",
    "macao": "MO",
    "kosovo": "XK",
    "cote d ivoire": "CI",
    "cote d'ivoire": "CI",
    "ivory coast": "CI",
    "the gambia": "GM",
    "gambia": "GM",
    "the bahamas": "BS",
    "bahamas": "BS",
    "west bank": "PS",
    "gaza": "PS",
    "region: gaza": "PS",
    "palestinian": "PS",
    "palestine": "PS",
    "occupied palestinian territory": "PS",
    "region: crimea": "UA",
    "crimea": "UA",
    "region: kafia kingi": "SS",
    "united states": "US",
    "usa": "US",
    "united states of america": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "czech republic": "CZ",
    "north macedonia": "MK",
    "north macedonia, the republic of": "MK",
    "macedonia": "MK",
    "moldova": "MD",
    "tanzania": "TZ",
    "bolivia": "BO",
    "venezuela": "VE",
    "brunei": "BN",
    "cape verde": "CV",
    "swaziland": "SZ",
    "eswatini": "SZ",
    "micronesia": "FM",
    "vatican": "VA",
    "holy see": "VA",
    "taiwan": "TW",
    "hong kong": "HK",
    "virgin islands, british": "VG",
    "british virgin islands": "VG",
    "st. kitts and nevis": "KN",
    "st. lucia": "LC",
    "st. vincent and the grenadines": "VC",
    "sao tome and principe": "ST",
    "timor-leste": "TL",
    "east timor": "TL",
}

_NON_LETTERS = re.compile(r"[^a-z' ,:.()-]+")


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_LETTERS.sub(" ", ascii_only.lower()).split())


@functools.lru_cache(maxsize=4096)
def to_iso_country(text: str | None) -> str | None:
    """The ISO alpha-2 code of a country name or code, or None when it names no country."""
    if not text:
        return None
    stripped = text.strip()
    if len(stripped) == 2 and stripped.isalpha():
        code = stripped.upper()
        if code == "XK" or pycountry.countries.get(alpha_2=code) is not None:
            return code
        if code == "UK":
            return "GB"
        return None
    folded = _fold(stripped)
    if not folded:
        return None
    if folded in _PUBLISHER_NAMES:
        return _PUBLISHER_NAMES[folded]
    if "(" in stripped:
        # "Iran (Islamic Republic of)" (UN style): the name before the bracket is enough.
        return to_iso_country(stripped.split("(", 1)[0])
    if len(folded) == 3 and folded.isalpha():
        country = pycountry.countries.get(alpha_3=folded.upper())
        if country is not None:
            return str(country.alpha_2)
    try:
        return str(pycountry.countries.lookup(folded).alpha_2)
    except LookupError:
        pass
    for country in pycountry.countries:
        names = {getattr(country, attr, "") for attr in ("name", "common_name", "official_name")}
        if any(_fold(name) == folded for name in names if name):
            return str(country.alpha_2)
    return None


def is_country_code(code: str) -> bool:
    return to_iso_country(code) == code.upper() if len(code) == 2 else False


@functools.lru_cache(maxsize=4096)
def country_in_any_language(text: str | None) -> str | None:
    """The ISO alpha-2 code of a country code or name in any language or script, or None."""
    if not text or not text.strip():
        return None
    code = to_iso_country(text)
    if code is not None:
        return code
    found = _countrynames()(text.strip())
    if found is None:
        return None
    # A subdivision ("UA-CRI", "IQ-KR") counts as the country that holds it; historic codes ("SUHH", "YUCS")
    # and groups ("EU") name no country today.
    country = found.split("-", 1)[0]
    return country if is_country_code(country) else None


@functools.cache
def _countrynames() -> Callable[..., str | None]:
    # Imported on first use: its name table takes a second or more to load, which ISO names and codes never need.
    import countrynames

    return countrynames.to_code
