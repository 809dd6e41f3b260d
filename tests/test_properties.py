"""Property tests (hypothesis) for the parser and the chunker over generated outlines: headings,
every bullet marker, space/tab/mixed indentation, blank lines, CRLF, unicode, emphasis, code spans,
fences and very long lines. Token counts are whitespace words (fast); one smaller run uses the real
tokenizer."""

from __future__ import annotations

import pytest
from conftest import CountingEmbedder, content_lines
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import OutlineError
from indexer.chunk import SPECIAL_TOKENS, Chunk, chunk_file
from indexer.outline import parse_outline, read_outline_text

words = CountingEmbedder().count_tokens
BOUNDED = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Printable characters of any script; layout characters come only from the grammar below.
_CHAR = st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"))
_WORD = st.one_of(
    st.sampled_from(
        ["S3", "bucket", "VPC", "IAM", "policy", "cross-region", "replication", "KMS", "NAT"]
    ),
    st.sampled_from(
        [
            "**S3**",
            "__bold__",
            "*em*",
            "_em_",
            "`put_object`",
            "``a`b``",
            "~~old~~",
            "[docs](https://x)",
            "![alt](i.png)",
            "<b>",
            "\\*",
            "snake_case",
            "arn:aws:s3:::x/*",
            "日本語",
            "Ünïcödé",
            "👍🏽",
        ]
    ),
    st.text(_CHAR, min_size=1, max_size=10),
)
_PHRASE = st.lists(_WORD, max_size=8).map(" ".join)
_LONG = st.one_of(
    st.integers(200, 3000).map(lambda n: " ".join(f"w{i}" for i in range(n))),
    st.integers(500, 20000).map(lambda n: "x" * n),
)
_INDENT = st.lists(st.sampled_from([" ", "  ", "\t"]), max_size=6).map("".join)
_MARKER = st.sampled_from(["-", "*", "+", "1.", "2)", "10."])
_LINE = st.one_of(
    st.builds(lambda level, text: "#" * level + " " + text, st.integers(1, 7), _PHRASE),
    st.builds(
        lambda indent, marker, text: f"{indent}{marker} {text}".rstrip(), _INDENT, _MARKER, _PHRASE
    ),
    st.builds(lambda indent, marker, text: f"{indent}{marker} {text}", _INDENT, _MARKER, _PHRASE),
    st.builds(lambda indent, text: indent + text, _INDENT, _PHRASE),
    st.builds(lambda indent, text: f"{indent}- {text}", _INDENT, _LONG),
    st.sampled_from(["", "", "   ", "\t", "---", "* * *", "```", "~~~", "```python"]),
)
OUTLINE_LINES = st.lists(_LINE, max_size=40)
NEWLINE = st.sampled_from(["\n", "\r\n"])


def join(lines: list[str], newline: str = "\n") -> str:
    return newline.join(lines) + newline


def chunk_text(text: str, limit: int = 256, count=words) -> list[Chunk]:
    return chunk_file(parse_outline(text, "p.md"), count, 128, limit).chunks


@BOUNDED
@given(st.text())
def test_any_text_parses_and_chunks_without_an_exception(text: str) -> None:
    chunks = chunk_text(text)

    assert all(isinstance(c, Chunk) for c in chunks)


@BOUNDED
@given(st.binary(max_size=200))
def test_any_bytes_read_as_text_or_raise_an_outline_error(tmp_path_factory, data: bytes) -> None:
    path = tmp_path_factory.getbasetemp() / "bytes.md"
    path.write_bytes(data)

    try:
        text = read_outline_text(path)
    except OutlineError as error:
        assert error.path == str(path) and error.line is not None
    else:
        assert isinstance(chunk_text(text), list)


@BOUNDED
@given(OUTLINE_LINES, NEWLINE)
def test_every_content_line_lands_in_a_chunk(lines: list[str], newline: str) -> None:
    text = join(lines, newline)

    covered = {line for chunk in chunk_text(text) for line in chunk.lines}

    assert content_lines(text) <= covered
    assert covered <= set(range(1, len(lines) + 1))


@BOUNDED
@given(OUTLINE_LINES, st.integers(48, 512))
def test_no_chunk_exceeds_the_embedding_window(lines: list[str], limit: int) -> None:
    chunks = chunk_text(join(lines), limit)

    assert all(words([c.search_text])[0] + SPECIAL_TOKENS <= limit for c in chunks)


@BOUNDED
@given(OUTLINE_LINES)
def test_chunk_ids_are_unique_and_chunking_is_deterministic(lines: list[str]) -> None:
    text = join(lines)

    first, second = chunk_text(text), chunk_text(text)

    assert len({c.id for c in first}) == len(first)
    assert first == second


