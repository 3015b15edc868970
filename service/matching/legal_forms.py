"""Organisation legal forms, compared as classes rather than as name parts.

"ROSNEFT OAO", "PAO Rosneft" and "Rosneft Public Joint Stock Company" must be the same
name: the form is taken off the name's ends and kept as a class, so it neither makes
two different companies look alike ("X Trading LLC" vs "Y Trading LLC") nor hides a
match written with another convention (LLC = OOO = ООО = Limited Liability Company).
Private limited companies of every jurisdiction share one class ("limited": LLC, Ltd,
GmbH, SARL, 有限公司 ...) because lists mix them for the same company; share
companies share another ("stock": JSC, AO, PJSC, AG, SA, PLC, 株式会社 ...).
"""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from service.matching.phonetic import skeleton

_FORMS: dict[str, tuple[str, ...]] = {
    "limited": (
        "llc", "ltd", "limited", "co ltd", "company limited", "co limited", "limited company",
        "limited liability company", "limited liability co", "ltd co", "pte ltd", "pvt ltd", "private limited",
        "private limited company", "pty ltd", "proprietary limited", "sdn bhd", "ooo", "tov",
        "obshchestvo s ogranichennoi otvetstvennostiu", "obshchestvo s ogranichennoy otvetstvennostyu",
        "obshchestvo s ogranichennoj otvetstvennostju", "obshestvo s ogranichennoi otvetstvennostiu",
        "tovarystvo z obmezhenoiu vidpovidalnistiu", "tovarystvo z obmezhenoyu vidpovidalnistyu",
        "gmbh", "sarl", "srl", "sro", "bv", "sp z oo", "spolka z oo", "fze", "fzco", "fzc", "fz llc",
        "fzllc", "llc fz", "youxian gongsi", "youxian zeren gongsi", "yugen kaisha", "ltda", "eurl",
        "limited liability partnership", "llp", "lp", "limited partnership", "kg", "gmbh co kg",
        "pvt limited", "private ltd", "pvt ltd co", "pte limited", "pty limited",
        "gesellschaft mit beschrankter haftung", "gesellschaft mit beschraenkter haftung",
        "sociedad de responsabilidad limitada", "sociedad limitada", "sl", "sociedade limitada",
        "sociedade por quotas", "societe a responsabilite limitee", "societa a responsabilita limitata",
        "besloten vennootschap", "limited sirketi", "ltd sti", "ltd sirketi", "limited sti", "sti",
        "tovarystvo z obmezhenoyu vidpovidalnistyu", "sherkat ba masuliyat mahdud", "sherkat ba masouliat mahdoud",
        "sharikat dhat masuliyah mahdudah", "sharikat dhat al masuliyah al mahdudah", "dhat masuliyah mahdudah",
        "sociedad civil", "sc",
    ),
    "stock": (
        "jsc", "ojsc", "cjsc", "pjsc", "ao", "oao", "zao", "pao", "nao", "ojsc", "jsco", "jstock co",
        "joint stock company", "joint stock co", "open joint stock company", "closed joint stock company",
        "public joint stock company", "non public joint stock company", "aktsionernoe obshchestvo",
        "aktsionernoye obshchestvo", "otkrytoe aktsionernoe obshchestvo", "zakrytoe aktsionernoe obshchestvo",
        "publichnoe aktsionernoe obshchestvo", "nepublichnoe aktsionernoe obshchestvo",
        "prat", "ag", "sa", "sas", "spa", "nv",
        "plc", "public limited company", "public company limited", "pcl", "tbk", "pt tbk",
        "kabushiki kaisha", "kabushiki gaisha", "gufen youxian gongsi", "jusik hoesa", "jusikhoesa",
        "sociedad anonima", "sociedade anonima", "societe anonyme", "societa per azioni", "naamloze vennootschap",
        "aktiengesellschaft", "anonim sirketi", "a s", "publichnoye aktsionernoye obshchestvo",
        "aktsionerne tovarystvo", "pryvatne aktsionerne tovarystvo", "publichne aktsionerne tovarystvo",
        "sherkat sahami khass", "sherkat sahami am", "sherkate sahami khass", "sahami khass", "sahami am",
        "sharikat musahamah", "sharikat musahama", "sharikat musahamah khassah", "sharikat musahamah aammah",
    ),
    "corporation": ("inc", "incorporated", "corp", "corporation", "corp ltd"),
    "company": (
        "co", "company", "cie", "compania", "kompaniya", "gongsi", "firma", "obshchestvo", "compagnie",
        "compagnia", "companhia", "sharikat", "sharika", "sherkat", "sherkate", "shirkat", "sirketi",
    ),
    "state_enterprise": (
        "fgup", "gup", "mup", "state unitary enterprise", "federal state unitary enterprise",
        "derzhavne pidpryiemstvo", "state enterprise",
    ),
    "partnership": ("partnership", "general partnership"),
    "non_profit": ("ano", "nko", "ano do", "autonomous non profit organization", "non profit organization"),
}  # fmt: skip

