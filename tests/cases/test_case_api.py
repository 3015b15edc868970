"""Review cases over HTTP: opened by screenings of every kind, decided, approved, assigned, listed and exported."""

from __future__ import annotations

import csv
import io
import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from service.cases.reopening import reopen_after_list_updates
from service.config import Settings
from tests.cases.conftest import MADURO, NOBODY, PETROV, MakeClient, auth, decide, ingest, only_case, screen
from tests.factories import BASE_ROWS, OfacRow

FACES = {
    "sku": "FR-200",
    "description": "Facial recognition server",
    "quantity": 2,
    "categories": ["facial_recognition"],
}


def _batch(client: TestClient, keys: dict[str, str]) -> None:
    response = client.post("/v1/screen/batch", json={"parties": [NOBODY, MADURO]}, headers=auth(keys["screen"]))
    assert response.status_code == 200


def _single(client: TestClient, keys: dict[str, str]) -> None:
    screen(client, keys, MADURO)


def _order(client: TestClient, keys: dict[str, str]) -> None:
    order = {
        "reference": "SO-1",
        "destination_country": "DE",
        "parties": [{"role": "sold_to", **NOBODY}, {"role": "end_user", **MADURO}],
        "items": [{"sku": "X", "description": "office chairs", "quantity": 3}],
    }
    response = client.post("/v1/orders/screen", json=order, headers=auth(keys["screen"]))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("screen_it", [_single, _batch, _order], ids=["single", "batch item", "order party"])
def test_a_listed_party_opens_one_case_whatever_the_kind_of_screening(
    client: TestClient, keys: dict[str, str], screen_it: Any
) -> None:
    screen_it(client, keys)
    screen_it(client, keys)  # the same party again: the same case, no second one
    case = only_case(client, keys)
    assert case["status"] == "open"
    assert case["party"] == {
        "name": "Nicolas Maduro Moros",
        "type": "any",
        "country": "VE",
        "date_of_birth": None,
        "reference": "CUST-1",
    }
    assert [(hit["source"], hit["entity_id"], hit["state"]) for hit in case["hits"]] == [
        ("us_ofac_sdn", "22790", "open")
    ]
    assert len(case["hits"][0]["entry_hash"]) == 64
    assert [event["action"] for event in case["history"]] == ["case.opened", "hits.added"]
    assert case["history"][1]["hit_ids"] == [hit["id"] for hit in case["hits"]]  # the event names the stored hit


def test_a_clear_screening_opens_no_case(client: TestClient, keys: dict[str, str]) -> None:
    assert screen(client, keys, NOBODY)["decision"] == "clear"
    assert client.get("/v1/cases", headers=auth(keys["review"])).json() == {"items": [], "next_cursor": None}


def test_hits_of_one_person_on_two_lists_are_one_group_and_one_decision_clears_both(
    make_client: MakeClient, engine: Engine, settings: Settings, keys: dict[str, str]
) -> None:
    # The same OFAC entity number on the SDN and on the non-SDN list: one person, listed twice.
    ingest(engine, settings, "us_ofac_cons", [OfacRow(12345, "PETROV, Ivan Sergeyevich", "individual", "SSI")])
    with make_client() as client:
        screen(client, keys, PETROV)
        case = only_case(client, keys)
        assert sorted(hit["source"] for hit in case["hits"]) == ["us_ofac_cons", "us_ofac_sdn"]
        assert len(case["groups"]) == 1
        group = case["groups"][0]
        assert sorted(group["sources"]) == ["us_ofac_cons", "us_ofac_sdn"]

        decided = decide(
            client,
            keys["review"],
            case["id"],
            action="false_positive",
            reason_code="different_date_of_birth",
            comment="Customer born 1988, listed person 1970.",
            group=group["id"],
        )
        assert decided.status_code == 200, decided.text
        assert decided.json()["status"] == "applied"
        assert len(decided.json()["clearance_ids"]) == 2
        assert decided.json()["case"]["status"] == "closed"

        again = screen(client, keys, PETROV)
        assert again["decision"] == "clear"
        assert {(match["source"], match["cleared"]) for match in again["matches"]} == {
            ("us_ofac_sdn", True),
            ("us_ofac_cons", True),
        }


DECISIONS = [
    # action, reason code, case status after, next screening's decision
    ("false_positive", "name_only_similarity", "closed", "clear"),
    ("true_match", "confirmed_identity", "closed", "block"),
    ("escalate", "senior_review_required", "escalated", "block"),
    ("needs_information", "missing_date_of_birth", "needs_information", "block"),
]


