"""Order rules, table-driven from the Amnesty 2020 cases, their benign counterparts and the embargo rules.

Each row is an order as the ERP sends it (validated through OrderRequest, as the route will)
and the decision and reason codes a user sees. Parties here have no list matches unless the
row says so; list matches come in as PartyOutcome the way the route will pass them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from service.orders.policy import Policy, load_policy
from service.orders.rules import (
    MatchedListing,
    OrderEvaluation,
    PartyOutcome,
    evaluate_order,
    unscreened_outcomes,
)
from service.orders.schemas import OrderRequest, OrderResponse, PartyScreeningSummary, party_outcome, party_summary
from service.screening.schemas import MatchOut, ScreenResponse

# Never touches the store: it runs once, on the SQLite pass (tests/conftest.py).
pytestmark = pytest.mark.store_independent

LISTS_DIR = Path(__file__).resolve().parents[2] / "lists"


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy(LISTS_DIR)


def order(
    destination: str | None, parties: list[dict[str, Any]], items: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    return {"reference": "SO-1", "destination_country": destination, "parties": parties, "items": items, **extra}


def end_user(name: str, country: str | None = None, address: str | None = None) -> dict[str, Any]:
    return {"role": "end_user", "name": name, "country": country, "address": address}


def item(sku: str, *categories: str, description: str | None = None, **codes: str) -> dict[str, Any]:
    return {"sku": sku, "quantity": 10, "categories": list(categories), "description": description, **codes}


def evaluate(raw: dict[str, Any], policy: Policy, outcomes: list[PartyOutcome] | None = None) -> OrderEvaluation:
    request = OrderRequest.model_validate(raw)
    return evaluate_order(request, outcomes if outcomes is not None else unscreened_outcomes(request.parties), policy)


CASES: list[tuple[str, dict[str, Any], str, set[str]]] = [
    # --- Amnesty 2020: facial recognition to the Shanghai Public Security Bureau
    (
        "facial recognition to Shanghai PSB (Chinese script)",
        order("CN", [end_user("上海市公安局", "CN", "上海市黄浦区福州路185号")], [item("FR-1", "facial_recognition")]),
        "block",
        {"human_rights_risk"},
    ),
    (
        "facial recognition to Shanghai PSB (English, classified from the description)",
        order(
            "CN",
            [end_user("Shanghai Municipal Public Security Bureau", "CN", "185 Fuzhou Road, Huangpu, Shanghai")],
            [item("FR-1", description="Face recognition search platform, 10M faces")],
        ),
        "block",
        {"human_rights_risk"},
    ),
    # --- Amnesty 2020: network cameras for police "Skynet" projects
    (
        "network cameras to a city PSB for Skynet (Chinese)",
        order(
            "CN",
            [
                {"role": "sold_to", "name": "重庆中科集成有限公司", "country": "CN"},
                end_user("重庆市公安局", "CN", "重庆市渝中区"),
            ],
            [item("AXIS-Q6", "network_camera")],
            end_use="天网工程",
        ),
        "block",
        {"human_rights_risk"},
    ),
    (
        "network cameras for the city police's Skynet project, end user named only by the integrator",
        order(
            "CN",
            [end_user("Guangzhou Smart City Integration Co., Ltd.", "CN", "Tianhe District, Guangzhou")],
            [item("AXIS-Q6", description="PTZ network camera")],
            end_use="Skynet project of the municipal police",
        ),
        "block",
        {"human_rights_risk"},
    ),
    (
        "network cameras to an unrecognised company in China: due diligence",
        order(
            "CN", [end_user("Hangzhou Yuntian Trading Co., Ltd.", "CN", "Hangzhou")], [item("CAM", "network_camera")]
        ),
        "review",
        {"human_rights_risk"},
    ),
    # --- Amnesty 2020: emotion recognition to public-security institutes and universities in Xinjiang
    (
        "emotion recognition to the Xinjiang Police College (Chinese)",
        order(
            "CN", [end_user("新疆警察学院", "CN", "新疆乌鲁木齐市水磨沟区")], [item("ER-1", description="情绪识别软件")]
        ),
        "block",
        {"xinjiang_nexus"},
    ),
    (
        "emotion recognition to a public security bureau in Kashgar (Latin city name)",
        order(
            "CN",
            [end_user("Kashi Prefecture Public Security Bureau", "CN", "Kashi")],
            [item("ER-1", "emotion_recognition")],
        ),
        "block",
        {"xinjiang_nexus"},
    ),
    (
        "emotion recognition to Xinjiang University in Urumqi (English)",
        order(
            "CN",
            [end_user("Xinjiang University", "CN", "666 Shengli Road, Tianshan District, Urumqi")],
            [item("ER-1", "emotion_recognition")],
        ),
        "review",
        {"xinjiang_nexus"},
    ),
    (
        "emotion recognition to a university in Urumqi (Chinese)",
        order("CN", [end_user("新疆大学", "CN", "乌鲁木齐市天山区胜利路666号")], [item("ER-1", "emotion_recognition")]),
        "review",
        {"xinjiang_nexus"},
    ),
    (
        "XPCC company buying facial recognition through an intermediary",
        order(
            "CN",
            [
                {"role": "intermediary", "name": "Beijing Huitong Trading Co.", "country": "CN"},
                end_user("新疆生产建设兵团第一师公安局", "CN", "阿拉尔市"),
            ],
            [item("FR-1", "facial_recognition")],
        ),
        "block",
        {"xinjiang_nexus"},
    ),
    # --- benign counterparts
    (
        "the same cameras to a retailer in Germany",
        order(
            "DE",
            [end_user("MediaMarkt Berlin-Alexanderplatz", "DE", "Alexanderplatz 1, 10178 Berlin")],
            [item("AXIS-Q6", "network_camera", description="Netzwerkkamera")],
        ),
        "clear",
        set(),
    ),
    (
        "facial recognition for a bank's branch security in Japan",
        order(
            "JP",
            [end_user("Mizuho Bank, Ltd.", "JP", "1-5-5 Otemachi, Chiyoda-ku, Tokyo")],
            [item("FR-1", "facial_recognition")],
            end_use="Branch security: access control for staff areas",
        ),
        "clear",
        set(),
    ),
    (
        "camera to a company in Aksu, Antalya (Turkey), not Aksu in Xinjiang",
        order("TR", [end_user("Aksu Otel İşletmeleri A.Ş.", "TR", "Aksu, Antalya")], [item("CAM", "network_camera")]),
        "clear",
        set(),
    ),
    (
        "cameras to a shop in Sebastopol, California",
        order(
            "US",
            [end_user("Sebastopol Hardware Inc.", "US", "660 Gravenstein Hwy N, Sebastopol, CA")],
            [item("C", "general")],
        ),
        "clear",
        set(),
    ),
    (
        "facial recognition for the police in Germany: a security end user outside the high-risk list",
        order(
            "DE", [end_user("Polizeipräsidium München (Bavarian police)", "DE")], [item("FR-1", "facial_recognition")]
        ),
        "review",
        {"human_rights_risk"},
    ),
    # --- embargoes (addresses in any script)
    (
        "a country name inside a company name is not a destination",
        order("DE", [end_user("Cuba Libre Bar GmbH", "DE", "Schanzenstr. 1, Hamburg")], [item("P", "general")]),
        "clear",
        set(),
    ),
    (
        "an occupied region in the company name",
        order(None, [end_user("Crimean Sea Ports LLC", None, "Port Street 1")], [item("P", "general")]),
        "block",
        {"embargoed_destination"},
    ),
    (
        "address in Sevastopol (Cyrillic), no country given",
        order(None, [end_user("ООО Ромашка", None, "ул. Ленина 1, г. Севастополь")], [item("P", "general")]),
        "block",
        {"embargoed_destination"},
    ),
    (
        "address in Simferopol, Crimea, declared as Ukraine",
        order("UA", [end_user("Krym Agro LLC", "UA", "vul. Pushkina 5, Simferopol")], [item("P", "general")]),
        "block",
        {"embargoed_destination"},
    ),
    (
        "address in Донецк with a Russian country code",
        order("RU", [end_user("ООО Восток", "RU", "г. Донецк, ул. Артема 10")], [item("P", "general")]),
        "block",
        {"embargoed_destination", "sectoral_sanctions"},
    ),
    (
        "Kherson city (government-controlled): review, not block",
        order("UA", [end_user("Pivden Trade LLC", "UA", "vul. Ushakova 12, Kherson")], [item("P", "general")]),
        "review",
        {"embargoed_destination"},
    ),
    (
        "North Korea",
        order("KP", [end_user("Korea Trading Corp", "KP", "Pyongyang")], [item("P", "general")]),
        "block",
        {"embargoed_destination"},
    ),
    (
        "Cuba: US embargo only, EU Blocking Statute: review",
        order("CU", [end_user("Hotel Nacional", "CU", "La Habana")], [item("P", "general")]),
        "review",
        {"foreign_embargo"},
    ),
    (
        "IP network surveillance to Iran",
        order("IR", [end_user("Pars Data Co.", "IR", "Tehran")], [item("DPI-1", eu_dual_use="5A001.j")]),
        "block",
        {"dual_use_ban", "foreign_embargo", "human_rights_risk", "licence_required", "surveillance_ban"},
    ),
    # --- dual-use bans and licences
    (
        "controlled encryption item to Russia",
        order("RU", [end_user("OOO Tekhnologii", "RU", "Moscow")], [item("VPN-1", eu_dual_use="5A002.a")]),
        "block",
        {"dual_use_ban", "licence_required", "sectoral_sanctions"},
    ),
    (
        "controlled item to Belarus (Cyrillic address, no country)",
        order(None, [end_user("ОАО Интеграл", None, "г. Минск, ул. Казинца 121А")], [item("X", eccn="5A002")]),
        "block",
        {"dual_use_ban", "licence_required", "sectoral_sanctions"},
    ),
    (
        "controlled item to Brazil: outside EU001",
        order("BR", [end_user("Banco Exemplo S.A.", "BR", "São Paulo")], [item("HSM-1", eu_dual_use="5A002.a")]),
        "review",
        {"licence_required"},
    ),
    (
        "controlled item to Norway: EU001",
        order("NO", [end_user("Equinor ASA", "NO")], [item("HSM-1", eu_dual_use="5A002.a")]),
        "clear",
        set(),
    ),
    (
        "controlled item to France: intra-EU",
        order("FR", [end_user("Thales SA", "FR")], [item("HSM-1", eu_dual_use="5A002.a")]),
        "clear",
        set(),
    ),
    ("EAR99 item to Brazil", order("BR", [end_user("Loja Exemplo", "BR")], [item("X", eccn="EAR99")]), "clear", set()),
    # --- missing information and unknown vocabulary
    (
        "facial recognition without an end-user party",
        order(
            "BR",
            [{"role": "sold_to", "name": "Distribuidora Exemplo Ltda", "country": "BR"}],
            [item("FR-1", "facial_recognition")],
        ),
        "review",
        {"missing_end_user"},
    ),
    (
        "unknown category",
        order("DE", [end_user("Beispiel GmbH", "DE")], [item("Q-1", "quantum_sensor")]),
        "review",
        {"unknown_category"},
    ),
    (
        "malformed control code",
        order("DE", [end_user("Beispiel GmbH", "DE")], [item("Q-1", eu_dual_use="XYZ-12")]),
        "review",
        {"unknown_category"},
    ),
]


@pytest.mark.parametrize(("case", "raw", "decision", "codes"), CASES, ids=[c[0] for c in CASES])
def test_order_decision_and_reason_codes(
    case: str, raw: dict[str, Any], decision: str, codes: set[str], policy: Policy
) -> None:
    evaluation = evaluate(raw, policy)
    assert (evaluation.decision, set(evaluation.codes())) == (decision, codes), [r.message for r in evaluation.reasons]


def test_every_reason_cites_rule_and_legal_basis(policy: Policy) -> None:
    raw = order("CN", [end_user("上海市公安局", "CN")], [item("FR-1", "facial_recognition", eu_dual_use="5A001.j")])
    evaluation = evaluate(raw, policy)
    assert evaluation.reasons
    for reason in evaluation.reasons:
        assert reason.rule and reason.legal_basis
        assert "2021/821" in reason.legal_basis or "Regulation" in reason.legal_basis


def test_reason_names_party_and_item_and_the_term_that_matched(policy: Policy) -> None:
    raw = order(
        "CN",
        [{"role": "sold_to", "name": "Distributor Co", "country": "CN"}, end_user("上海市公安局", "CN")],
        [item("FR-1", "facial_recognition")],
    )
    (reason,) = evaluate(raw, policy).reasons
    assert reason.party is not None and (reason.party.index, reason.party.role) == (1, "end_user")
    assert reason.item is not None and reason.item.sku == "FR-1"
    assert "公安局" in reason.message
    assert "authorisation required" in reason.message


def listed(
    index: int, role: str, name: str, decision: str, *programs: str, source: str = "us_trade_csl"
) -> PartyOutcome:
    match = MatchedListing(source, "E-1", name, 0.97 if decision == "block" else 0.85, decision, programs)  # type: ignore[arg-type]
    return PartyOutcome(index, role, name, "CN", None, decision, [match])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("outcome", "items", "decision", "codes"),
    [
        (listed(0, "end_user", "Hikvision", "block"), [item("P", "general")], "block", {"party_match"}),
        (listed(0, "end_user", "Acme Ltd", "review"), [item("P", "general")], "review", {"party_match"}),
        # A match on the Military End-User list makes the party a military end user, whatever its name.
        (
            listed(
                0,
                "end_user",
                "Beijing Innovation Co",
                "block",
                "Military End User (MEU) List - Bureau of Industry and Security",
            ),
            [item("CAM", "network_camera")],
            "block",
            {"party_match", "human_rights_risk", "military_end_use"},
        ),
    ],
    ids=["certain match blocks", "possible match reviews", "MEU match is a military end user"],
)
def test_listed_party(
    outcome: PartyOutcome, items: list[dict[str, Any]], decision: str, codes: set[str], policy: Policy
) -> None:
    raw = order("CN", [end_user(outcome.name, "CN")], items)
    evaluation = evaluate(raw, policy, [outcome])
    assert (evaluation.decision, set(evaluation.codes())) == (decision, codes)


def test_response_model_carries_the_evaluation(policy: Policy) -> None:
    raw = order("CN", [end_user("上海市公安局", "CN")], [item("FR-1", "facial_recognition")])
    evaluation = evaluate(raw, policy)
    summary = PartyScreeningSummary(role="end_user", name="上海市公安局", decision="clear", matches=[])
    response = OrderResponse.of(evaluation, [summary], reference="SO-1")
    body = response.model_dump()
    assert body["decision"] == "block"
    assert body["reasons"][0]["party"] == {"index": 0, "role": "end_user", "name": "上海市公安局"}
    assert body["reasons"][0]["item"] == {"index": 0, "sku": "FR-1"}
    assert body["policy_version"] == policy.version_id


def test_screening_results_map_to_party_outcomes_and_cleared_matches_drop_out(policy: Policy) -> None:
    request = OrderRequest.model_validate(
        order("CN", [end_user("Beijing Innovation Co", "CN")], [item("CAM", "network_camera")])
    )

    def match(entity_id: str, cleared: bool) -> MatchOut:
        return MatchOut(
            source="us_trade_csl", entity_id=entity_id, name="BEIJING INNOVATION", matched_name="BEIJING INNOVATION",
            type="organization", score=0.99, decision="block", programs=["Military End User (MEU) List"],
            countries=["CN"], explanation=[], cleared=cleared,
        )  # fmt: skip

    def screening(*matches: MatchOut) -> ScreenResponse:
        return ScreenResponse(
            screening_id="s-1", decision="block", screened_at=datetime(2026, 11, 24, tzinfo=UTC),
            matches=list(matches), lists=[],
        )  # fmt: skip

    listed_outcome = party_outcome(0, request.parties[0], screening(match("M-1", cleared=False)))
    cleared_outcome = party_outcome(0, request.parties[0], screening(match("M-1", cleared=True)))
    assert set(evaluate_order(request, [listed_outcome], policy).codes()) == {
        "party_match",
        "human_rights_risk",
        "military_end_use",
    }
    assert set(evaluate_order(request, [cleared_outcome], policy).codes()) == {"human_rights_risk"}
    summary = party_summary(request.parties[0], screening(match("M-1", cleared=False)))
    assert (summary.role, summary.decision, summary.matches[0].entity_id) == ("end_user", "block", "M-1")


def party(role: str, name: str, country: str | None = None) -> dict[str, Any]:
    return {"role": role, "name": name, "country": country}


# (case, order, decision, reason codes, the end user the response names: (role, presumed) or None)
END_USER_CASES: list[tuple[str, dict[str, Any], str, set[str], tuple[str, bool] | None]] = [
    (
        "cameras sold to a German retailer, no end user named: the retailer is presumed to be it",
        order("DE", [party("sold_to", "Elektro Schneider Einzelhandel GmbH", "DE")], [item("CAM-1", "network_camera")]),
        "clear",
        set(),
        ("sold_to", True),
    ),
    (
        "facial recognition shipped to the Shanghai PSB as consignee: presumed end user, still blocked",
        order(
            "CN",
            [party("sold_to", "Example Systems Integration Co", "CN"), party("consignee", "上海市公安局", "CN")],
            [item("FR-1", "facial_recognition")],
        ),
        "block",
        {"human_rights_risk"},
        ("consignee", True),
    ),
    (
        "ship-to goes before sold-to",
        order(
            "FR",
            [party("sold_to", "Groupe Exemple SA", "FR"), party("ship_to", "Magasin Exemple Lyon", "FR")],
            [item("CAM-1", "network_camera")],
        ),
        "clear",
        set(),
        ("ship_to", True),
    ),
    (
        "a distributor is never presumed the end user: its customers are",
        order(
            "DE",
            [
                party("sold_to", "Sicherheitstechnik Vertrieb GmbH", "DE"),
                party("ship_to", "Elektro Großhandel AG", "DE"),
            ],
            [item("CAM-1", "network_camera")],
        ),
        "review",
        {"missing_end_user"},
        None,
    ),
    (
        "an intermediary alone cannot be the end user",
        order("AE", [party("intermediary", "Gulf Freight Forwarding LLC", "AE")], [item("CAM-1", "network_camera")]),
        "review",
        {"missing_end_user"},
        None,
    ),
    (
        "a named end user is the end user, not presumed",
        order(
            "DE",
            [party("sold_to", "Elektro Schneider Einzelhandel GmbH", "DE"), end_user("Stadtwerke Beispiel GmbH", "DE")],
            [item("CAM-1", "network_camera")],
        ),
        "clear",
        set(),
        ("end_user", False),
    ),
]


@pytest.mark.parametrize(
    ("case", "raw", "decision", "codes", "expected_end_user"), END_USER_CASES, ids=[c[0] for c in END_USER_CASES]
)
def test_an_order_without_an_end_user_presumes_one(
    case: str,
    raw: dict[str, Any],
    decision: str,
    codes: set[str],
    expected_end_user: tuple[str, bool] | None,
    policy: Policy,
) -> None:
    evaluation = evaluate(raw, policy)
    assert (evaluation.decision, set(evaluation.codes())) == (decision, codes), [r.message for r in evaluation.reasons]
    response = OrderResponse.of(evaluation, [], reference="SO-1")
    shown = (response.end_user.role, response.end_user.presumed) if response.end_user else None
    assert shown == expected_end_user
