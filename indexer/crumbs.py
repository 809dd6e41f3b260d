"""A chunk's path, two ways: the plain `A > B > C` breadcrumb that is embedded, and the titles users
see.

Both stay small however deep or wide the outline: a 5,000-level path or a 1 MB title costs what a
short one does.
"""

from __future__ import annotations

from typing import Callable, Sequence

from indexer.markup import plain

TokenCounter = Callable[[Sequence[str]], list[int]]  # word-pieces per text, without special tokens
CRUMB_WORDS = 12  # a path element longer than this is shortened in the embedded breadcrumb
CRUMB_CHARS = 1_000  # only the start of a huge title can reach the breadcrumb's first words
PATH_STEPS, PATH_CHARS = 32, 300  # a chunk's display path: at most this many titles of this length


def breadcrumbs(
    paths: list[tuple[str, ...]], count: TokenCounter, max_tokens: int
) -> list[tuple[str, int]]:
    """(`A > B > C` in plain words, its tokens) per path, counted in one batch; long titles are cut
    and deep paths keep their first and last steps.

    >>> breadcrumbs(
    ...     [("AWS", "**S3**", "Buckets")], lambda texts: [len(t.split()) for t in texts], 60
    ... )
    [('AWS > S3 > Buckets', 5)]
    """
    crumbs = [_crumb(path, len(path), max_tokens) for path in paths]
    out = []
    for path, (crumb, keep), tokens in zip(
        paths, crumbs, count([c for c, _ in crumbs]) if paths else []
    ):
        while keep > 1 and tokens > max_tokens:
            crumb, keep = _crumb(path, max(1, keep // 2), max_tokens)
            tokens = count([crumb])[0]
        out.append(fit(crumb, tokens, count, max_tokens))
    return out


def _crumb(path: tuple[str, ...], keep: int, max_tokens: int) -> tuple[str, int]:
    """The crumb of the first and last `keep` steps (all when `keep` is the path's length), halving
    `keep` without counting while its " > " separators alone, a token each, exceed max_tokens."""
    while keep > 1 and (keep - 1 if keep == len(path) else keep + 1) > max_tokens:
        keep = max(1, keep // 2)
    steps = [_step(title) for title in path[-keep:]]
    return " > ".join(steps if keep == len(path) else [_step(path[0]), "…", *steps]), keep


def _step(title: str) -> str:
    return " ".join(plain(title[:CRUMB_CHARS]).split()[:CRUMB_WORDS])


def fit(text: str, tokens: int, count: TokenCounter, max_tokens: int) -> tuple[str, int]:
    """(text, tokens), cut at the end until it fits: a title of one huge word can exceed any word
    limit."""
    while tokens > max_tokens and len(text) > 1:
        text = text[: max(1, len(text) * max_tokens // (tokens + 1))]
        tokens = count([text])[0]
    return text, tokens


def display_path(path: tuple[str, ...]) -> tuple[str, ...]:
    """The path shown to users: huge titles cut, a very deep path as its root, "…" and its last
    steps.

    >>> len(display_path(tuple(str(n) for n in range(5000)))), display_path(("x" * 400,))[0][-3:]
    (32, 'xx…')
    """
    if len(path) > PATH_STEPS:
        path = (path[0], "…", *path[-(PATH_STEPS - 2) :])
    return tuple(t if len(t) <= PATH_CHARS else t[:PATH_CHARS] + "…" for t in path)
