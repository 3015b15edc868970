"""Transliteration of non-Latin scripts to the Latin spellings sanctions lists use.

anyascii covers every script with one table; it is right for Cyrillic (it already
writes the BGN/PCGN-like forms lists use: "Evgeniy", "Oleksandr", "Alyaksandr"),
Greek and Hebrew. Three scripts need more than a letter table:
- Arabic/Persian: anyascii drops the article into the next word ("lrhmn") and
  writes ain as a backquote; names are written without short vowels, so the
  consonant skeleton (see `phonetic.py`) does the rest of the work.
- Chinese: anyascii glues syllables ("XiJinPing"); lists write surname + given
  name ("XI Jinping"), so pypinyin reads the characters and we group syllables.
- Korean: anyascii gives Revised Romanization per syllable ("GimJeongEun"); lists
  write North Korean names in McCune-Reischauer ("KIM Jong Un", "RI Pyong Chol"): we
  move each syllable to that system, split surname/given name and map common surnames.
  (ICU's Korean-Latin/BGN transliterator would be the library for it, but it drops
  vowels: "kimjong" for 김여정.)
- Japanese kana: anyascii romanises small ya/yu/yo as separate syllables
  ("jiyo" for ジョ) and keeps long vowels ("shoukou"); ICU's BGN/PCGN transliterator
  (the `pyicu-wheels` wheel, which bundles ICU) writes them as lists do ("shoko").
"""

from __future__ import annotations

import re
import threading
import unicodedata

import icu
from anyascii import anyascii

from service.unicode_scripts import dominant_block_script

# Arabic and Persian letters -> Latin, chosen to meet the common list spellings
# after skeletonisation (alif/waw/ya carry vowels; ain/hamza vanish like in "Abd").
_ARABIC: dict[str, str] = {
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ء": "", "ؤ": "u", "ئ": "i",
    "ب": "b", "پ": "p", "ت": "t", "ث": "th", "ج": "j", "چ": "ch", "ح": "h", "خ": "kh",
    "د": "d", "ذ": "dh", "ر": "r", "ز": "z", "ژ": "zh", "س": "s", "ش": "sh", "ص": "s",
    "ض": "d", "ط": "t", "ظ": "z", "ع": "a", "غ": "gh", "ف": "f", "ق": "q", "ک": "k",
    "ك": "k", "گ": "g", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "و": "w",
    "ی": "y", "ي": "y", "ى": "a", "ـ": "",
}  # fmt: skip
# Generic organisation words, which lists give in translation ("ZAWAYA GROUP" for مجموعة زوايا).
_ARABIC_GENERIC_WORDS: dict[str, str] = {
    "مجموعة": "group", "مجموعه": "group", "گروه": "group", "بنك": "bank", "بانک": "bank", "مصرف": "bank",
    "مؤسسة": "establishment", "للتجارة": "trading", "تجارة": "trading", "الدولية": "international",
    "دولية": "international", "للصرافة": "exchange", "صرافة": "exchange", "صرافی": "exchange",
}  # fmt: skip
_PERSIAN = {**_ARABIC, "ض": "z", "ذ": "z", "ظ": "z", "ث": "s", "ة": "e"}
_PERSIAN_LETTERS = frozenset("پچژگکی")
_LONG_A = frozenset("اىة")
_ARABIC_MARKS = re.compile("[\u064b-\u065f\u0670]")  # harakat: optional short-vowel marks

# Korean surnames whose list spelling differs from their syllable (after `_hangul`): 이 is Lee in the
# South (리 is Ri in the North), 박 Pak, 신 Shin, 오 Oh, 노 Ro.
_KOREAN_SURNAMES: dict[str, str] = {"i": "lee", "pag": "pak", "sin": "shin", "o": "oh", "no": "ro"}

# Word-initial μπ and ντ are b and d; inside a word they are mb and nd (Αντρέας is Andreas).
_GREEK_DIGRAPH_LATIN = {"ου": "ou", "ού": "ou", "γκ": "g", "μπ": "mb", "ντ": "nd"}
_GREEK_INITIAL = {"mb": "b", "nd": "d"}
_GREEK_DIGRAPHS = re.compile("|".join(_GREEK_DIGRAPH_LATIN), re.IGNORECASE)


def _greek_digraph(match: re.Match[str]) -> str:
    latin = _GREEK_DIGRAPH_LATIN[match.group(0).lower()]
    start = match.start()
    if start == 0 or not match.string[start - 1].isalpha():
        return _GREEK_INITIAL.get(latin, latin)
    return latin


