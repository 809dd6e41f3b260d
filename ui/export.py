"""A conversation as a Markdown document: each question, its answer and the branches it cites.

Pure: `conversation_markdown(turns, outline)` → str, for `st.download_button`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Sequence

from ui.citations import line_span

if TYPE_CHECKING:
    from assistant import Turn

STALE = "cited lines changed since this answer"


def conversation_markdown(turns: Sequence["Turn"], outline: str) -> str:
    """Questions as headings, answers as written (with their [n] markers), then numbered sources.

    Each source names its path, file and lines, followed by the branch as it reads in the outline;
    an answer whose cited lines a later re-index changed says so, as the app's badge does.
    """
    parts = [f"# Branchwise conversation\n\nAnswers drawn from {outline}.\n"]
    for turn in turns:
        answer = turn.answer
        parts.append(f"## {turn.question.strip()}\n")
        if answer.text.strip():
            parts.append(answer.text.strip() + "\n")
        if turn.stale:
            parts.append(
                f"> **Note:** {STALE} ({', '.join(f'[{n}]' for n in turn.stale)}); "
                "the outline was re-indexed after it. Ask again for a current answer.\n"
            )
        if answer.citations:
            parts.append("**Sources**\n")
        for citation in answer.citations:
            chunk = citation.chunk
            note = f" — *{STALE}*" if citation.n in turn.stale else ""
            parts.append(
                f"[{citation.n}] {chunk.breadcrumb} — `{chunk.source}`, "
                f"lines {line_span(chunk.lines)}{note}\n\n```text\n{chunk.text}\n```\n"
            )
    return "\n".join(parts)
