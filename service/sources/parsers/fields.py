"""Field-level helpers shared by the UK and Australian parsers.

These publishers write several values into one cell ("1) Iraq 2) Syria", "(1) A123 (2) B456",
"a) Approximately 1955 b) 1960"), partial dates with placeholder parts ("00/04/1984",
"dd/mm/1945"), and countries as nationalities ("Afghan") or as names and misspellings
("Belrus", "DRC") that the generic country lookup does not know.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import date

from service.countries import to_iso_country
from service.sources.model import BirthDate

# "1) x 2) y", "(1) x (2) y", "(3)Uganda": a number in optional brackets that starts the cell or
# follows a space. The cell must start with the first marker, so "Jaish (1)" is not split.
_NUMBERED_START = re.compile(r"^\s*\(?1\)")
_NUMBERED_MARK = re.compile(r"(?:^|(?<=\s)|(?<=\.))\(?\d{1,2}\)\s*")
# "a) x b) y", "(a) x (b) y" as DFAT and some OFSI identity cells write them.
_LETTERED_START = re.compile(r"^\s*\(?a\)", re.IGNORECASE)
_LETTERED_MARK = re.compile(r"(?:^|(?<=\s))\(?[a-z]\)\s*", re.IGNORECASE)
_EMPTY_PARTS = {"", "-", "- .", "-.", "na", "n/a", "none"}


def clean(value: object) -> str | None:
    """A cell as stripped text, or None when it is empty."""
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def split_enumerated(value: str | None) -> list[str]:
    """The parts of a `1) ... 2) ...` or `a) ... b) ...` cell; the cell itself when it is not enumerated."""
    if not value:
        return []
    if _NUMBERED_START.match(value):
        parts = _NUMBERED_MARK.split(value)
    elif _LETTERED_START.match(value):
        parts = _LETTERED_MARK.split(value)
    else:
        parts = [value]
    return [part.strip() for part in parts if part.strip().lower() not in _EMPTY_PARTS]


# Placeholders for an unknown day or month: OFSI writes "00", the UK Sanctions List "dd"/"mm".
_DMY = re.compile(r"^(\d{2}|dd)[/-](\d{2}|mm)[/-](\d{4})$", re.IGNORECASE)
_MY = re.compile(r"^(\d{2}|mm)[/-](\d{4})$", re.IGNORECASE)
_Y = re.compile(r"^(\d{4})$")


def parse_dmy_birth_date(text: str | None) -> BirthDate | None:
    """`dd/mm/yyyy`, `00/mm/yyyy`, `dd/mm/yyyy` with letter placeholders, `mm/yyyy` or `yyyy`.

    Returns None for anything else (free text stays in the remarks), and for impossible dates.
    """
    if not text:
        return None
    text = text.strip()
    if match := _DMY.match(text):
        day, month, year = match.groups()
    elif match := _MY.match(text):
        day, (month, year) = "00", match.groups()
    elif match := _Y.match(text):
        day, month, year = "00", "00", match.group(1)
    else:
        return None
    return BirthDate.of(int(year), _known(month), _known(day))


def _known(part: str) -> int | None:
    return int(part) if part.isdigit() and int(part) != 0 else None


def parse_dmy_date(text: str | None) -> date | None:
    """A full `dd/mm/yyyy` or `dd-mm-yyyy` (or ISO `yyyy-mm-dd`) date, or None."""
    if not text:
        return None
    text = text.strip()[:10]
    try:
        if re.fullmatch(r"\d{2}[/-]\d{2}[/-]\d{4}", text):
            return date(int(text[6:10]), int(text[3:5]), int(text[0:2]))
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        return None
    return None


# Names and misspellings only these lists write. The names every publisher writes, the UK
# government's ("Congo (Democratic Republic)") among them, are in `service.countries`. These stay
# here: `to_iso_country` also reads screening requests and the other lists, whose results these
# spellings would change.
_COUNTRY_NAMES: dict[str, str] = {
    "occupied palestinian territories": "PS",
    "the occupied palestinian territories": "PS",
    "palestinian territories": "PS",
    "guinea bissau": "GW",
    "bosnia-herzegovina": "BA",
    "britain": "GB",
    "repubic of moldova": "MD",
    "belrus": "BY",
    "drc": "CD",
    "rdc": "CD",
    "libyan arab jamahiriya": "LY",
    "state of palestine": "PS",
    "ussr": "RU",
}

# Nationalities as OFSI's 2020 list and DFAT's Citizenship column write them.
_DEMONYMS: dict[str, str] = {
    "afghan": "AF",
    "afghani": "AF",
    "afgan": "AF",
    "qatarian": "QA",
    "american": "US",
    "bahraini": "BH",
    "belarusian": "BY",
    "belgian": "BE",
    "british": "GB",
    "burmese": "MM",
    "myanmar": "MM",
    "chinese": "CN",
    "congolese": "CD",
    "danish": "DK",
    "dutch": "NL",
    "egyptian": "EG",
    "emirati": "AE",
    "eritrean": "ER",
    "filipino": "PH",
    "french": "FR",
    "german": "DE",
    "greek": "GR",
    "iranian": "IR",
    "iraqi": "IQ",
    "israeli": "IL",
    "jordanian": "JO",
    "kenyan": "KE",
    "korean": "KP",
    "north korean": "KP",
    "kuwaiti": "KW",
    "kyrgyz": "KG",
    "lebanese": "LB",
    "libyan": "LY",
    "malaysian": "MY",
    "malian": "ML",
    "mauritanian": "MR",
    "moroccan": "MA",
    "nigerian": "NG",
    "nigerien": "NE",
    "omani": "OM",
    "pakistani": "PK",
    "palestinian": "PS",
    "qatari": "QA",
    "russian": "RU",
    "saudi": "SA",
    "saudi arabian": "SA",
    "senegalese": "SN",
    "somali": "SO",
    "sudanese": "SD",
    "south sudanese": "SS",
    "swedish": "SE",
    "swiss": "CH",
    "syrian": "SY",
    "tajik": "TJ",
    "tanzanian": "TZ",
    "trinidadian": "TT",
    "tunisian": "TN",
    "turkish": "TR",
    "ugandan": "UG",
    "ukrainian": "UA",
    "uzbek": "UZ",
    "venezuelan": "VE",
    "yemeni": "YE",
    "zimbabwean": "ZW",
    "algerian": "DZ",
    "australian": "AU",
    "azerbaijani": "AZ",
    "bangladeshi": "BD",
    "bosnian": "BA",
    "canadian": "CA",
    "chadian": "TD",
    "cuban": "CU",
    "ethiopian": "ET",
    "georgian": "GE",
    "indian": "IN",
    "indonesian": "ID",
    "italian": "IT",
    "jamaican": "JM",
    "kazakh": "KZ",
    "kazakhstani": "KZ",
    "kosovar": "XK",
    "lithuanian": "LT",
    "macedonian": "MK",
    "moldovan": "MD",
    "nicaraguan": "NI",
    "norwegian": "NO",
    "serbian": "RS",
    "singaporean": "SG",
    "spanish": "ES",
    "sri lankan": "LK",
    "south african": "ZA",
    "cameroonian": "CM",
    "central african": "CF",
    "guinean": "GN",
    "ivorian": "CI",
    "latvian": "LV",
    "estonian": "EE",
    "finnish": "FI",
    "polish": "PL",
    "cypriot": "CY",
    "armenian": "AM",
    "turkmen": "TM",
    "mexican": "MX",
    "colombian": "CO",
    "brazilian": "BR",
    "argentinian": "AR",
    "irish": "IE",
    "austrian": "AT",
    "czech": "CZ",
    "slovak": "SK",
    "hungarian": "HU",
    "romanian": "RO",
    "bulgarian": "BG",
    "croatian": "HR",
    "slovenian": "SI",
    "montenegrin": "ME",
    "albanian": "AL",
    "vietnamese": "VN",
    "thai": "TH",
    "cambodian": "KH",
    "nepalese": "NP",
    "ghanaian": "GH",
    "gambian": "GM",
    "burundian": "BI",
    "rwandan": "RW",
    "djiboutian": "DJ",
    "liberian": "LR",
    "sierra leonean": "SL",
    "beninese": "BJ",
    "togolese": "TG",
    "maldivian": "MV",
    "japanese": "JP",
    "new zealander": "NZ",
}


@functools.lru_cache(maxsize=4096)
def country_code(text: str | None) -> str | None:
    """The ISO alpha-2 code of a country name or nationality as these lists write it."""
    if not text:
        return None
    name = " ".join(text.replace("\u2019", "'").strip().rstrip(".,;").split())
    folded = name.lower()
    if folded in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[folded]
    if folded in _DEMONYMS:
        return _DEMONYMS[folded]
    for prefix in ("former ", "possibly ", "reportedly "):
        if folded.startswith(prefix):
            return country_code(name[len(prefix) :])
    if code := to_iso_country(name):
        return code
    # "Iranian (Iranian citizenship)", "Kuwaiti citizenship", "Indonesian (as at December 2003)"
    shorter = _QUALIFIER.sub("", name)
    return country_code(shorter) if shorter and shorter != name else None


_QUALIFIER = re.compile(
    r"\s*(?:\(.*\)|\b(?:citizenship|citizen|nationality|national|by birth|as at|as of|from|until|since)\b.*)$",
    re.IGNORECASE,
)


def country_codes(values: Iterable[str | None]) -> list[str]:
    """Distinct ISO codes, in order, of enumerated country cells; "Russian and Ukrainian" gives two."""
    codes: list[str] = []
    for value in values:
        for part in split_enumerated(value):
            code = country_code(part)
            pieces = [part] if code else re.split(r"\s+and\s+|\s*[,;/]\s*", part)
            for piece in pieces:
                found = country_code(piece)
                if found and found not in codes:
                    codes.append(found)
    return codes
