"""The policy data in lists/policy: loads, every entry cites a source, reloads on change, bad edits fail clearly.

Tests that edit the policy work on a copy of lists/policy in tmp_path (our own small files, not
list data).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest

from service.orders.classify import (
    categories_from_listing,
    classify_item,
    destinations_in_text,
    end_user_categories,
    regions_in_text,
)
from service.orders.policy import POLICY_FILES, REASON_CODES, Policy, PolicyError, load_policy
from service.orders.policy_model import Citation
from service.orders.policy_schemas import PolicyOut
from service.orders.store import PolicyStore
from service.sources.parsers.base import SourceFile
from service.sources.parsers.us_csl import parse_us_csl_csv

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

POLICY_DIR = Path(__file__).resolve().parents[2] / "lists" / "policy"
POLICE_SECURITY = 'label = "Police and public security"\nsecurity = true'


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(POLICY_DIR.parent)


@pytest.fixture
def policy_copy(tmp_path: Path) -> Path:
    target = tmp_path / "policy"
    shutil.copytree(POLICY_DIR, target)
    return target


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture text not found in {name}: {old!r}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    # A later mtime even on coarse-grained file systems; the store compares (mtime, size).
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def cited_entries(policy: Policy) -> list[tuple[str, tuple[Citation, ...]]]:
    entries: list[tuple[str, Any]] = [
        *((f"rules.{k}", v) for k, v in policy.rules.items()),
        *((f"list_sources.{k}", v) for k, v in policy.list_sources.items()),
        *((f"destination {d.id}", d) for d in policy.destinations),
        *((f"high_risk {k}", v) for k, v in policy.high_risk.items()),
        ("eu001", policy.eu001),
        ("eu_member_states", policy.eu_member_states),
        *((f"end-user category {k}", v) for k, v in policy.end_user_categories.items()),
        *((f"list_implies {i}", v) for i, v in enumerate(policy.list_implies)),
        *((f"region {r.id}", r) for r in policy.regions),
        *((f"product category {k}", v) for k, v in policy.product_categories.items()),
        *((f"control code {c.code}", c) for c in policy.control_codes),
    ]
    assert all(is_dataclass(entry) and "sources" in {f.name for f in fields(entry)} for _, entry in entries)
    return [(label, entry.sources) for label, entry in entries]


def test_the_shipped_policy_loads_with_a_version(policy: Policy) -> None:
    assert policy.version == "2026-11-24"
    assert len(policy.digest) == 64
    assert policy.version_id == f"2026-11-24+{policy.digest[:12]}"
    assert set(REASON_CODES) <= set(policy.rules)
    assert policy.eu001.countries == {"AU", "CA", "IS", "JP", "NZ", "NO", "CH", "LI", "GB", "US"}
    assert len(policy.eu_member_states.countries) == 27
    assert {"CN", "RU", "IR"} <= set(policy.high_risk)


def test_every_entry_cites_a_source_with_a_checked_date(policy: Policy) -> None:
    entries = cited_entries(policy)
    assert len(entries) > 60
    for label, sources in entries:
        assert sources, label
        for citation in sources:
            assert citation.act or citation.url, label
            assert citation.url is None or citation.url.startswith("https://"), label
            assert citation.checked.year >= 2026, label


def test_the_version_changes_with_the_bytes(policy_copy: Path, policy: Policy) -> None:
    edit(policy_copy, "regions.toml", '"Urumqi",', '"Urumqi", "Ürümchi",')
    changed = load_policy(policy_copy)
    assert changed.version == policy.version
    assert changed.digest != policy.digest


@pytest.mark.parametrize(
    ("text", "country", "expected"),
    [
        ("ул. Ленина 1, Севастополь", None, "ua-sevastopol"),
        ("вул. Леніна 1, Сімферополь", "UA", "ua-crimea"),
        ("Simferopol, Crimea", None, "ua-crimea"),
        ("Qırım Muhtar Cumhuriyeti", None, "ua-crimea"),
        ("г. Донецк", "RU", "ua-donetsk"),
        ("м. Луганськ", None, "ua-luhansk"),
        ("Мелитополь, Запорожская область", None, "ua-zaporizhzhia-ngca"),
        ("平壤", None, "kp"),
        ("تهران", None, "ir"),
    ],
)
def test_embargoed_places_are_recognised_in_any_script(
    text: str, country: str | None, expected: str, policy: Policy
) -> None:
    assert expected in [hit.destination.id for hit in destinations_in_text(text, country, policy)]


@pytest.mark.parametrize(
    ("text", "country"),
    [("Sebastopol, CA 95472", "US"), ("Moscow, Idaho", "US"), ("Berlin", "DE")],
)
def test_names_that_exist_elsewhere_need_the_right_country(text: str, country: str, policy: Policy) -> None:
    assert destinations_in_text(text, country, policy) == []


@pytest.mark.parametrize(
    ("text", "country", "found"),
    [
        ("乌鲁木齐市天山区", "CN", True),
        ("喀什地区", None, True),
        ("和田市", "CN", True),
        ("Hotan, Xinjiang", "CN", True),
        ("Ghulja", None, True),
        ("新疆生产建设兵团第一师", None, True),
        ("XPCC 8th Division, Shihezi", None, True),
        ("Aksu, Antalya", "TR", False),
        ("東京都港区和田", "JP", False),
        ("上海市浦东新区", "CN", False),
    ],
)
def test_xinjiang_is_recognised_in_latin_and_chinese(
    text: str, country: str | None, found: bool, policy: Policy
) -> None:
    assert bool(regions_in_text(text, country, policy)) is found


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("上海市公安局", "police_public_security"),
        ("乌鲁木齐市公安局天山区分局", "police_public_security"),
        ("ГУ МВД России по г. Москве", "police_public_security"),
        ("Полиция Республики Крым", "police_public_security"),
        ("مديرية الأمن العام", "police_public_security"),
        ("中国人民武装警察部队新疆总队", "armed_police"),
        ("Управление Росгвардии", "armed_police"),
        ("中国人民解放军61398部队", "military"),
        ("Ministry of Defence", "military"),
        ("ФСБ России", "intelligence_state_security"),
        ("المخابرات العامة", "intelligence_state_security"),
        ("国家安全局", "intelligence_state_security"),
        ("第一监狱", "prison_detention"),
        ("ФКУ СИЗО-1", "prison_detention"),
        ("Исправительная колония № 2", "prison_detention"),
        ("墨玉县职业技能教育培训中心", "vocational_training_centre"),
        ("Xinjiang University", "university_research"),
        ("新疆大学", "university_research"),
        ("Московский государственный университет", "university_research"),
        ("جامعة دمشق", "university_research"),
    ],
)
def test_end_user_categories_in_chinese_russian_arabic_english(name: str, category: str, policy: Policy) -> None:
    assert category in end_user_categories([name], policy)


@pytest.mark.parametrize("name", ["Mizuho Bank, Ltd.", "MediaMarkt Berlin", "Siemens AG", "Sebastopol Hardware Inc."])
def test_ordinary_businesses_have_no_end_user_category(name: str, policy: Policy) -> None:
    assert end_user_categories([name], policy) == {}


@pytest.mark.parametrize(
    ("categories", "eccn", "eu", "description", "expected", "controlled"),
    [
        ([], None, None, "Gesichtserkennung Server", {"facial_recognition"}, False),
        ([], None, None, "人脸识别终端", {"facial_recognition"}, False),
        (["general"], None, None, "情绪识别", {"general", "emotion_recognition"}, False),
        ([], None, "5A001.j.1", None, {"deep_packet_inspection", "lawful_interception"}, True),
        ([], "4D004", None, None, {"intrusion_software"}, True),
        ([], None, "5a004.b", None, {"mobile_forensics"}, True),
        ([], None, "3A001.a.1", None, {"general"}, True),
        ([], "5A992.c", None, "VPN router", {"general"}, False),
        ([], None, None, "600 dpi document scanner", {"general"}, False),
        ([], None, None, "Studio-Monitor 监听耳机", {"general"}, False),
    ],
)
def test_product_classification(
    categories: list[str],
    eccn: str | None,
    eu: str | None,
    description: str | None,
    expected: set[str],
    controlled: bool,
    policy: Policy,
) -> None:
    result = classify_item(categories=categories, eccn=eccn, eu_dual_use=eu, description=description, policy=policy)
    assert (set(result.categories), result.controlled) == (expected, controlled)


def test_unknown_category_and_code_are_reported_not_raised(policy: Policy) -> None:
    result = classify_item(categories=["teleporter"], eccn="ZZ-1", eu_dual_use=None, description=None, policy=policy)
    assert result.unknown_categories == ("teleporter",)
    assert [c.code for c in result.unknown_codes] == ["ZZ-1"]


@pytest.mark.parametrize(
    ("name", "old", "new", "message"),
    [
        (
            "destinations.toml",
            ', checked = 2026-11-24 },\n  { act = "US Executive Order 13685 of 19 December 2014, sec. 1"',
            ' },\n  { act = "US Executive Order 13685 of 19 December 2014, sec. 1"',
            "destinations.toml: destination[0].sources[0].checked: missing",
        ),
        (
            "end_users.toml",
            POLICE_SECURITY,
            POLICE_SECURITY.replace("true", '"yes"'),
            "end_users.toml: categories.police_public_security.security: expected true or false",
        ),
        (
            "destinations.toml",
            'country = "KP"',
            'country = "XX"',
            "destinations.toml: destination[6].country: 'XX' is not an ISO",
        ),
        ("products.toml", 'regime = "both"', 'regime = "CN"', "products.toml: control_code[0].regime"),
        ("regions.toml", 'nexus = "xinjiang_nexus"', 'nexus = "xinjiang_nexsu"', "regions.toml: region[0].nexus"),
        (
            "policy.toml",
            "[rules.missing_end_user]",
            "[rules.missing_end_usr]",
            "policy.toml: rules: missing entries for missing_end_user",
        ),
        ("policy.toml", 'version = "2026-11-24"', 'version = "2026-11-24', "policy.toml: not valid TOML"),
        (
            "destinations.toml",
            'measures = { EU = ["comprehensive"], US = ["comprehensive"] }',
            'measures = { EU = ["embargo"] }',
            "destinations.toml: destination[0].measures.EU: unknown measure 'embargo'",
        ),
        (
            "products.toml",
            "[categories.general]",
            "[categories.general]\nkeyword = []",
            "products.toml: categories.general.keyword: unknown key",
        ),
    ],
    ids=[
        "missing checked date",
        "wrong type",
        "bad country",
        "bad regime",
        "bad nexus code",
        "rule missing",
        "not TOML",
        "unknown measure",
        "unknown key",
    ],
)
def test_a_bad_file_fails_with_file_and_key(policy_copy: Path, name: str, old: str, new: str, message: str) -> None:
    edit(policy_copy, name, old, new)
    with pytest.raises(PolicyError) as caught:
        load_policy(policy_copy)
    assert message in caught.value.detail
    assert caught.value.status == 503


def test_a_missing_file_is_named(policy_copy: Path) -> None:
    (policy_copy / "regions.toml").unlink()
    with pytest.raises(PolicyError, match=r"regions\.toml: cannot read"):
        load_policy(policy_copy)


def test_the_store_reloads_when_a_file_changes(policy_copy: Path) -> None:
    store = PolicyStore(policy_copy, check_interval=0)
    before = store.get()
    edit(policy_copy, "policy.toml", 'version = "2026-11-24"', 'version = "2026-12-01"')
    after = store.get()
    assert (after.version, after.digest != before.digest) == ("2026-12-01", True)
    assert store.last_error is None


def test_the_store_keeps_the_last_good_policy_after_a_broken_edit(policy_copy: Path) -> None:
    store = PolicyStore(policy_copy, check_interval=0)
    good = store.get()
    edit(policy_copy, "end_users.toml", POLICE_SECURITY, POLICE_SECURITY.replace("true", '"yes"'))
    assert store.get() is good
    assert store.last_error is not None and "end_users.toml" in store.last_error
    with pytest.raises(PolicyError):
        store.reload()


def test_the_store_does_not_reparse_unchanged_files(policy_copy: Path) -> None:
    store = PolicyStore(policy_copy, check_interval=0)
    first = store.get()
    for name in POLICY_FILES:
        path = policy_copy / name
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # touched, same bytes
    assert store.get() is first


def test_the_policy_view_lists_every_source(policy: Policy) -> None:
    body = PolicyOut.of(policy).model_dump(mode="json")
    assert body["version_id"] == policy.version_id
    assert {d["id"] for d in body["destinations"]} >= {"ua-crimea", "ua-donetsk", "kp", "ir", "cu", "ru", "by"}
    assert all(d["sources"] for d in body["destinations"])
    assert body["eu001"] == ["AU", "CA", "CH", "GB", "IS", "JP", "LI", "NO", "NZ", "US"]
    assert {"5A001.J", "4A005", "4D004", "5D001.E"} <= {c["code"] for c in body["control_codes"]}


def test_real_csl_military_end_user_rows_imply_a_military_end_user(lists_data_dir: Path, policy: Policy) -> None:
    path = lists_data_dir / "us_csl" / "consolidated_EXCERPT_2025.csv"
    parsed = parse_us_csl_csv([SourceFile(path.name, path.read_bytes())])
    meu = [entry for entry in parsed.entries if "MEU" in entry.programs]
    assert meu
    for entry in meu:
        assert "military" in categories_from_listing("us_trade_csl", entry.name, entry.programs, policy)
    others = [e for e in parsed.entries if not {"MEU", "CMIC"} & set(e.programs)]
    implied = [categories_from_listing("us_trade_csl", e.name, e.programs, policy).get("military") for e in others]
    assert [e.name for e, m in zip(others, implied, strict=True) if m and any("program" in x for x in m)] == []
