"""The Streamlit app through `streamlit.testing.v1.AppTest`: real embedder, real index, real
assistant (extractive answers unless a test says otherwise), on small outlines written per test.

The embedding model is cached by the app's `@st.cache_resource` loader, so only the first test
pays for loading it; each test builds its own few-branch index in a few seconds.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from conftest import REPO_ROOT, write_outline
from streamlit.testing.v1 import AppTest

from indexer.manifest import MANIFEST
from ui import changes
from ui.export import STALE, conversation_markdown

pytestmark = pytest.mark.model

GARDEN = """\
# Soil
- Compost improves soil structure and feeds earthworms
  - Add leaf mould in autumn so it breaks down over winter
- Test the pH every spring with a simple kit
# Watering
- Water early in the morning so leaves dry before evening
- Drip irrigation uses less water than sprinklers
  - Mulch keeps moisture in the ground during hot weeks
# Pests
- Slugs eat lettuce and young seedlings after rain
  - Copper tape around raised beds deters them
- Ladybirds eat aphids
# Pruning
- Prune apple trees in winter while they are dormant
- Cut lavender back after flowering, never into old wood
# Harvest
- Pick courgettes small for the best flavour
- Dig potatoes once the foliage dies back
"""
FEEDING = "# Feeding\n- Comfrey tea feeds tomatoes every fortnight in summer\n"
PRUNING_QUESTION = "When should apple trees be pruned?"
COMFREY_QUESTION = "How often should tomatoes get comfrey tea?"


class App:
    """An AppTest session of app.py on one outline file and one index folder."""

    def __init__(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        text: str = GARDEN,
        mode: str = "extractive",
    ):
        self.outline = write_outline(tmp_path / "notes", text, "garden.md")
        self.index = tmp_path / "index"
        monkeypatch.setenv("BRANCHWISE_SEEDS", str(self.outline.parent))
        monkeypatch.setenv("BRANCHWISE_INDEX", str(self.index))
        self.at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=180)
        self.at.session_state["answer_mode"] = mode

    def run(self) -> "App":
        self.at.run()
        assert not self.at.exception, [e.value for e in self.at.exception]
        return self

    def ask(self, question: str):
        """Ask in the chat box; returns the answer's chat message."""
        self.at.chat_input[0].set_value(question)
        self.run()
        return self.answers()[-1]

    def answers(self):
        return [m for m in self.at.chat_message if m.name == "assistant"]

    def reindex(self) -> None:
        self.run()  # notices the edit, as the sidebar's periodic check would
        self.at.sidebar.button(key="reindex").click()
        self.run()


def panel_titles(message) -> list[str]:
    return [e.label for e in message.expander]


def panel_text(message) -> str:
    return "\n".join(m.value for e in message.expander for m in [*e.markdown, *e.caption])


@pytest.fixture
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> App:
    return App(tmp_path, monkeypatch).run()


def test_first_run_builds_the_index_of_the_configured_outline(app: App) -> None:
    sidebar = "\n".join(m.value for m in app.at.sidebar.markdown)

    assert (app.index / MANIFEST).is_file()
    assert "**5** branches" in sidebar and "garden.md" in sidebar
    assert "garden.md" in app.at.main.markdown[0].value
    assert not app.at.error


def test_answer_shows_numbered_citation_panels_with_file_lines_and_branch(app: App) -> None:
    answer = app.ask(PRUNING_QUESTION)

    titles = panel_titles(answer)
    assert titles and titles[0] == "[1] Pruning"
    assert [t.split("]")[0] for t in titles] == [f"[{n}" for n in range(1, len(titles) + 1)]
    first = answer.expander[0]
    assert "garden.md" in first.caption[0].value and "lines 13–15" in first.caption[0].value
    assert "Prune apple trees in winter" in first.markdown[0].value
    assert "<mark>" in first.markdown[0].value  # the supporting line is highlighted
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", answer.markdown[0].value)}
    assert markers and markers <= set(range(1, len(titles) + 1))


def test_question_the_outline_cannot_answer_is_refused_once_naming_the_closest_lines(
    app: App,
) -> None:
    answer = app.ask("Who won the 1966 football World Cup final?")

    [warning] = [w.value for w in answer.warning]
    assert warning == app.at.session_state["turns"][0].answer.text  # what the CLI says, said once
    # it names what the question writes and the outline never does
    assert warning.startswith("The outline has no notes on World Cup.") and "Closest: " in warning
    # and the branches of the closest lines as panels, each line highlighted
    closest = app.at.session_state["turns"][0].answer.closest
    assert closest and panel_titles(answer) == [
        f"Closest: {citation.chunk.breadcrumb}" for citation in closest
    ]
    assert all("<mark>" in panel.markdown[0].value for panel in answer.expander)


