"""The workbench in real Chromium: sign in, the order desk's decisions, hostile names, CSRF."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from tests.factories import BASE_ROWS, OfacRow
from tests.live_server import listed_service

KEY = "desk-key-0123456789abcdef"
HOSTILE_LISTED = "<img src=x onerror=\"document.title='pwned'\"> MARKUP TRADING"
HOSTILE_PARTY = "<script>document.title='pwned'</script>"


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    rows = [*BASE_ROWS, OfacRow(4242, HOSTILE_LISTED, programs="SDGT")]
    settings = {"api_keys": [f"desk:admin:{KEY}"], "index_poll_seconds": 1}
    with listed_service(tmp_path_factory.mktemp("workbench"), rows, **settings) as address:
        yield address


@pytest.fixture
def page(browser: Browser, base_url: str) -> Iterator[Page]:
    context = browser.new_context(base_url=base_url)
    opened = context.new_page()
    dialogs: list[str] = []

    def refuse(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", refuse)
    yield opened
    context.close()
    assert not dialogs, f"a page ran a script it was given: {dialogs}"


def _sign_in(page: Page) -> None:
    page.goto("/ui/orders")
    expect(page).to_have_url(re.compile(r"/ui/sign-in\?next=/ui/orders$"))
    page.get_by_label("API key").fill(KEY)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_title("Order desk · End-user screening")


def _party(page: Page, row: int, role: str, name: str, country: str) -> None:
    page.get_by_label(f"Party {row} role").select_option(role)
    page.get_by_label(f"Party {row} name").fill(name)
    page.get_by_label(f"Party {row} country").fill(country)


def test_a_wrong_key_is_refused_and_the_right_one_signs_in(page: Page) -> None:
    page.goto("/ui/sign-in")
    page.get_by_label("API key").fill("not-a-key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not valid")
    _sign_in(page)
    expect(page.get_by_text("desk (admin)")).to_be_visible()


def test_the_order_desk_blocks_facial_recognition_for_the_shanghai_police(page: Page, artifacts: Path) -> None:
    _sign_in(page)
    page.get_by_label("Destination country").fill("CN")
    _party(page, 1, "sold_to", "Shanghai Surveillance Integration Co., Ltd.", "CN")
    _party(page, 2, "end_user", "上海市公安局", "CN")
    page.get_by_label("Item 1 sku").fill("FR-200")
    page.get_by_label("Item 1 categories").fill("facial_recognition")
    page.get_by_role("button", name="Screen the order").click()
    expect(page.get_by_test_id("decision")).to_have_text("block")
    expect(page.locator("ol.reasons")).to_contain_text("公安局")
    expect(page.locator("ol.reasons")).to_contain_text("Regulation (EU) 2021/821")
    page.screenshot(path=str(artifacts / "order-desk-block.png"), full_page=True)


def test_the_order_desk_clears_cameras_for_a_german_retailer(page: Page, artifacts: Path) -> None:
    _sign_in(page)
    page.get_by_label("Destination country").fill("DE")
    _party(page, 1, "sold_to", "Elektro Schneider Einzelhandel GmbH", "DE")
    page.get_by_label("Item 1 sku").fill("CAM-1")
    page.get_by_label("Item 1 categories").fill("network_camera")
    page.get_by_role("button", name="Screen the order").click()
    expect(page.get_by_test_id("decision")).to_have_text("clear")
    expect(page.locator(".end-user")).to_contain_text("presumed")
    page.screenshot(path=str(artifacts / "order-desk-clear.png"), full_page=True)


def test_hostile_names_from_the_user_and_from_a_list_render_as_text(page: Page, artifacts: Path) -> None:
    _sign_in(page)
    _party(page, 1, "end_user", HOSTILE_PARTY, "DE")
    _party(page, 2, "consignee", HOSTILE_LISTED, "DE")  # matches the hostile list entry
    page.get_by_role("button", name="Screen the order").click()
    expect(page.get_by_test_id("decision")).to_have_text("block")  # the exact listed name
    table = page.locator("#result table.grid")
    expect(table).to_contain_text(HOSTILE_PARTY)  # shown literally, as typed
    expect(table).to_contain_text("MARKUP TRADING")
    assert page.title() != "pwned"
    assert page.locator("#result img").count() == 0 and page.locator("#result script").count() == 0
    page.screenshot(path=str(artifacts / "order-desk-hostile.png"), full_page=True)
    # The listed party's case is one click away, and the queue shows it escaped too.
    page.locator("p.cases a").click()
    expect(page.locator("table.queue")).to_contain_text("MARKUP TRADING")
    assert page.title() != "pwned"


def test_a_form_post_without_its_token_is_refused(page: Page) -> None:
    _sign_in(page)
    forged = page.request.post("/ui/orders", form={"party-0-name": "Anyone", "party-0-role": "end_user"})
    assert forged.status == 403
    assert "security token" in forged.text()


def test_the_lists_page_and_the_dashboard_show_what_is_loaded_and_screened(page: Page, artifacts: Path) -> None:
    _sign_in(page)
    page.get_by_role("link", name="Lists").click()
    row = page.locator("tr", has_text="us_ofac_sdn")
    expect(row).to_contain_text("ok")
    expect(row).to_contain_text(str(len(BASE_ROWS) + 1))
    page.screenshot(path=str(artifacts / "lists.png"), full_page=True)
    page.keyboard.press("g")
    page.keyboard.press("d")  # the keyboard shortcut to the dashboard
    expect(page).to_have_title("Dashboard · End-user screening")
    charts = ("Screenings per day by decision, last 30 days", "Open cases by age", "Time from case opening to decision")
    for name in charts:
        chart = page.get_by_role("img", name=name)
        expect(chart).to_be_visible()
        # The SVG loaded under the page's CSP: a refused image stays at width 0. Visible comes before loaded,
        # so wait for the load to end (with a deadline) rather than read the width at once.
        page.wait_for_function("image => image.complete", arg=chart.element_handle(), timeout=30_000)
        assert chart.evaluate("image => image.naturalWidth") > 0
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
