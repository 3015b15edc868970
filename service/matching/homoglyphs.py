"""Letters that look alike across scripts, and digits written for letters: known evasion tricks.

A Latin "P" inside a Cyrillic word ("Pуслан") reads as Cyrillic Р (R) to a person but would be
transliterated as a Latin P; a Cyrillic "а" inside a Latin word ("Nicolаs") hides the word from
an exact lookup. A word whose letters mix Latin with Cyrillic or Greek is rewritten in its
majority script, letter by letter, through the look-alike table. Digits between letters
("S3rgei Lavr0v") are read as the letters they imitate.
"""

from __future__ import annotations

import re

from service.unicode_scripts import block_script, script_counts

# Latin letter -> the Cyrillic and Greek letters drawn the same way.
_LOOK_ALIKES: dict[str, tuple[str, str]] = {
    "A": ("А", "Α"), "B": ("В", "Β"), "C": ("С", ""), "E": ("Е", "Ε"), "H": ("Н", "Η"), "I": ("І", "Ι"),
    "J": ("Ј", ""), "K": ("К", "Κ"), "M": ("М", "Μ"), "N": ("", "Ν"), "O": ("О", "Ο"), "P": ("Р", "Ρ"),
    "S": ("Ѕ", ""), "T": ("Т", "Τ"), "X": ("Х", "Χ"), "Y": ("У", "Υ"), "Z": ("", "Ζ"),
    "a": ("а", ""), "c": ("с", ""), "e": ("е", ""), "i": ("і", ""), "j": ("ј", ""), "o": ("о", "ο"),
    "p": ("р", "ρ"), "s": ("ѕ", ""), "x": ("х", "χ"), "y": ("у", "γ"),
}  # fmt: skip
_TO_CYRILLIC = {latin: pair[0] for latin, pair in _LOOK_ALIKES.items() if pair[0]}
_TO_GREEK = {latin: pair[1] for latin, pair in _LOOK_ALIKES.items() if pair[1]}
_TO_LATIN = {other: latin for latin, pair in _LOOK_ALIKES.items() for other in pair if other}
_TABLES = {"Cyrl": _TO_CYRILLIC, "Grek": _TO_GREEK}

# Digits as the letters they imitate, only between letters or before letters (a trailing
# number, as in "HORMUZ 2" or "MARGARITA1", is a number).
_DIGIT_LETTERS = {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g"}
_DIGIT_IN_WORD = re.compile(r"(?<=[a-z])[0134579](?=[a-z])|^[0134579](?=[a-z]{2})")


def _script(char: str) -> str | None:
    """Latn for an ASCII letter, else the character's block: Latin letters count against look-alikes."""
    return block_script(char, ascii_latin=True)


def _unmix_word(word: str) -> str:
    counts = script_counts(word, _script, letters_only=False)
    if len(counts) < 2:
        return word
    majority = max(counts, key=counts.__getitem__)
    if majority not in ("Latn", "Cyrl", "Grek"):
        return word
    if majority == "Latn":
        return "".join(_TO_LATIN.get(char, char) for char in word)
    table = _TABLES[majority]
    return "".join(table.get(char, char) for char in word)


def unmix_scripts(text: str) -> str:
    """Each word that mixes Latin with Cyrillic or Greek letters, in its majority script."""
    if text.isascii():
        return text
    return " ".join(_unmix_word(word) for word in text.split(" "))


def digits_as_letters(token: str) -> str:
    """A lower-case ASCII part with digits read as letters where they stand inside a word."""
    if token.isalpha() or token.isdigit():
        return token
    return _DIGIT_IN_WORD.sub(lambda match: _DIGIT_LETTERS[match.group(0)], token)