def test_reindex_after_an_edit_makes_the_new_line_answerable(app: App) -> None:
    before = app.ask(COMFREY_QUESTION)
    assert "Comfrey" not in panel_text(before)

    app.outline.write_text(GARDEN + FEEDING, encoding="utf-8")
    app.run()
    assert "garden.md (edited)" in app.at.sidebar.warning[0].value
    app.reindex()
    after = app.ask(COMFREY_QUESTION)

    assert "1 added, 0 changed, 0 removed" in app.at.sidebar.success[0].value
    assert panel_titles(after)[0] == "[1] Feeding"
    assert "Comfrey tea feeds tomatoes" in panel_text(after)


def test_failing_reindex_reports_file_and_line_and_keeps_the_previous_index(app: App) -> None:
    stamp = (app.index / MANIFEST).read_bytes()
    app.outline.write_bytes(GARDEN.encode() + b"# Broken\n- caf\xe9 latte\n")

    app.reindex()
    answer = app.ask(PRUNING_QUESTION)

    error = app.at.sidebar.error[0].value
    assert "garden.md" in error and "line 20" in error and "UTF-8" in error
    assert (app.index / MANIFEST).read_bytes() == stamp
    assert panel_titles(answer)[0] == "[1] Pruning"


def test_follow_up_keeps_the_conversation_which_downloads_as_markdown_and_clears(app: App) -> None:
    app.ask(PRUNING_QUESTION)
    app.ask("And what about lavender?")

    turns = app.at.session_state["turns"]
    exported = conversation_markdown(turns, "garden notes")
    assert len(app.answers()) == 2
    assert [t.question for t in turns] == [PRUNING_QUESTION, "And what about lavender?"]
    assert [b.label for b in app.at.download_button] == ["Download as Markdown"]
    assert f"## {PRUNING_QUESTION}" in exported and "[1] Pruning — `" in exported
    assert "Prune apple trees in winter" in exported  # the cited branch travels with the answer

    next(b for b in app.at.button if b.label == "Clear conversation").click()
    app.run()
    assert app.answers() == [] and app.at.session_state["turns"] == []
    assert any(b.label.startswith("What ") for b in app.at.button)  # example questions are back


def test_example_question_button_asks_it(app: App) -> None:
    examples = [b for b in app.at.main.button if b.label.endswith(("?", "."))]
    assert len(examples) == 3

    examples[0].click()
    app.run()

    assert app.at.session_state["turns"][0].question == examples[0].label
    assert app.answers()


def test_citation_opens_the_outline_browser_at_its_branch(app: App) -> None:
    app.ask(PRUNING_QUESTION)
    next(b for b in app.at.button if b.label == "Show in outline").click()
    app.run()

    assert app.at.text_input(key="outline_filter").value == "Pruning"
    assert [e.label for e in app.at.main.expander] == ["Pruning"]
    assert "line 13" in app.at.main.expander[0].caption[0].value


def test_missing_model_shows_what_to_install_and_extractive_answers_still_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRANCHWISE_MODEL", str(tmp_path / "no-such-model.gguf"))
    app = App(tmp_path, monkeypatch, mode="model").run()

    error = app.at.main.error[0].value
    answer = app.ask(PRUNING_QUESTION)

    assert "not available" in error and "pip install" in error and "no-such-model.gguf" in error
    assert panel_titles(answer)[0] == "[1] Pruning"


def test_model_server_settings_all_reach_the_generator_the_app_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from assistant.backends import open_generator
    from ui import resources

    opened = []
    monkeypatch.setattr(
        resources, "open_generator", lambda spec: opened.append(open_generator(spec)) or opened[-1]
    )
    # Opening a server's generator contacts nothing: the port need not answer.
    monkeypatch.setenv("BRANCHWISE_LLM_URL", f"http://127.0.0.1:9/{tmp_path.name}/v1")
    monkeypatch.setenv("BRANCHWISE_LLM_MODEL", "qwen")
    monkeypatch.setenv("BRANCHWISE_LLM_CONCURRENCY", "4")

    app = App(tmp_path, monkeypatch, mode="model").run().run()

    assert [(g.in_flight, g.name) for g in opened] == [
        (4, "qwen")
    ]  # opened once, kept across reruns
    assert app.at.sidebar.text_input[0].value == "qwen"


def test_model_mode_loads_the_local_model_and_answers_with_citations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = App(tmp_path, monkeypatch, mode="model").run()

    answer = app.ask(PRUNING_QUESTION)

    turn = app.at.session_state["turns"][0]
    assert not app.at.error
    model_in_use = app.at.sidebar.text_input[0].value
    assert "SmolLM2" in model_in_use and "extractive" not in model_in_use
    assert panel_titles(answer)[0] == "[1] Pruning"
    assert answer.markdown[0].value == turn.answer.text  # the streamed text is the answer shown


