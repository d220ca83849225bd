"""The preview page in a real headless Chromium against a 2-camera `camd start` session: tiles,
frames that advance, pause and stop from the page's own buttons."""

from __future__ import annotations

import base64
import json
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from previews import start_config_with_preview

from camera_daemon.cameras.framecode import read_counter

from recordings import camd, manifest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; .ci/run does)",
)

# The tile's pixels exactly as decoded by the browser, not a screenshot of them scaled.
_TILE_PIXELS = """
const img = document.querySelector(`.tile[data-camera="${arguments[0]}"] img`);
if (!img || !img.naturalWidth) return null;
const canvas = document.createElement("canvas");
canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
canvas.getContext("2d").drawImage(img, 0, 0);
return [img.dataset.frameIndex, canvas.toDataURL("image/png")];
"""


def _wait(condition: Callable[[], Any], timeout_s: float = 60.0, what: str = "the page") -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)  # poll the browser's state, not a fixed wait
    raise AssertionError(f"{what} did not happen within {timeout_s:g} s")


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--window-size=1280,800",
        "--force-device-scale-factor=1",
        "--disable-dev-shm-usage",
    ):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _tile(driver: Any, camera: str) -> tuple[int, int] | None:
    got = driver.execute_script(_TILE_PIXELS, camera)
    if not got:
        return None
    png = base64.b64decode(got[1].split(",", 1)[1])
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_GRAYSCALE)
    return int(got[0]), read_counter(image)


def _daemon_state() -> str | None:
    result = camd("status", "--json")
    return json.loads(result.stdout)["state"] if result.returncode == 0 else None


def test_page_shows_two_live_tiles_pauses_and_stops(tmp_path: Path, runtime: Path, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    # "left" also feeds an analysis callback: its tap is read by two processes, and its results show.
    brightness = {"analysis": "camera_daemon.analysis.builtin:brightness"}
    left = {"name": "left", "width": 320, "height": 240, **brightness}
    session, url = start_config_with_preview(tmp_path, [left, {"name": "right", "width": 320, "height": 240}])
    try:
        browser.get(url)
        tiles = _wait(lambda: len(found := browser.find_elements(By.CSS_SELECTOR, ".tile")) == 2 and found)
        assert sorted(tile.get_attribute("data-camera") for tile in tiles) == ["left", "right"]
        for camera in ("left", "right"):
            index, counter = _wait(lambda camera=camera: _tile(browser, camera), what=f"a {camera} frame")
            later = _wait(lambda c=camera, i=index: (t := _tile(browser, c)) and t[0] > i and t, what="a newer frame")
            assert later[1] > counter  # the synthetic frame code, decoded from the tile, advanced
        _wait(lambda: "frames" in browser.find_element(By.CSS_SELECTOR, ".tile .stats").text)
        analysis = _wait(
            lambda: "brightness=" in (text := _analysis_text(browser, "left")) and text, what="the analysis result"
        )
        assert "analysis running" in analysis and " skipped" in analysis and " ms" in analysis
        assert _analysis_text(browser, "right") == ""
        # the time left reads as words, not as an h:mm that looks like mm:ss
        spans = browser.execute_script("return [span(11 * 3600 + 21 * 60 + 5), span(45 * 60), span(30), span(null)]")
        assert spans == ["11 h 21 min", "45 min", "30 s", "-"]
        assert ":" not in browser.find_element(By.ID, "left").text
        assert "recording" in browser.find_element(By.ID, "state").text

        browser.find_element(By.ID, "pause").click()
        _wait(lambda: _daemon_state() == "paused", what="status paused")
        _wait(lambda: browser.find_element(By.ID, "state").text == "paused")
        browser.save_screenshot(str(tmp_path / "preview.png"))
        assert (tmp_path / "preview.png").stat().st_size > 10_000

        browser.find_element(By.ID, "stop").click()
        alert = _wait(lambda: _alert(browser), what="the stop confirmation")
        assert "Stop recording?" in alert.text
        alert.accept()
        _wait(
            lambda: (session / "manifest.json").exists() and manifest(session)["exit_state"] != "recording",
            what="the session final",
        )
    finally:
        if _daemon_state() is not None:
            camd("stop")
    final = manifest(session)
    assert final["exit_state"] == "stopped"
    assert all(camera["frames_in_video"] > 0 for camera in final["cameras"].values())
    assert "stop requested from the preview page" in camd("logs", "--session", str(session)).stdout


def _analysis_text(driver: Any, camera: str) -> str:
    from selenium.webdriver.common.by import By

    text: str = driver.find_element(By.CSS_SELECTOR, f'.tile[data-camera="{camera}"] .analysis').text
    return text


def _alert(driver: Any) -> Any:
    from selenium.common.exceptions import NoAlertPresentException

    try:
        alert = driver.switch_to.alert
        _ = alert.text
        return alert
    except NoAlertPresentException:
        return None
