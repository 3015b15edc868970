"""Name normalisation: any script and spelling in, comparable Latin name parts out.

Steps, in order: NFKC; look-alike letters of another script put back in the word's own
(`homoglyphs.py`); native legal forms off (CJK, Arabic, Persian); transliteration to
Latin (`scripts.py`); ASCII folding (diacritics, ß, ø ...); case folding; digits inside
words read as letters ("S3rgei"); apostrophes joined ("QA'IDA" = "QAIDA"), dotted
acronyms joined ("L.L.C." = "LLC"), other punctuation to spaces (a comma-inverted
"MADURO MOROS, Nicolas" becomes plain parts: part alignment does not depend on order);
honorifics off; ship-type prefixes off (M/V, MT, TANKER); Arabic particles in one form
(el/ul/ar-/as- -> al, ibn/ben/bn -> bin, Abdel/Abdul/Abd al- -> abdul); legal form off
both ends and kept as a class.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from service.folding import ascii_fold
from service.matching.homoglyphs import digits_as_letters, unmix_scripts
from service.matching.legal_forms import strip_legal_form, strip_native_form
from service.matching.scripts import to_latin

HONORIFICS = frozenset(
    "mr mrs ms miss mx dr prof professor sir dame lord lady sheikh shaikh shaykh sheik cheikh haji hajji alhaj "
    "alhaji hajj mullah mulla maulvi mawlawi maulana mawlana mufti imam col colonel gen lt ltgen maj brig capt "
    "admiral his excellency he senor senora senorita sra srta herr frau monsieur madame mme mlle signor signora "
    "gospodin gospozha".split()
)
# English function words in organisation names ("Ministry of Defence of the Republic").
STOPWORDS = frozenset({"the", "of", "and", "for", "in"})
_SUN_LETTER_ARTICLES = frozenset({"ad", "ar", "as", "at", "az", "an", "ash", "adh", "ath"})
_ARTICLES = frozenset({"al", "el", "ul", "il"})
_SONS = frozenset({"bin", "ibn", "ben", "bn", "ebn"})
_PARTICLES = _SUN_LETTER_ARTICLES | _ARTICLES | _SONS
_ABD_FORMS = ("abdul", "abdel", "abdal", "abdol", "abdoul", "abdu", "abd")
_ABD_WHOLE = frozenset({"abdullah", "abdallah", "abdulla", "abdalla", "abdellah", "abdoulaye"})
# Ship-type words customers put before a vessel's name (M/V, M.T., SS, TANKER ...); lists name the
# ship alone. Written with a slash they fold to two parts ("m v").
VESSEL_PREFIXES: tuple[tuple[str, ...], ...] = tuple(
    sorted(  # longest first: "crude oil tanker" before "tanker"
        (
            tuple(phrase.split())
            for phrase in (
                "motor vessel", "motor tanker", "motor yacht", "oil tanker", "crude oil tanker", "tanker", "vessel",
                "m v", "m t", "m y", "f v", "mv", "mt", "ss", "my", "fv", "mts", "mvs",
            )
        ),
        key=len,
        reverse=True,
    )
)  # fmt: skip

_VESSEL_FIRST_WORDS = frozenset(prefix[0] for prefix in VESSEL_PREFIXES)


@dataclass(slots=True, frozen=True)
class NormalisedName:
    tokens: tuple[str, ...]
    legal_form: str | None
    script: str | None


def _particles(tokens: list[str]) -> list[str]:
    if not any(token in _PARTICLES or token.startswith("abd") for token in tokens):
        return tokens
    out: list[str] = []
    index = 0
    while index < len(tokens):
        part = tokens[index]
        following = tokens[index + 1] if index + 1 < len(tokens) else ""
        if part in _SONS:
            part = "bin"
        elif part in _ARTICLES and following:
            part = "al"
        elif part in _SUN_LETTER_ARTICLES and following.startswith(part[1:]):
            part = "al"  # "ar-Rahman", "ad-Din": the article assimilated to the next letter
        if part == "abd" and following == "al" and index + 2 < len(tokens):
            out.append("abdul")
            index += 2
            continue
        if part not in _ABD_WHOLE:
            for prefix in _ABD_FORMS:
                rest = part[len(prefix) :]
                if part.startswith(prefix) and (prefix != "abd" or rest):
                    if len(rest) >= 4:  # "Abdulrahman" = "Abdul Rahman"; not "Abdullah"
                        out.extend(("abdul", rest))
                        part = ""
                    elif not rest:
                        part = "abdul"
                    break
        if part:
            out.append(part)
        index += 1
    return out


def strip_vessel_prefix(tokens: list[str]) -> list[str]:
    """Drop a ship-type prefix ("MV", "M/T", "TANKER") when a name is left after it."""
    if not tokens or tokens[0] not in _VESSEL_FIRST_WORDS:
        return tokens
    for prefix in VESSEL_PREFIXES:
        size = len(prefix)
        if len(tokens) > size and tuple(tokens[:size]) == prefix:
            return tokens[size:]
    return tokens


def normalise(text: str) -> NormalisedName:
    """Name parts, legal form class and source script of one name as written anywhere."""
    text = unmix_scripts(unicodedata.normalize("NFKC", text))
    text, native_form = strip_native_form(text)
    latin, script = to_latin(text, organisation=native_form is not None)
    tokens = [digits_as_letters(token) for token in ascii_fold(latin).split()]
    kept = [token for token in tokens if token not in HONORIFICS and token not in STOPWORDS]
    if kept:
        tokens = kept
    tokens = strip_vessel_prefix(_particles(tokens))
    tokens, legal_form = strip_legal_form(tokens)
    return NormalisedName(tuple(tokens), native_form or legal_form, script)
