"""indexer.markup.plain: inline Markdown is stripped to its words; plain text passes unchanged."""

from __future__ import annotations

import pytest

from indexer.markup import plain


@pytest.mark.parametrize(
    ("marked", "expected"),
    [
        ("**bold** and __strong__", "bold and strong"),
        ("*em* and _em_", "em and em"),
        ("~~gone~~ text", "gone text"),
        ("call `put_object()` now", "call put_object() now"),
        ("see [the docs](https://docs.test/x?a=1) first", "see the docs first"),
        ("![diagram of VPC](img/vpc.png)", "diagram of VPC"),
        ("go to <https://example.test/page>", "go to https://example.test/page"),
        ("a <kbd>Ctrl</kbd> key<br/>", "a Ctrl key"),
        (r"literal \*stars\* and \_under\_", "literal *stars* and _under_"),
        (r"\*\*not bold\*\* \[not a link\](x)", "**not bold** [not a link](x)"),
        ("**[bold link](u)** with `code`", "bold link with code"),
    ],
)
def test_inline_markup_is_stripped_to_its_words(marked: str, expected: str) -> None:
    assert plain(marked) == expected


@pytest.mark.parametrize(
    "text",
    [
        "snake_case_name stays",
        "2 * 3 * 4 is arithmetic",
        "file_name.py and my_var",
        "a*b*c",
        "Route53 forwarding rules",
        "price < 5 and > 2",
    ],
)
def test_text_without_markup_is_unchanged(text: str) -> None:
    assert plain(text) == text


def test_runs_of_spaces_and_tabs_collapse_and_ends_are_trimmed() -> None:
    assert plain("  many   spaces\tand\t\ttabs  ") == "many spaces and tabs"


def test_an_empty_line_stays_empty() -> None:
    assert plain("") == ""
