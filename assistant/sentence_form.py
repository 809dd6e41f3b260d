"""Sentences that say nothing whatever the notes say: a heading, a loop, a stutter, a sentence cut
off, a question, the asker's voice, a note copied in its own form. Does not: check a sentence
against the notes (verify.py).
"""

from __future__ import annotations

import re

from indexer.lexical import lexical_tokens

# A sentence cut off mid-clause: "Cloudwatch event [1] to".
DANGLING = re.compile(
    r"\b(?:to|of|for|with|and|or|the|a|an|by|from|as|is|are|which|that)\W*$",
    re.IGNORECASE,
)
STUTTER = re.compile(r"\b(\w+)[\s-]+\1\b", re.IGNORECASE)  # "Glue Glue", "data-data"
PATH_STEP = "›"  # between the steps of a note's path: "S3 › Features"
# The asker's voice: "I created a network firewall but …" echoes the user; an answer says "you".
ASKER = re.compile(r"(?<![\w/])I(?![\w/])|(?i:\b(?:my|we|our|me)\b)")
MIN_DISTINCT = 0.6  # share of distinct words below which a sentence is a repetition loop


def says_nothing(text: str) -> bool:
    """A list's heading ("It supports:"), a loop ("Cloud Security - Cloud Security"), a stutter
    ("Glue Glue", "data-data"), a sentence cut off ("Cloudwatch event to", "Custom baselines;"), a
    question (the model asking back, or echoing the user's), a sentence in the asker's voice, or a
    note copied in its own form ("S3 › Features › …: …"): the quotes show the notes themselves,
    and the model's copies mix them ("Application Load Balancer (NLB): TCP/UDP/TLS").

    >>> says_nothing("Security: Cloud Security - Cloud Security"), says_nothing("Spot saves 90%")
    (True, False)
    >>> says_nothing("I should check the agent"), says_nothing("Max I/O Performance Mode")
    (True, False)
    >>> says_nothing("S3 › Features › Bucket names: 3-63 characters")
    True
    """
    words = lexical_tokens([text])[0]
    return (
        text.rstrip().endswith((":", ";", "?"))
        or bool(ASKER.search(text))
        or PATH_STEP in text
        or bool(DANGLING.search(text))
        or bool(STUTTER.search(text))
        or len(set(words)) < MIN_DISTINCT * len(words)
    )