@pytest.mark.parametrize(("action", "reason", "status", "next_decision"), DECISIONS)
def test_each_decision_sets_the_hit_state_and_what_the_next_screening_says(
    client: TestClient, keys: dict[str, str], action: str, reason: str, status: str, next_decision: str
) -> None:
    screen(client, keys, MADURO)
    case = only_case(client, keys)
    response = decide(client, keys["review"], case["id"], action=action, reason_code=reason, comment="Reviewed.")
    assert response.status_code == 200, response.text
    after = response.json()["case"]
    assert after["status"] == status
    assert after["history"][-1]["action"] == "decision"
    assert after["history"][-1]["actor"] == "reviewer-1"
    assert after["history"][-1]["details"] == {"action": action, "reason_code": reason, "comment": "Reviewed."}
    next_screening = screen(client, keys, MADURO)
    assert next_screening["decision"] == next_decision
    assert next_screening["matches"][0]["cleared"] is (action == "false_positive")
    # The decided case is not reopened by seeing the same hit again.
    assert only_case(client, keys)["status"] == status


def test_a_decision_needs_a_reason_that_goes_with_it_and_a_comment(client: TestClient, keys: dict[str, str]) -> None:
    screen(client, keys, MADURO)
    case_id = only_case(client, keys)["id"]
    wrong = decide(
        client, keys["review"], case_id, action="true_match", reason_code="name_only_similarity", comment="x y z"
    )
    assert wrong.status_code == 422
    assert wrong.json()["detail"].startswith("reason_code: 'name_only_similarity' does not go with 'true_match'")
    assert decide(client, keys["review"], case_id, action="escalate", comment="no reason").status_code == 422
    no_comment = decide(client, keys["review"], case_id, action="escalate", reason_code="other", comment=" ")
    assert no_comment.status_code == 422
    unknown = decide(
        client, keys["review"], case_id, action="escalate", reason_code="other", comment="ok!", hit_ids=[999]
    )
    assert unknown.status_code == 422
    assert "hit_ids" in unknown.json()["detail"]
    assert client.get("/v1/cases/nope", headers=auth(keys["review"])).status_code == 404


def test_four_eyes_a_second_reviewer_approves_and_the_proposer_cannot(
    make_client: MakeClient, keys: dict[str, str]
) -> None:
    with make_client(four_eyes=True) as client:
        screen(client, keys, MADURO)
        case_id = only_case(client, keys)["id"]
        proposed = decide(
            client,
            keys["review"],
            case_id,
            action="true_match",
            reason_code="confirmed_by_documents",
            comment="Cedula.",
        )
        assert proposed.json()["status"] == "pending_approval"
        assert proposed.json()["case"]["status"] == "pending_approval"
        proposal = proposed.json()["decision_id"]
        assert [event["id"] for event in proposed.json()["case"]["pending_decisions"]] == [proposal]

        own = client.post(
            f"/v1/cases/{case_id}/approvals", json={"decision_id": proposal}, headers=auth(keys["review"])
        )
        assert own.status_code == 403
        assert "four-eyes" in own.json()["detail"]

        approved = decide(client, keys["review2"], case_id, action="approve", decision_id=proposal, comment="Agreed.")
        assert approved.status_code == 200, approved.text
        case = approved.json()["case"]
        assert case["status"] == "closed"
        assert case["hits"][0]["state"] == "true_match"
        assert [(e["action"], e["actor"]) for e in case["history"][-2:]] == [
            ("decision.proposed", "reviewer-1"),
            ("decision.approved", "reviewer-2"),
        ]
        again = client.post(
            f"/v1/cases/{case_id}/approvals", json={"decision_id": proposal}, headers=auth(keys["admin"])
        )
        assert again.status_code == 409


def test_four_eyes_a_rejected_false_positive_creates_no_clearance(
    make_client: MakeClient, keys: dict[str, str]
) -> None:
    with make_client(four_eyes=True) as client:
        screen(client, keys, MADURO)
        case_id = only_case(client, keys)["id"]
        proposed = decide(
            client, keys["review"], case_id, action="false_positive", reason_code="other", comment="Not him, I think."
        )
        assert screen(client, keys, MADURO)["decision"] == "block"  # a proposal changes nothing yet
        body = {"decision_id": proposed.json()["decision_id"], "verdict": "reject", "comment": "Same cedula."}
        rejected = client.post(f"/v1/cases/{case_id}/approvals", json=body, headers=auth(keys["review2"]))
        assert rejected.json()["status"] == "rejected"
        assert rejected.json()["case"]["status"] == "open"
        assert rejected.json()["clearance_ids"] == []


