"""The results catalogue in a real browser: Debian's Chromium, headless, driven through its
chromium-driver by Selenium (no browser is downloaded). Every page loads from file:// with no
console error, every link and download resolves, images have alt text, the search finds a known
result by typing, the filters filter; screenshots of the index and of one result page are
written under results/catalogue/screenshots/."""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

pytestmark = pytest.mark.workflow
CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    assert CHROMIUM.exists() and DRIVER.exists(), "Debian's chromium and chromium-driver: run scripts/setup.sh browser as root"
    options = Options()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--allow-file-access-from-files"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)  # a driver path: no download
    yield driver
    driver.quit()


def _severe(driver: object) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def test_every_page_loads_and_every_link_resolves(browser: object, default_run: Path) -> None:
    root = default_run / "results/catalogue"
    start = (root / "index.html").resolve()
    queue, seen, links, images = deque([start]), {start}, 0, 0
    while queue:
        page = queue.popleft()
        browser.get(page.as_uri())
        assert browser.title.endswith("dmcombine results catalogue"), page
        assert not _severe(browser), (page, _severe(browser))
        # one round trip per page: every link, image and plot label
        hrefs, imgs, labels = browser.execute_script(
            "return [Array.from(document.querySelectorAll('a[href]'), a => a.href),"
            " Array.from(document.images, i => [i.alt, i.naturalWidth]),"
            " Array.from(document.querySelectorAll('svg[role=img]'), s => s.getAttribute('aria-label'))]")
        for alt, width in imgs:
            images += 1
            assert alt.strip(), f"{page}: an image without alt text"
            assert width > 0, f"{page}: a broken image"
        assert all(labels), f"{page}: a plot without a label"
        for href in hrefs:
            url = urlparse(href)
            assert url.scheme == "file", f"{page}: {href} leaves the catalogue"
            target = Path(unquote(url.path))
            assert target.is_file(), f"{page}: link to {target} does not resolve"
            assert root.resolve() in target.resolve().parents, f"{page}: {target} is outside the catalogue"
            links += 1
            if target.suffix == ".html" and target not in seen:
                seen.add(target)
                queue.append(target)
    print(f"catalogue: {len(seen)} pages, {links} links, {images} images checked", file=sys.stderr)
    assert len(seen) > 150 and links > 1000


def test_search_and_filters_find_a_known_result(browser: object, default_run: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    root = default_run / "results/catalogue"
    browser.get((root / "index.html").as_uri())
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    box = browser.find_element(By.ID, "search")
    box.send_keys("arxiv:1802.07198")  # the DarkSide-50 paper
    visible = [r for r in rows if r.is_displayed()]
    assert visible and len(visible) < len(rows)
    assert all("DarkSide-50" in r.text for r in visible), [r.text for r in visible]
    box.clear()
    box.send_keys("h.e.s.s. 2022")
    visible = [r for r in rows if r.is_displayed()]
    assert {r.get_attribute("data-origin") for r in visible} == {"published"} and len(visible) == 2
    box.clear()
    browser.execute_script("arguments[0].dispatchEvent(new Event('input'))", box)
    Select(browser.find_element(By.ID, "filter-plane")).select_by_value("sd")
    visible = [r for r in rows if r.is_displayed()]
    assert visible and {r.get_attribute("data-plane") for r in visible} == {"sd"}
    assert f"of {len(rows)} results" in browser.find_element(By.ID, "count").text
    assert not _severe(browser)
    shots = default_run / "results/catalogue/screenshots"
    shots.mkdir(exist_ok=True)
    Select(browser.find_element(By.ID, "filter-plane")).select_by_value("")
    assert browser.save_screenshot(str(shots / "index.png"))
    page = next((root / "result").glob("darkside50-published-limit-*.html"))
    browser.get(page.as_uri())
    assert "DarkSide-50" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.save_screenshot(str(shots / "result-darkside50-published.png"))
    assert (shots / "index.png").stat().st_size > 10_000


def test_ours_and_imported_are_visibly_different(default_run: Path) -> None:
    index = (default_run / "results/catalogue/index.html").read_text()
    assert 'class="badge ours">this work' in index and 'class="badge published">published' in index
    for asset in ("http://", "https://", "//cdn"):
        for page in (default_run / "results/catalogue").rglob("*.html"):
            text = page.read_text()
            assert f'src="{asset}' not in text and f'href="{asset}' not in text, (page, asset)