@BOUNDED
@given(OUTLINE_LINES)
def test_crlf_line_endings_chunk_exactly_like_lf(lines: list[str]) -> None:
    assert chunk_text(join(lines, "\r\n")) == chunk_text(join(lines, "\n"))


def _section(title: str, lines: list[str]) -> list[str]:
    """A top-level section whose lines cannot close it: no headings, fences or unindented
    paragraphs."""
    safe = [line for line in lines if not line.lstrip().startswith(("#", "```", "~~~"))]
    return [f"# {title}", *("  " + line if line.strip() else line for line in safe)]


@BOUNDED
@given(OUTLINE_LINES, OUTLINE_LINES, st.data())
def test_editing_one_section_keeps_ids_and_hashes_of_another(
    kept: list[str], edited: list[str], data
) -> None:
    top, bottom = _section("Kept section", kept), _section("Edited section", edited)
    changeable = [i for i, line in enumerate(bottom) if i and line.strip()]
    if changeable:
        index = data.draw(st.sampled_from(changeable))
        changed = [*bottom[:index], bottom[index] + " edited", *bottom[index + 1 :]]
    else:
        changed = [*bottom, "  - a new bullet"]

    before, after = chunk_text(join(top + bottom)), chunk_text(join(top + changed))

    in_top = {(c.id, c.content_hash) for c in before if max(c.lines) <= len(top)}
    assert in_top and in_top <= {(c.id, c.content_hash) for c in after}
    assert len({c.id for c in after}) == len(after)


@pytest.mark.model
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE, max_size=25))
def test_no_chunk_exceeds_the_real_model_window(real_embedder, lines: list[str]) -> None:
    count, limit = real_embedder.count_tokens, real_embedder.max_tokens

    chunks = chunk_text(join(lines), limit, count)

    assert all(n + SPECIAL_TOKENS <= limit for n in count([c.search_text for c in chunks]))


def _one_pass(text: str, source: str = "p.md"):
    """The parser fed every line in order: what `parse_outline` must equal, though it parses by
    headings."""
    from indexer.syntax import LineParser

    parser = LineParser(source)
    for number, raw in enumerate(
        text.replace("\r\n", "\n").removesuffix("\n").split("\n"), start=1
    ):
        parser.feed(raw.rstrip(), number)
    return parser


def _shape(roots) -> list[tuple]:
    nodes, stack = [], list(reversed(roots))
    while stack:
        node = stack.pop()
        nodes.append((node.depth, node.kind, node.text, node.lines, len(node.children)))
        stack.extend(reversed(node.children))
    return nodes


_TRICKY = st.sampled_from(
    [
        "# A",
        "## B",
        "### C",
        "#",
        "   # three spaces",
        "    # code, not a heading",
        "```",
        "  ~~~",
        "\u3000```",
        "- ```",
        "## closing ##",
        "text after",
        "  - x",
    ]
)


@BOUNDED
@given(st.lists(st.one_of(_LINE, _TRICKY), max_size=50), NEWLINE)
def test_parsing_heading_by_heading_equals_parsing_line_by_line(
    lines: list[str], newline: str
) -> None:
    text = join(lines, newline)

    outline, reference = parse_outline(text, "p.md"), _one_pass(text)

    assert _shape(outline.roots) == _shape(reference.roots)
    assert list(outline.warnings) == [message for _, message in reference.warnings]


_EDIT = st.tuples(
    st.sampled_from(["replace", "insert", "delete"]),
    st.integers(0, 10**6),
    st.one_of(_LINE, _TRICKY),
)
# Headed sections, so that a small chunk target leaves many branches to re-use.
_SECTIONS = st.lists(
    st.tuples(st.integers(1, 3), _PHRASE, st.lists(st.one_of(_LINE, _TRICKY), max_size=8)),
    max_size=12,
).map(
    lambda sections: [
        line for level, title, body in sections for line in ["#" * level + " " + title, *body]
    ]
)


@BOUNDED
@given(_SECTIONS, st.lists(_EDIT, min_size=1, max_size=3), st.sampled_from([16, 48]))
def test_rechunking_with_the_last_build_equals_chunking_afresh(
    lines: list[str], edits, target: int
) -> None:
    from indexer.outline import Outline

    edited = list(lines)
    for kind, where, line in edits:
        at = where % (len(edited) + 1)
        if kind == "insert" or not edited or at == len(edited):
            edited.insert(at, line)
        elif kind == "replace":
            edited[at] = line
        else:
            del edited[at]
    last = chunk_file(Outline("p.md", join(lines)), words, target, 256)

    again = chunk_file(Outline("p.md", join(edited)), words, target, 256, last)
    fresh = chunk_file(Outline("p.md", join(edited)), words, target, 256)

    assert again == fresh