def test_assign_and_filter_the_queue(client: TestClient, keys: dict[str, str]) -> None:
    screen(client, keys, MADURO)
    screen(client, keys, PETROV)
    items = client.get("/v1/cases", headers=auth(keys["review"])).json()["items"]
    petrov = next(item for item in items if item["party"]["reference"] == "CUST-2")
    assigned = client.post(
        f"/v1/cases/{petrov['id']}/assign", json={"assignee": "reviewer-2"}, headers=auth(keys["review"])
    )
    assert assigned.status_code == 200
    assert assigned.json()["assignee"] == "reviewer-2"
    assert assigned.json()["history"][-1]["details"] == {"assignee": "reviewer-2", "previous": None}

    def refs(**params: str) -> list[str]:
        response = client.get("/v1/cases", params=params, headers=auth(keys["review"]))
        assert response.status_code == 200, response.text
        return sorted(item["party"]["reference"] for item in response.json()["items"])

    assert refs(assignee="reviewer-2") == ["CUST-2"]
    assert refs(q="maduro nicolas") == ["CUST-1"]
    assert refs(q="12345") == ["CUST-2"]  # a listed entity id
    assert refs(q="¿¡ …") == []  # no letters or digits: no name to look for, and no error
    assert refs(source="us_ofac_sdn", status="open") == ["CUST-1", "CUST-2"]
    assert refs(status="closed") == []
    assert refs(older_than="P1D") == []
    assert refs(older_than="PT0S") == ["CUST-1", "CUST-2"]
    assert client.get("/v1/cases", params={"status": "done"}, headers=auth(keys["review"])).status_code == 422
    assert client.get("/v1/cases", params={"cursor": "x"}, headers=auth(keys["review"])).status_code == 422


