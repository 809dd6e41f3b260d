"""An AppTest session of app.py on a small garden outline written per test, shared by the app's
tests (test_app.py: asking; test_app_reindex.py: editing and re-indexing; the `app` fixture is in
conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO_ROOT, write_outline
from streamlit.testing.v1 import AppTest

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
