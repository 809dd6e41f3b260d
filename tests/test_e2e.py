"""End to end: the real app (`streamlit run app.py`) on a temporary copy of the seed outline, driven
by headless Chromium through Playwright: ask, open a citation, edit the line it cites and add one,
re-index, see the change listed and the earlier answer badged, re-ask it, ask about the new line.

Every step saves a screenshot under the test's tmp folder; assertion messages name them.
`tests/e2e_screenshot.py` reuses this machinery to refresh docs/screenshot.png.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
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
NEW_BULLET = "Quokka drills restore the Zanzibar backup vault every second Tuesday"
EDIT = " through Quokka guardrails"  # appended to the line the first answer cites
EXTRACTIVE = "Extractive only (quoted lines)"


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


@pytest.fixture
def workdir(tmp_path: Path, seed_index) -> Path:
    """tmp/seeds/<seed copy> and tmp/index: the index shared by the session's seed tests, copied.

    The app runs with cwd=tmp, so the copy is named like the original and the copied index is
    up to date; without it the app would build it on its first start.
    """
    settings, _ = seed_index
    (tmp_path / "seeds").mkdir()
    shutil.copy(SEED_OUTLINE, tmp_path / SEED_NAME)
    shutil.copytree(settings.index_dir, tmp_path / "index")
    (tmp_path / "shots").mkdir()
    return tmp_path


@pytest.mark.e2e
@pytest.mark.model
def test_ask_cite_edit_reindex_and_ask_again_in_the_browser(workdir: Path) -> None:
    with running_app(workdir, workdir / "seeds", workdir / "index") as url, chromium_page() as page:
        app = ChatDriver(page, workdir / "shots")
        app.open(url)
        app.choose_mode(EXTRACTIVE)
        app.shot("started")

        answer = app.ask("What does the Account Factory in Control Tower do?")
        app.shot("answered")
        panel = answer.get_by_test_id("stExpander").first
        title = app.panel_title(panel)
        details = app.open_panel(panel)
        app.shot("citation-open")
        assert title.startswith("[1]") and "Control Tower" in title, (
            f"{title!r}; {app.screenshots()}"
        )
        assert SEED_NAME in details and "lines" in details, f"{details!r}; {app.screenshots()}"
        seed = workdir / SEED_NAME
        text = seed.read_text(encoding="utf-8")
        marked = panel.locator(
            "mark"
        ).all_inner_texts()  # the cited lines; the first bullet among them
        cited = next((line for line in marked if f"- {line}\n" in text), None)
        assert cited, f"{marked!r}; {app.screenshots()}"
        edited = (
            text.replace(f"- {cited}\n", f"- {cited}{EDIT}\n", 1).rstrip("\n")
            + f"\n- {NEW_BULLET}\n"
        )
        seed.write_text(edited, encoding="utf-8")
        reindex = app.sidebar.get_by_role("button", name="Re-index", exact=True)
        reindex.wait_for(timeout=60_000)
        app.shot("outline-changed")
        reindex.click()
        app.sidebar.get_by_text("Re-indexed in").wait_for(timeout=STEP_MS)
        app.shot("reindexed")

        listed = app.sidebar.get_by_role("button").filter(has_text=f"{title.split('] ')[1]} (lines")
        assert listed.count() == 1 and listed.inner_text().startswith("~"), app.screenshots()
        first = app.answers().first
        badge = first.get_by_text("Cited lines changed since this answer")
        assert badge.count() >= 1, f"{first.inner_text()!r}; {app.screenshots()}"
        assert "cited lines changed since this answer" in app.panel_title(
            first.get_by_test_id("stExpander").first
        )
        first.get_by_role("button", name="Re-ask").click()
        again = app.answers().nth(1)
        again.get_by_test_id("stExpander").first.wait_for(timeout=STEP_MS)
        panels = again.get_by_test_id("stExpander")
        texts = [app.open_panel(panels.nth(i)) for i in range(panels.count())]
        app.shot("re-asked")
        assert any(cited + EDIT in text for text in texts), f"{texts!r}; {app.screenshots()}"

        # Cited in a panel, or (the judge refuses it on the seed) named among the closest lines.
        answer = app.ask("How often do the Quokka drills restore the Zanzibar backup vault?")
        panels = answer.get_by_test_id("stExpander")
        texts = [answer.inner_text()] + [
            app.open_panel(panels.nth(i)) for i in range(panels.count())
        ]
        app.shot("new-line-named")
        assert any(NEW_BULLET in text for text in texts), f"{texts!r}; {app.screenshots()}"

        listed.click()  # the change in the sidebar opens its branch, the edited line highlighted
        opened = app.page.get_by_test_id("stExpander").first
        opened.get_by_text("changed by the last re-index").wait_for(timeout=60_000)
        app.shot("change-in-outline")
        assert f"{cited}{EDIT}" in opened.locator("mark").all_inner_texts(), app.screenshots()

        branch = _browse_from_url(app, url, "AWS Solution Architecture › Wavelength")
        assert NEW_BULLET in branch and "line 1851" in branch, f"{branch!r}; {app.screenshots()}"


# Questions of our own whose answers, on the seed, carry a verified model sentence (greedy decoding
# is deterministic, but another CPU's int8 kernels may round differently: one of them is enough).
MODEL_QUESTIONS = (
    "How long can a Lambda function run?",  # the model often misreads "Default 3s": rejected
    "Which Windows Server version is AWS Managed Microsoft AD built on?",  # one is kept, greedy
)


@pytest.mark.e2e
@pytest.mark.model
def test_quotes_come_first_and_a_model_sentence_fills_in_above_them(workdir: Path) -> None:
    with running_app(workdir, workdir / "seeds", workdir / "index") as url, chromium_page() as page:
        app = ChatDriver(page, workdir / "shots")
        app.open(url)  # the default mode: the model
        sentences = []
        for question in MODEL_QUESTIONS:
            answer = app.send(question)
            answer.get_by_text("From the outline:").first.wait_for(timeout=STEP_MS)
            app.shot("quotes-shown")
            answer.get_by_test_id("stExpander").first.wait_for(timeout=STEP_MS)
            app.shot("answer-complete")
            text = answer.inner_text()
            above = (
                text.split("From the outline:")[0].replace("smart_toy", "").strip()
            )  # less the avatar
            if "generated by the model" in text:
                assert above and "[1]" in above, f"{text!r}; {app.screenshots()}"
                first = float(text.split("first words after ")[1].split(" s")[0])
                sentence = float(text.split("sentence after ")[1].split(" s")[0])
                assert first < sentence, (
                    f"{text!r}; {app.screenshots()}"
                )  # the quotes did not wait for it
                sentences.append(above)
            else:
                assert not above, (
                    f"{text!r}; {app.screenshots()}"
                )  # the reserved place was given back
        assert sentences, f"no answer carried a model sentence; {app.screenshots()}"


def _browse_from_url(app: ChatDriver, url: str, path: str) -> str:
    """Open the outline browser at `?path=` (a fresh session) and return the matching branch's
    text."""
    app.page.goto(f"{url}/outline?path={urllib.parse.quote(path)}")
    match = app.page.get_by_test_id("stExpander").first
    match.get_by_test_id("stExpanderDetails").wait_for(timeout=START_SECONDS * 1000)
    app.shot("outline-browser")
    return match.inner_text()