def test_keyset_pages_cover_every_case_once(client: TestClient, keys: dict[str, str]) -> None:
    for number in range(3):
        screen(client, keys, {**MADURO, "reference": f"CUST-{number}"})
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = client.get("/v1/cases", params=params, headers=auth(keys["review"])).json()
        seen += [item["party"]["reference"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == ["CUST-0", "CUST-1", "CUST-2"]


def test_bulk_decisions_over_a_filter_and_over_named_cases(client: TestClient, keys: dict[str, str]) -> None:
    for number in range(3):
        screen(client, keys, {**MADURO, "reference": f"M-{number}"})
    screen(client, keys, PETROV)
    body = {
        "filter": {"q": "maduro", "status": "open"},
        "action": "escalate",
        "reason_code": "senior_review_required",
        "comment": "Head of compliance to look at these.",
        "limit": 2,
    }
    first = client.post("/v1/cases/bulk-decisions", json=body, headers=auth(keys["review"]))
    assert first.status_code == 200, first.text
    assert (len(first.json()["decided"]), first.json()["hits"], first.json()["more"]) == (2, 2, True)
    second = client.post("/v1/cases/bulk-decisions", json=body, headers=auth(keys["review"])).json()
    assert (len(second["decided"]), second["more"]) == (1, False)
    items = client.get("/v1/cases", headers=auth(keys["review"])).json()["items"]
    statuses = {item["party"]["reference"]: item["status"] for item in items}
    assert statuses == {"M-0": "escalated", "M-1": "escalated", "M-2": "escalated", "CUST-2": "open"}

    named = [item["id"] for item in items if item["party"]["reference"] in ("M-0", "M-1")]
    cleared = client.post(
        "/v1/cases/bulk-decisions",
        json={"case_ids": named, "action": "false_positive", "reason_code": "different_location", "comment": "Not VE."},
        headers=auth(keys["review"]),
    ).json()
    assert (sorted(cleared["decided"]), cleared["skipped"], cleared["status"]) == (sorted(named), [], "applied")
    assert screen(client, keys, {**MADURO, "reference": "M-0"})["decision"] == "clear"
    assert screen(client, keys, {**MADURO, "reference": "M-2"})["decision"] == "block"


def test_the_csv_export_has_a_line_per_hit_with_its_decision(client: TestClient, keys: dict[str, str]) -> None:
    screen(client, keys, {**MADURO, "name": "=Nicolas Maduro Moros"})  # a name a spreadsheet would run
    screen(client, keys, PETROV)
    case = only_case(client, keys, q="petrov")
    decide(
        client, keys["review"], case["id"], action="true_match", reason_code="confirmed_identity", comment="Passport."
    )
    response = client.get("/v1/cases/export", headers=auth(keys["review"]))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="cases-')
    rows = list(csv.DictReader(io.StringIO(response.text)))
    by_reference = {row["party_reference"]: row for row in rows}
    assert set(by_reference) == {"CUST-1", "CUST-2"}
    assert by_reference["CUST-1"]["party_name"] == "'=Nicolas Maduro Moros"
    assert by_reference["CUST-1"]["hit_state"] == "open"
    petrov = by_reference["CUST-2"]
    assert (petrov["source"], petrov["entity_id"], petrov["hit_state"], petrov["case_status"]) == (
        "us_ofac_sdn",
        "12345",
        "true_match",
        "closed",
    )
    assert (petrov["decision_action"], petrov["reason_code"], petrov["decided_by"]) == (
        "true_match",
        "confirmed_identity",
        "reviewer-1",
    )
    filtered = client.get("/v1/cases/export", params={"status": "closed"}, headers=auth(keys["review"]))
    assert [row["party_reference"] for row in csv.DictReader(io.StringIO(filtered.text))] == ["CUST-2"]


SCOPE_CHECKS = [
    # key, GET /v1/cases, POST decision, POST /v1/clearances
    ("screen", 403, 403, 403),
    ("review", 200, 200, 403),
    ("admin", 200, 200, 201),
]


@pytest.mark.parametrize(("key", "read", "decision", "clearance"), SCOPE_CHECKS)
def test_scopes_screen_cannot_decide_review_can_admin_can_do_everything(
    client: TestClient, keys: dict[str, str], key: str, read: int, decision: int, clearance: int
) -> None:
    screen(client, keys, MADURO)
    case_id = only_case(client, keys)["id"]
    assert client.get("/v1/cases", headers=auth(keys[key])).status_code == read
    assert client.get(f"/v1/cases/{case_id}", headers=auth(keys[key])).status_code == read
    assert client.get("/v1/cases/export", headers=auth(keys[key])).status_code == read
    response = decide(client, keys[key], case_id, action="escalate", reason_code="other", comment="Have a look.")
    assert response.status_code == decision
    body = {"source": "us_ofac_sdn", "entity_id": "12345", "reference": "X", "reason": "not him"}
    assert client.post("/v1/clearances", json=body, headers=auth(keys[key])).status_code == clearance
    assert client.get("/v1/cases").status_code == 401


def test_case_events_cannot_be_changed_or_deleted(client: TestClient, engine: Engine, keys: dict[str, str]) -> None:
    screen(client, keys, MADURO)
    for statement in ("UPDATE case_event SET actor = 'someone else'", "DELETE FROM case_event"):
        with pytest.raises(DBAPIError, match="immutable"), engine.begin() as connection:
            connection.execute(text(statement))
    assert len(only_case(client, keys)["history"]) == 2


def test_an_entry_changed_by_a_list_update_reopens_its_decided_hit(
    client: TestClient, engine: Engine, settings: Settings, keys: dict[str, str]
) -> None:
    screen(client, keys, PETROV)
    case_id = only_case(client, keys)["id"]
    decide(client, keys["review"], case_id, action="false_positive", reason_code="other", comment="Other Petrov.")
    assert screen(client, keys, PETROV)["decision"] == "clear"
    changed = [
        row if row.ent_num != 12345 else OfacRow(**{**row.__dict__, "remarks": "DOB 01 Feb 1971."}) for row in BASE_ROWS
    ]
    ingest(engine, settings, "us_ofac_sdn", changed)
    # The app sweeps activated list versions in the background (every SCREENING_INDEX_POLL_SECONDS).
    deadline = time.monotonic() + 30
    case = client.get(f"/v1/cases/{case_id}", headers=auth(keys["review"])).json()
    while case["status"] != "open" and time.monotonic() < deadline:
        time.sleep(0.1)
        case = client.get(f"/v1/cases/{case_id}", headers=auth(keys["review"])).json()
    assert reopen_after_list_updates(engine) == 0  # each version is swept once
    assert case["status"] == "open"
    assert case["hits"][0]["state"] == "open"
    assert case["history"][-1]["action"] == "hits.reopened"
    assert case["history"][-1]["details"]["reason"] == "entry_changed"