# Short abbreviations that are also given names or initials ("Pat", "S.L. Kumar") only end a name.
TAIL_ONLY = frozenset({("sl",), ("sc",), ("sti",), ("a", "s"), ("sa",), ("ag",), ("nv",), ("bv",)})

# Longest phrases first so "co ltd" wins over "ltd".
LEGAL_FORMS: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    sorted(
        ((tuple(phrase.split()), kind) for kind, phrases in _FORMS.items() for phrase in phrases),
        key=lambda item: -len(item[0]),
    )
)
MAX_FORM_LENGTH = max(len(phrase) for phrase, _ in LEGAL_FORMS)


def _form_key(token: str) -> str:
    """Long words compare by phonetic key (OBSCHCHESTVO = OBSHCHESTVO), short ones exactly (AO, SA)."""
    return "~" + skeleton(token) if len(token) >= 6 else token


_BY_PHRASE = {tuple(_form_key(word) for word in phrase): kind for phrase, kind in reversed(LEGAL_FORMS)}

# Native-script forms, removed before transliteration (their romanisation is not a
# stable phrase: pypinyin splits 有限公司 into "you xian gong si").
NATIVE_FORMS: tuple[tuple[str, str], ...] = (
    ("股份有限公司", "stock"), ("有限责任公司", "limited"), ("有限責任公司", "limited"), ("有限公司", "limited"),
    ("株式会社", "stock"), ("有限会社", "limited"), ("주식회사", "stock"), ("유한회사", "limited"),
    ("(주)", "stock"), ("㈜", "stock"), ("公司", "company"),
    # Arabic and Persian: the form is written apart, before ("company ...") or after the name.
    ("سهامی خاص", "stock"), ("سهامی عام", "stock"), ("مساهمة", "stock"), ("المحدودة", "limited"),
    ("ذ.م.م", "limited"), ("ذ م م", "limited"), ("ش.م.م", "limited"), ("با مسئولیت محدود", "limited"),
    ("شركة", "company"), ("شرکت", "company"), ("شركت", "company"),
)  # fmt: skip


def strip_native_form(text: str) -> tuple[str, str | None]:
    """Remove CJK, Arabic and Persian legal forms at either end of `text` (the first found is the class)."""
    if max(text, default="a") < "\u0600":
        return text, None
    stripped = text.strip()
    kind: str | None = None
    changed = True
    while changed:
        changed = False
        for form, form_kind in NATIVE_FORMS:
            if stripped.endswith(form) and len(stripped) > len(form):
                stripped, changed = stripped[: -len(form)].strip(), True
            elif stripped.startswith(form) and len(stripped) > len(form):
                stripped, changed = stripped[len(form) :].strip(), True
            if changed:
                kind = kind if kind not in (None, "company") else form_kind
                break
    return (stripped, kind) if kind is not None else (text, None)


def strip_legal_form(tokens: list[str]) -> tuple[list[str], str | None]:
    """Remove legal-form phrases at the start or end of a token list; keep at least one token."""
    kind: str | None = None
    keys = [_form_key(token) for token in tokens]
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for size in range(min(MAX_FORM_LENGTH, len(tokens) - 1), 0, -1):
            tail = _BY_PHRASE.get(tuple(keys[-size:]))
            if tail is not None:
                kind = kind or tail
                tokens, keys = tokens[:-size], keys[:-size]
                changed = True
                break
            head = _BY_PHRASE.get(tuple(keys[:size]))
            if head is not None and tuple(tokens[:size]) not in TAIL_ONLY:
                kind = kind or head
                tokens, keys = tokens[size:], keys[size:]
                changed = True
                break
    return tokens, kind


# Words of legal forms: when a form is not stripped (misspelt, or mid-name), its words
# must weigh as little as particles do.
LEGAL_WORDS = frozenset(
    word for phrase, _ in LEGAL_FORMS for word in phrase if len(word) >= 4 and word not in {"partnership"}
)
# By length: words more than `limit` letters longer or shorter are more than `limit` edits away.
_LEGAL_WORDS_BY_LENGTH: dict[int, list[str]] = {}
for _word in sorted(LEGAL_WORDS):
    _LEGAL_WORDS_BY_LENGTH.setdefault(len(_word), []).append(_word)


@lru_cache(maxsize=50_000)
def is_legal_word(token: str) -> bool:
    """True for a legal-form word or a near spelling of one (one edit; two for long words)."""
    if len(token) < 4:
        return False
    limit = 1 if len(token) < 8 else 2
    words = [
        word
        for length in range(len(token) - limit, len(token) + limit + 1)
        for word in _LEGAL_WORDS_BY_LENGTH.get(length, ())
    ]
    return process.extractOne(token, words, scorer=OSA.distance, score_cutoff=limit) is not None
