"""The reviewer's workbench in real Chromium: queue, case beside its list entry, decisions, four-eyes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.live_server import listed_service

ADMIN = "admin-key-0123456789abcd"
FIRST = "first-reviewer-key-0123"
SECOND = "second-reviewer-key-012"
KEYS = [f"erp:admin:{ADMIN}", f"ana:review:{FIRST}", f"ben:review:{SECOND}"]


def _serve(tmp_path: Path, *, four_eyes: bool) -> Iterator[str]:
    with listed_service(tmp_path, api_keys=KEYS, index_poll_seconds=1, four_eyes=four_eyes) as address:
        yield address


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp("review"), four_eyes=False)


@pytest.fixture(scope="module")
def four_eyes_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from _serve(tmp_path_factory.mktemp("four-eyes"), four_eyes=True)


def _screen(base: str, party: dict[str, str]) -> dict[str, object]:
    answer = httpx.post(f"{base}/v1/screen", json=party, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=60)
    assert answer.status_code == 200, answer.text
    body: dict[str, object] = answer.json()
    return body


def _signed_in(browser: Browser, base: str, key: str) -> Page:
    page = browser.new_context(base_url=base).new_page()
    page.goto("/ui/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Queue · End-user screening")
    return page


def test_a_false_positive_decided_on_the_case_page_clears_the_next_screening(
    browser: Browser, service: str, artifacts: Path
) -> None:
    party = {"name": "Nicolas Maduro Moros", "reference": "CUST-7001", "country": "FR"}
    assert _screen(service, party)["decision"] != "clear"
    page = _signed_in(browser, service, FIRST)
    row = page.locator("table.queue tr", has_text="Nicolas Maduro Moros")
    expect(row).to_be_visible()
    page.screenshot(path=str(artifacts / "queue.png"), full_page=True)
    row.get_by_role("link").click()
    # Both sides: the screened party, and the list entry with its dates, programs and remarks.
    expect(page.locator("section.party")).to_contain_text("CUST-7001")
    hit = page.get_by_test_id("hit").first
    expect(hit).to_contain_text("us_ofac_sdn 22790")
    expect(hit.locator(".entry-side")).to_contain_text("MADURO MOROS, Nicolas")
    expect(hit.locator(".entry-side")).to_contain_text("1962")
    expect(hit.locator(".entry-side")).to_contain_text("VENEZUELA")
    expect(hit.locator("ul.explanation li").first).to_be_visible()
    page.screenshot(path=str(artifacts / "case.png"), full_page=True)
    page.get_by_label("Decision").select_option("false_positive")
    page.get_by_label("Reason").select_option("different_nationality")
    page.get_by_label("Comment").fill("Our customer is a French citizen born 1990, not the listed person.")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status")).to_contain_text("applied")
    expect(page.get_by_test_id("hit-state").first).to_have_text("false positive")
    exported = page.request.get("/ui/queue/export?status=")  # the queue's CSV link, with the session
    assert exported.status == 200 and "22790" in exported.text() and "false_positive" in exported.text()
    page.context.close()
    again = _screen(service, party)
    assert again["decision"] == "clear"
    matches = again["matches"]
    assert isinstance(matches, list) and any(m["entity_id"] == "22790" and m["cleared"] for m in matches)


def test_with_four_eyes_a_second_reviewer_approves_a_true_match(
    browser: Browser, four_eyes_service: str, artifacts: Path
) -> None:
    party = {"name": "Ivan Sergeyevich Petrov", "reference": "CUST-7002", "country": "RU"}
    assert _screen(four_eyes_service, party)["decision"] != "clear"
    first = _signed_in(browser, four_eyes_service, FIRST)
    first.locator("table.queue tr", has_text="Ivan Sergeyevich Petrov").get_by_role("link").click()
    case_url = first.url
    first.get_by_label("Decision").select_option("true_match")
    first.get_by_label("Reason").select_option("confirmed_identity")
    first.get_by_label("Comment").fill("Passport 1234567 on file matches the listing.")
    first.get_by_role("button", name="Record the decision").click()
    expect(first.get_by_test_id("case-status")).to_have_text("pending approval")
    first.context.close()
    second = _signed_in(browser, four_eyes_service, SECOND)
    second.goto(case_url)
    proposal = second.locator("form.proposal")
    expect(proposal).to_contain_text("ana proposed true match")
    proposal.get_by_role("button", name="Approve").click()
    expect(second.get_by_test_id("hit-state").first).to_have_text("true match")
    expect(second.locator("ol.history")).to_contain_text("ben · decision.approved")
    second.screenshot(path=str(artifacts / "case-four-eyes.png"), full_page=True)
    second.goto("/ui/dashboard")
    expect(second.locator("main")).to_contain_text("1 hits decided in 30 days")
    second.screenshot(path=str(artifacts / "dashboard-cases.png"), full_page=True)
    second.context.close()
