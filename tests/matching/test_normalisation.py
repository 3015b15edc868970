"""Normalisation, transliteration and legal-form rows: what two spellings become."""

from __future__ import annotations

import pytest

from service.matching.phonetic import skeleton
from service.matching.scripts import to_latin
from service.matching.text import normalise

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


@pytest.mark.parametrize(
    ("raw", "parts"),
    [
        ("AL-QA'IDA", ("al", "qaida")),
        ("Al Qaida", ("al", "qaida")),
        ("MADURO MOROS, Nicolás", ("maduro", "moros", "nicolas")),
        ("Ｍａｄｕｒｏ", ("maduro",)),  # full-width letters (NFKC)
        ("Straße Müller-Lüdenscheidt", ("strasse", "muller", "ludenscheidt")),
        ("Sheikh Mohammed bin Rashid", ("mohammed", "bin", "rashid")),
        ("Dr. Ayman al-Zawahiri", ("ayman", "al", "zawahiri")),
        ("Abd al-Rahman", ("abdul", "rahman")),
        ("Abdel Rahman", ("abdul", "rahman")),
        ("Abdulrahman", ("abdul", "rahman")),
        ("Abdullah", ("abdullah",)),
        ("Usama ibn Ladin", ("usama", "bin", "ladin")),
        ("Nur ad-Din", ("nur", "al", "din")),
        ("Ministry of Defence of the Republic", ("ministry", "defence", "republic")),
    ],
)
def test_normalised_parts(raw: str, parts: tuple[str, ...]) -> None:
    assert normalise(raw).tokens == parts


@pytest.mark.parametrize(
    ("raw", "parts", "form"),
    [
        ("Romashka LLC", ("romashka",), "limited"),
        ("OOO Romashka", ("romashka",), "limited"),
        ("ООО «Ромашка»", ("romashka",), "limited"),
        ("Romashka Limited Liability Company", ("romashka",), "limited"),
        ("Romashka Co., Ltd.", ("romashka",), "limited"),
        ("Romashka Company Limited", ("romashka",), "limited"),
        ("Romashka L.L.C.", ("romashka",), "limited"),
        ("Romashka GmbH", ("romashka",), "limited"),
        ("华为技术有限公司", ("huawei", "jishu"), "limited"),
        ("Rosneft JSC", ("rosneft",), "stock"),
        ("AO Rosneft", ("rosneft",), "stock"),
        ("АО Роснефть", ("rosneft",), "stock"),
        ("PAO Rosneft", ("rosneft",), "stock"),
        ("Rosneft Public Joint Stock Company", ("rosneft",), "stock"),
        ("Siemens AG", ("siemens",), "stock"),
        ("Acme Inc.", ("acme",), "corporation"),
        ("LLC", ("llc",), None),  # a legal form alone stays a name
        ("Pat Smith", ("pat", "smith"), None),  # ambiguous forms are not removed from person names
    ],
)
def test_legal_forms(raw: str, parts: tuple[str, ...], form: str | None) -> None:
    result = normalise(raw)
    assert (result.tokens, result.legal_form) == (parts, form)


@pytest.mark.parametrize(
    ("native", "latin", "script"),
    [
        ("Евгений Пригожин", "Evgeniy Prigozhin", "Cyrl"),
        ("Олександр Коваленко", "Oleksandr Kovalenko", "Cyrl"),
        ("Аляксандр Лукашэнка", "Alyaksandr Lukashenka", "Cyrl"),
        ("أيمن الظواهري", "aimn al zwahri", "Arab"),
        ("یوسف", "yusf", "Arab"),
        ("习近平", "xi jinping", "Hani"),
        ("张晓明", "zhang xiaoming", "Hani"),
        ("김정은", "kim jongun", "Hang"),
        ("タナカ ケンジ", "tanaka kenji", "Kana"),
        ("Αλέξανδρος Παπαδόπουλος", "Alexandros Papadopoulos", "Grek"),
    ],
)
def test_transliteration(native: str, latin: str, script: str) -> None:
    assert to_latin(native) == (latin, script)


@pytest.mark.parametrize(
    "spellings",
    [
        ("mohammed", "muhammad", "mohamed", "mohammad", "muhamad"),
        ("yevgeny", "evgeny", "evgeniy", "jevgenij", "yevgeniy"),
        ("oleksandr", "aleksandr", "alexander", "aliaksandr", "alyaksandr"),
        ("sergey", "serhiy", "siarhei", "sergei"),
        ("yusuf", "yousef", "yusf", "youssef"),
        ("hussein", "husayn", "hosein"),
    ],
)
def test_spelling_variants_share_a_phonetic_key(spellings: tuple[str, ...]) -> None:
    assert len({skeleton(spelling) for spelling in spellings}) == 1