def _arabic(text: str) -> str:
    text = _ARABIC_MARKS.sub("", text)
    # Persian (told by its own letters) says z for ض ذ ظ and s for ث: Morteza, not Mortada.
    table = _PERSIAN if _PERSIAN_LETTERS.intersection(text) else _ARABIC
    words: list[str] = []
    for word in text.split():
        if word.endswith("الله") and words and len(word) == 4:
            # "God" closes compound names, which lists write as one word: خير الله is Khayrallah,
            # عبد الله is Abdallah (joined or apart in the Arabic alike).
            words[-1] += "allah"
            continue
        if word == "ولد":
            words.append("ould")  # "son of" in Mauritanian and Sahrawi names, as lists write it
            continue
        generic = _ARABIC_GENERIC_WORDS.get(word.removeprefix("ال") if len(word) > 4 else word)
        if generic is not None:
            words.append(generic)
            continue
        if word.endswith("الله") and len(word) > 4:
            word, suffix = word[:-4], "allah"
        else:
            suffix = ""
        # The article is written joined to the noun; lists write it as "al-" / "Al ".
        if word.startswith("ال") and len(word) > 3:
            words.append("al")
            word = word[2:]
        letters = [table.get(char, anyascii(char)) for char in word]
        if len(letters) > 2 and word[-1] == "ه":
            letters[-1] = "a"  # a closing ha is mostly the vowel of a feminine or -ah ending: حماده Hamada
        # Waw and ya inside a word are long vowels (يوسف is Yusuf, not Ywsf) unless a
        # long a follows (الظواهري is al-Zawahiri).
        for position in range(1, len(letters)):
            following = word[position + 1] if position + 1 < len(word) else ""
            if letters[position] in ("w", "y") and following not in _LONG_A:
                letters[position] = "u" if letters[position] == "w" else "i"
        words.append("".join(letters) + suffix)
    return " ".join(words)


def load_transliterators() -> None:
    """Import pypinyin's dictionaries now (0.5-0.7 s) rather than on the first Han name.

    pypinyin is imported on first use: a replica that loads a saved index transliterates nothing
    at start, and its readiness should not wait for dictionaries only Han queries need. The service
    calls this in the background once it is ready."""
    import pypinyin  # noqa: F401 - imported for its side effect of loading the dictionaries


def _chinese(text: str, *, organisation: bool) -> str:
    from pypinyin import Style, lazy_pinyin  # see load_transliterators

    syllables = [s for s in lazy_pinyin(text, style=Style.NORMAL, errors="ignore") if s.strip()]
    if organisation:
        # Most Chinese words are two characters; lists write "Huawei", not "Hua Wei".
        return " ".join("".join(syllables[i : i + 2]) for i in range(0, len(syllables), 2))
    # Personal names are 2-4 characters: surname + given name written as one word.
    if 2 <= len(syllables) <= 4 and " " not in text.strip():
        return f"{syllables[0]} {''.join(syllables[1:])}"
    return " ".join(syllables)


_RR_INITIALS = {"b": "p", "g": "k", "d": "t"}


def _hangul(char: str) -> str:
    """One syllable as the lists' (North Korean, McCune-Reischauer) names write it, from Revised Romanization.

    RR writes 병철 "byeongcheol", the lists "Pyong Chol": initial b/g/d are p/k/t, eo is o, eu is u.
    """
    syllable = str(anyascii(char)).lower().replace("eo", "o").replace("eu", "u")
    return _RR_INITIALS.get(syllable[:1], syllable[:1]) + syllable[1:]


def _korean(text: str) -> str:
    words = []
    for word in text.split():
        # Revised Romanization writes an initial ㄹ as "l" (룡 "lyong"); lists write "r" (CHOE Ryong Hae).
        syllables = ["r" + syllable[1:] if syllable.startswith("l") else syllable for syllable in map(_hangul, word)]
        if 2 <= len(syllables) <= 4 and len(text.split()) == 1:
            surname = _KOREAN_SURNAMES.get(syllables[0], syllables[0])
            words.append(f"{surname} {''.join(syllables[1:])}")
        else:
            words.append("".join(syllables))
    return " ".join(words)


def _kana(text: str) -> str:
    return str(_kana_transliterator().transliterate(text))


_ICU_THREADS = threading.local()


def _kana_transliterator() -> icu.Transliterator:
    """ICU's BGN/PCGN kana romanisation (contracted long vowels: ショウコウ is Shoko), one per thread.

    ICU does not promise that one transliterator instance may be shared between threads, and the
    screening service searches from several.
    """
    transliterator = getattr(_ICU_THREADS, "kana", None)
    if transliterator is None:
        transliterator = icu.Transliterator.createInstance("Hiragana-Katakana; Katakana-Latin/BGN; Latin-ASCII")
        _ICU_THREADS.kana = transliterator
    return transliterator


def to_latin(text: str, *, organisation: bool = False) -> tuple[str, str | None]:
    """The Latin form of `text` and the script it was written in (None when already Latin)."""
    text = unicodedata.normalize("NFKC", text)
    script = dominant_block_script(text)
    if script is None:
        return text, None
    if script == "Arab":
        return _arabic(text), script
    if script == "Hani":
        return _chinese(text, organisation=organisation), script
    if script == "Hang":
        return _korean(text), script
    if script == "Kana":
        return _kana(text), script
    if script == "Grek":
        # Modern Greek writes u as "ου" and g, b, d as "γκ", "μπ", "ντ" (Σεργκέι is Sergei); anyascii
        # spells them letter by letter ("oy", "gk", "mp", "nt").
        text = _GREEK_DIGRAPHS.sub(_greek_digraph, text)
    return anyascii(text), script
