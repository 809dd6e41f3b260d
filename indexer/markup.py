"""Inline Markdown → plain text, for the text we embed and search (display text keeps the markup).

>>> plain("**S3** [docs](https://x) `put_object` _fast_")
'S3 docs put_object fast'
"""

from __future__ import annotations

import re

_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),  # image → alt text
    (re.compile(r"\[([^\]]*)\]\([^)]*\)"), r"\1"),  # link → its text
    (re.compile(r"<(https?://[^>\s]+)>"), r"\1"),  # autolink → URL
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), " "),  # inline HTML tag
    (re.compile(r"`+([^`]*)`+"), r"\1"),  # code span
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), r"\2"),  # strong
    (re.compile(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])"), r"\1"),  # *em*
    (re.compile(r"(?<![\w_])_(?=\S)(.+?)(?<=\S)_(?![\w_])"), r"\1"),  # _em_ (not snake_case)
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), r"\1"),  # strikethrough
)
_SPACES = re.compile(r"[ \t]+")
# An escaped character is literal: it is hidden from the rules as a private-use character, then
# restored.
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")
_HIDDEN = re.compile("[\ue000-\ue07f]")
_MARKUP = re.compile(
    "[\\[<`*_~\\\\\ue000-\ue07f]"
)  # a line without these is only re-spaced (fast path)


def plain(text: str) -> str:
    """Strip inline Markdown markup from one line, keeping the words."""
    if not _MARKUP.search(text):
        return _SPACES.sub(" ", text).strip()
    text = _ESCAPE.sub(lambda m: chr(0xE000 + ord(m.group(1))), text)
    for pattern, replacement in _RULES:
        text = pattern.sub(replacement, text)
    text = _HIDDEN.sub(lambda m: chr(ord(m.group()) - 0xE000), text)
    return _SPACES.sub(" ", text).strip()