def test_outline_browser_tree_opens_a_node_to_show_its_path_and_lines(app: App) -> None:
    app.ask(PRUNING_QUESTION)
    next(b for b in app.at.button if b.label == "Show in outline").click()
    app.run()
    app.at.text_input(key="outline_filter").set_value("")
    app.run()
    closed = [e.label for e in app.at.main.expander]

    app.at.session_state[f"tree:{app.outline}:9"] = True  # the user opens "Pests"
    app.run()

    assert closed == [
        "Soil :gray[· 2]",
        "Watering :gray[· 2]",
        "Pests :gray[· 2]",
        "Pruning :gray[· 2]",
        "Harvest :gray[· 2]",
    ]
    pests = next(e for e in app.at.main.expander if e.label.startswith("Pests"))
    assert "`Pests`" in pests.caption[0].value and "line 9" in pests.caption[0].value
    assert [e.label for e in pests.expander] == [
        "Slugs eat lettuce and young seedlings after rain :gray[· 1]"
    ]
    assert "`12` Ladybirds eat aphids" in pests.markdown[0].value


def test_reindex_lists_the_change_badges_the_answer_citing_it_and_re_ask_asks_again(
    app: App,
) -> None:
    first = app.ask(PRUNING_QUESTION)
    assert "Prune apple trees in winter" in panel_text(first)
    app.outline.write_text(
        GARDEN.replace("Prune apple trees in winter", "Prune apple trees in late winter"),
        encoding="utf-8",
    )

    app.reindex()

    listed = [b.label for b in app.at.sidebar.button if b.key and b.key.startswith("change-")]
    assert listed == ["\\~ Pruning (lines 13–15)"]
    assert app.at.session_state["turns"][0].stale == (1,)
    badged = app.answers()[0]
    assert STALE in badged.warning[0].value.lower()
    assert STALE in panel_titles(badged)[0] and panel_titles(badged)[0].startswith("[1] Pruning")
    exported = conversation_markdown(app.at.session_state["turns"], "garden notes")
    assert f"{STALE} ([1])" in exported and f"lines 13–15 — *{STALE}*" in exported

    app.at.button(key="reask-0").click()
    app.run()
    again = app.answers()[-1]
    assert len(app.answers()) == 2 and app.at.session_state["turns"][1].question == PRUNING_QUESTION
    assert (
        "Prune apple trees in late winter" in panel_text(again)
        and not app.at.session_state["turns"][1].stale
    )

    app.at.sidebar.button(key="change-0").click()
    app.run()
    assert app.at.text_input(key="outline_filter").value == "Pruning"
    branch = app.at.main.expander[0]
    assert "changed by the last re-index: line 14" in branch.caption[0].value
    assert (
        "<mark>Prune apple trees in late winter while they are dormant</mark> "
        ":orange-badge[changed]" in branch.markdown[0].value
    )


def test_an_answer_whose_cited_lines_did_not_change_keeps_no_badge(app: App) -> None:
    app.ask(PRUNING_QUESTION)
    app.outline.write_text(GARDEN + FEEDING, encoding="utf-8")

    app.reindex()

    assert app.at.session_state["turns"][0].stale == ()
    assert not app.answers()[0].warning and not any(b.key == "reask-0" for b in app.at.button)


def test_the_toggle_re_indexes_a_saved_edit_without_the_button(app: App) -> None:
    app.at.sidebar.toggle(key=changes.AUTO).set_value(True)
    app.run()
    app.outline.write_text(GARDEN + FEEDING, encoding="utf-8")
    saved = time.time() - 5  # saved a while ago: settled
    os.utime(app.outline, (saved, saved))

    app.run()  # the sidebar's periodic check

    assert "1 added, 0 changed, 0 removed" in app.at.sidebar.success[0].value
    assert [b.label for b in app.at.sidebar.button if b.key == "change-0"] == [
        "\\+ Feeding (lines 19–20)"
    ]


def test_the_toggle_keeps_the_old_index_when_the_saved_outline_fails_to_parse(app: App) -> None:
    stamp = (app.index / MANIFEST).read_bytes()
    app.at.sidebar.toggle(key=changes.AUTO).set_value(True)
    app.outline.write_bytes(GARDEN.encode() + b"# Broken\n- caf\xe9 latte\n")
    saved = time.time() - 5
    os.utime(app.outline, (saved, saved))

    app.run()
    app.run()  # not retried on the same outline: the error stays

    error = app.at.sidebar.error[0].value
    assert (
        "garden.md" in error and "line 20" in error and (app.index / MANIFEST).read_bytes() == stamp
    )


def test_a_mistyped_setting_is_shown_by_name_instead_of_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRANCHWISE_TOP_K", "five")

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()

    assert not at.exception
    assert "BRANCHWISE_TOP_K must be a whole number of 1 or more, not 'five'" in at.error[0].value
