"""Script detection for names (ISO 15924 codes), used by every parser for `Alias.script`."""

from __future__ import annotations

import pytest

from service.unicode_scripts import alias_script, detect_script

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent


@pytest.mark.parametrize(
    ("text", "script"),
    [
        ("Vladimir Putin", "Latn"),
        ("Müller Çelik Øster", "Latn"),
        ("Владимир Путин", "Cyrl"),
        ("Віктар Уладзіміравіч", "Cyrl"),
        ("محمد صلاح الدين", "Arab"),
        ("سيامک ره\u200cپيک", "Arab"),  # Persian with a zero-width non-joiner
        ("朝鲜联合机械贸易会社", "Hani"),
        ("김정은", "Hang"),
        ("ウサマ・ビン・ラディン", "Jpan"),  # Katakana
        ("アブ・ウマル・アル・シシャニ（ロシア語）", "Jpan"),
        ("東京 ひらがな", "Jpan"),  # Han with kana is Japanese, not Chinese
        ("Εταιρία περιορισμένης ευθύνης", "Grek"),
        ("עבד אלרחמן", "Hebr"),
        ("Տիգրան Քեոսայան", "Armn"),
        ("ნინო", "Geor"),
        ("ＡＢＣ", "Latn"),  # fullwidth Latin
        ("Банк Rossiya Bank", "Latn"),  # the majority of letters decides
        ("LLC «Интер Тобако»", "Cyrl"),
        ("12345 -- ()", None),
        ("", None),
    ],
)
def test_detect_script(text: str, script: str | None) -> None:
    assert detect_script(text) == script


@pytest.mark.parametrize(
    ("text", "script"),
    [("Vladimir Putin", None), ("Владимир Путин", "Cyrl"), ("123", None), ("القاعدة", "Arab")],
)
def test_alias_script_leaves_latin_as_the_default(text: str, script: str | None) -> None:
    assert alias_script(text) == script
