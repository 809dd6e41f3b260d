"""The app and a browser for end-to-end tests: `streamlit run app.py` on a free port
(`running_app`), headless Chromium through Playwright (`chromium_page`), and the chat as a user
sees it (`ChatDriver`). Used by tests/test_e2e.py and tests/e2e_screenshot.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from conftest import REPO_ROOT, SEED_OUTLINE, VENV_PYTHON

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_SECONDS = 300  # a cold start may build the index and convert the model
STEP_MS = 180_000  # one answer or one re-index, on two busy cores
SEED_NAME = "seeds/" + SEED_OUTLINE.name  # how chunks name the copy (relative to the app's cwd)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_app(
    workdir: Path, seeds: Path, index: Path, script: Path = REPO_ROOT / "app.py"
) -> Iterator[str]:
    """`streamlit run app.py` in `workdir` on a free port; yields its URL and stops it
    afterwards."""
    port = free_port()
    python = VENV_PYTHON if VENV_PYTHON.exists() else Path(sys.executable)
    env = {
        **os.environ,
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "BRANCHWISE_SEEDS": str(seeds),
        "BRANCHWISE_INDEX": str(index),
    }
    log_path = workdir / "streamlit.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                str(python),
                "-m",
                "streamlit",
                "run",
                str(script),
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--browser.gatherUsageStats",
                "false",
                "--server.fileWatcherType",
                "none",
                "--client.toolbarMode",
                "minimal",
            ],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, process, log_path)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"streamlit exited ({process.returncode}): {log_path.read_text()[-2000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"streamlit did not answer on {url}: {log_path.read_text()[-2000:]}")


@contextmanager
def chromium_page(width: int = 1280, height: int = 900):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": width, "height": height})
        finally:
            browser.close()


class ChatDriver:
    """The app as a user sees it: a chat box, answers with citation panels, a sidebar."""

    def __init__(self, page, shots: Path):
        self.page, self.shots, self.taken = page, shots, []

    def shot(self, name: str, full_page: bool = True) -> Path:
        path = self.shots / f"{len(self.taken) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        self.taken.append(path)
        return path

    def screenshots(self) -> str:
        """For assertion messages: what each step looked like."""
        return "screenshots: " + ", ".join(str(p) for p in self.taken)

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.get_by_test_id("stChatInputTextArea").wait_for(timeout=START_SECONDS * 1000)

    def choose_mode(self, label: str) -> None:
        self.sidebar.get_by_text(label).click()
        self.page.get_by_test_id("stChatInputTextArea").wait_for()

    @property
    def sidebar(self):
        return self.page.get_by_test_id("stSidebar")

    def answers(self):
        return self.page.get_by_test_id("stChatMessage").filter(
            has=self.page.get_by_test_id("stChatMessageAvatarAssistant")
        )

    def send(self, question: str):
        """Send a question; returns its answer's element, which fills in as the answer streams."""
        before = self.answers().count()
        box = self.page.get_by_test_id("stChatInputTextArea")
        box.fill(question)
        box.press("Enter")
        return self.answers().nth(before)

    def ask(self, question: str):
        """Send a question and wait for its answer to finish: its citation panels appear last, or
        the refusal (an alert, then the closest lines' panels) replaces what streamed."""
        answer = self.send(question)
        answer.get_by_test_id("stExpander").or_(answer.get_by_test_id("stAlert")).first.wait_for(
            timeout=STEP_MS
        )
        return answer

    def open_panel(self, panel) -> str:
        """Open a citation panel; returns its text once drawn (file, lines, branch)."""
        panel.locator("summary").click()
        details = panel.get_by_test_id("stExpanderDetails")
        details.get_by_test_id("stMarkdownContainer").last.wait_for(state="visible")
        self.page.wait_for_timeout(500)  # the opening animation, so screenshots show the panel
        return details.inner_text()

    @staticmethod
    def panel_title(panel) -> str:
        return panel.locator("summary").get_by_test_id("stMarkdownContainer").inner_text()
