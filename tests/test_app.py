"""The Streamlit app through `streamlit.testing.v1.AppTest`: real embedder, real index, real
assistant (extractive answers unless a test says otherwise), on small outlines written per test
(app_session.py). Editing and re-indexing in the app: test_app_reindex.py.

The embedding model is cached by the app's `@st.cache_resource` loader, so only the first test
pays for loading it; each test builds its own few-branch index in a few seconds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from app_session import PRUNING_QUESTION, App, panel_titles
from conftest import REPO_ROOT
from streamlit.testing.v1 import AppTest

from indexer.manifest import MANIFEST
from ui.export import conversation_markdown

pytestmark = pytest.mark.model


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


def test_a_mistyped_setting_is_shown_by_name_instead_of_a_traceback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("BRANCHWISE_TOP_K", "five")

    at = AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=60).run()

    assert not at.exception
    assert "BRANCHWISE_TOP_K must be a whole number of 1 or more, not 'five'" in at.error[0].value
