"""Text folds: the forms in which two writings of the same text compare equal.

The service asks three kinds of question of text, and each needs to keep something that the
others drop, so there are several folds. They all live here, so no module writes its own:
- Names compared across scripts (`ascii_fold`, `party_name_key`): every script goes to ASCII
  through anyascii, then lower case, and punctuation becomes spaces. The matcher's fold also joins
  apostrophes and the dots of acronyms ("QA'IDA" = "QAIDA", "L.L.C." = "LLC"). The clearance key
  leaves them as word breaks and sorts the words. It is stored (`Clearance.name_key`, and the case
  keys built from it), so changing it would orphan every stored clearance.
- Policy terms (`term_fold`): the terms keep their script ("公安局", "Сімферополь", "الأمن العام"),
  because scripts written without spaces are matched as substrings. Only combining marks, case and
  the letters writers swap are evened out.
- Country names (`country_fold`, `lookup_key`): publishers' English names are folded to ASCII
  letters, keeping the punctuation their table keys hold ("korea, north", "region: crimea").
  Names in other languages only lose case and spacing, because CLDR's names are looked up as written.

Imports nothing from the service: matching (at the bottom) and every package above it use it.
"""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

_APOSTROPHES = re.compile(r"['`´ʻʼʿʾ’‘]")
_ACRONYM = re.compile(r"\b(?:[a-z0-9]\.){2,}(?:[a-z0-9]\b)?")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_NOT_COUNTRY_LETTERS = re.compile(r"[^a-z' ,:.()-]+")

# Letters that writers of policy terms use interchangeably, and the hyphens and apostrophes that
# split or join words. The hamza forms of alef already lose their hamza with the combining marks.
_TERM_CHARACTERS = str.maketrans(
    {
        "ة": "ه",  # ta marbuta -> ha
        "ى": "ي",  # alef maqsura -> ya
        "ı": "i",  # Turkish/Crimean Tatar dotless i does not decompose
        "‐": " ",
        "‑": " ",
        "–": " ",
        "—": " ",
        "-": " ",
        "_": " ",
        "'": "",
        "’": "",
        "ʼ": "",
        "`": "",
        "ʻ": "",
    }
)


def ascii_fold(text: str, *, join_marks: bool = True) -> str:
    """Lower-case ASCII words separated by single spaces.

    With `join_marks` (the matcher's fold), apostrophes and the dots of acronyms join the letters
    on either side. Without it, they separate words, like any other punctuation.
    """
    text = anyascii(text).lower()
    if join_marks:
        text = _APOSTROPHES.sub("", text)
        text = _ACRONYM.sub(lambda m: m.group(0).replace(".", ""), text)
    return _NON_ALNUM.sub(" ", text).strip()


def party_name_key(name: str) -> str:
    """Script-, case-, accent-, punctuation- and order-insensitive key of a party name (stored: see above)."""
    return " ".join(sorted(ascii_fold(unicodedata.normalize("NFKC", name), join_marks=False).split()))


def strip_marks(text: str) -> str:
    """`text` without combining marks (diacritics, Arabic harakat), decomposed (NFKD)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def term_fold(text: str) -> str:
    """The comparable form of a policy term or of the text searched for it, in its own script.

    The text is recomposed (NFC) after the marks are dropped, so Hangul syllables survive.
    """
    folded = unicodedata.normalize("NFC", strip_marks(text)).casefold().translate(_TERM_CHARACTERS)
    return " ".join(folded.split())


def country_fold(text: str) -> str:
    """A country name as the publisher-name table keys it: ASCII letters and `' ,:.()-`, lower case."""
    return " ".join(_NOT_COUNTRY_LETTERS.sub(" ", strip_marks(text).lower()).split())


def lookup_key(text: str, *, keep_accents: bool = True) -> str:
    """A name in any language, compared as written apart from case, spacing and the curly apostrophe.

    Without `keep_accents`, ß is read as ss and combining marks go: a record may write "Osterreich".
    """
    if not keep_accents:
        text = strip_marks(text.replace("ß", "ss"))
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("\u2019", "'").split())
