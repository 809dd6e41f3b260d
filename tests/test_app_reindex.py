"""Editing the outline while the app runs (AppTest, real models): re-indexing by the button or
the toggle, what the sidebar lists, the answers whose cited lines changed, and a failed re-index
that keeps the previous index."""

from __future__ import annotations

import os
import time

import pytest
from app_session import (
    COMFREY_QUESTION,
    FEEDING,
    GARDEN,
    PRUNING_QUESTION,
    App,
    panel_text,
    panel_titles,
)

from indexer.manifest import MANIFEST
from ui import changes
from ui.export import STALE, conversation_markdown

pytestmark = pytest.mark.model


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
