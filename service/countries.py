"""Country names as publishers and customer records write them -> ISO 3166-1 alpha-2 codes.

Lists name countries their own way ("Korea, North", "Burma", "Congo, Democratic
Republic of the", "Region: Crimea"); pycountry knows the ISO names, the table
below the rest. Regions without an ISO code of their own map to the country that
holds them under international law, and the region is kept in the address text.

Customer records (ERP exports) write countries in their users' language ("Deutschland",
"España", "Россия") or as common codes ("UAE", "PRC"): `country_in_any_language` reads those
through babel, CLDR's territory names in many languages. List parsing keeps to the English names:
the parsers look for country names inside free text, where a word that names a country in some
other language ("Island" is Iceland in German) must not become a nationality.
"""

from __future__ import annotations

import functools

import pycountry

from service.folding import country_fold, lookup_key

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
    folded = country_fold(stripped)
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
        if any(country_fold(name) == folded for name in names if name):
            return str(country.alpha_2)
    return None


def is_country_code(code: str) -> bool:
    return to_iso_country(code) == code.upper() if len(code) == 2 else False


# Codes in common use that are not ISO 3166 codes; the ISO ones (DE, DEU, and UK) are read above.
_OTHER_CODES = {"uae": "AE", "prc": "CN", "ksa": "SA", "rok": "KR", "roc": "TW"}
# The languages of the lists and of the customer records screened against them. CLDR (through babel) has
# territory names in hundreds of languages; each costs time to load, so these are the ones in use.
_LANGUAGES = (
    "en de fr es it pt nl ru uk be pl cs sk hu ro bg sr hr bs sl el tr ar fa ur he zh ja ko vi th id ms sv da"
    " nb nn fi et lv lt is ga mt ca eu gl sq mk ka hy az kk uz ky tg mn ps hi bn ta"
).split()


@functools.lru_cache(maxsize=4096)
def country_in_any_language(text: str | None) -> str | None:
    """The ISO alpha-2 code of a country code or name in any language or script, or None."""
    if not text or not text.strip():
        return None
    code = to_iso_country(text)
    if code is not None:
        return code
    key = lookup_key(text)
    return (
        _OTHER_CODES.get(key)
        or _territory_names().get(key)
        or _territory_names().get(lookup_key(text, keep_accents=False))
    )


@functools.cache
def _territory_names() -> dict[str, str]:
    """CLDR's country names in the languages above (and without accents), each naming one country only."""
    # Imported and loaded on first use (about a second): `--help`, ISO names and codes never need it.
    from babel import Locale

    codes: dict[str, set[str]] = {}
    for language in _LANGUAGES:
        for code, name in Locale.parse(language).territories.items():
            if is_country_code(code):
                for key in {lookup_key(name), lookup_key(name, keep_accents=False)}:
                    codes.setdefault(key, set()).add(code)
    # "Kongo" is both Congos in some languages: an ambiguous name names no country.
    return {key: next(iter(found)) for key, found in codes.items() if len(found) == 1}
