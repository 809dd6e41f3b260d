"""What a question's ask names, or asks when it is asked yes or no, that the notes given to the
model never write (`unwritten_asked`): a model sentence repeating it states as fact what the notes
never said. The verifier (verify.py) drops such a sentence. Does not: read a sentence (verify.py,
claims.py) or judge lines (judge.py).
"""

from __future__ import annotations

from typing import Sequence

from assistant.amounts import AMOUNT_QUESTION, BOUNDS
from assistant.claims import Facts
from assistant.question import (
    WORD,
    YES_OR_NO,
    Question,
    ask_of,
    is_acronym,
    matched,
    name_runs,
)
from indexer.lexical import lexical_tokens
from indexer.lines import OutlineLine

SHORT_WORD = 3  # letters: "dx", "ssm", "kds" typed for what notes write out
ASKING_AMOUNTS = (AMOUNT_QUESTION, *(asks for asks, _ in BOUNDS.values()))


def unwritten_asked(question: str, lines: Sequence[OutlineLine]) -> frozenset[str]:
    """What the question's ask names, or asks if asked yes or no, that no note writes: a sentence
    repeating it states what the notes never said. "Does EKS support Windows worker nodes?" with
    notes that never say Windows: "EKS supports Windows worker nodes, …"; "Can AWS WAF block
    requests based on which country they come from?", with notes that never say country: "AWS WAF
    can block requests based on country, …".

    A name is read unless one of its words is written ("Amazon Macie" where the notes say "Macie")
    or it is an acronym (notes write out what a question abbreviates: "EFA"). Of a yes-or-no ask,
    its asked detail (its words outside the titles it names) is read too, but for words of three
    letters or fewer ("dx", "ssm"), words asking for an amount or an end of a range ("maximum"), and
    the word right after a title ("function" of "Lambda function"). Other asks are not read beyond
    their names: an answer often repeats them ("The smallest file EFS lifecycle management moves to
    infrequent access is 128kb"). A scenario's situation is not read: an answer may name it.

    >>> notes = [OutlineLine("notes.md", 3, ("EKS", "Worker Nodes", "Must configure user data"), 0)]
    >>> sorted(unwritten_asked("Can Amazon EKS run Windows nodes at most?", notes))
    ['window']
    """
    # every word the lines write, with digits too: "Route 53" is written as "Route53"
    written = frozenset(lexical_tokens([" ".join(" ".join(ln.path) for ln in lines)])[0])
    ask = ask_of(question).strip()
    runs = name_runs(ask)
    asked = Facts.of(" ".join(word for run in runs for word in run)).terms
    spared = _spared(ask, runs, written)
    if YES_OR_NO.match(ask):
        read = Question.read(question, lines)
        asked |= read.detail
        spared |= _after_titles(ask, Facts.of(" ".join(read.named)).terms)
    unwritten = asked - matched(asked, written) - spared
    return frozenset(word for word in unwritten if len(word) > SHORT_WORD)


def _spared(ask: str, runs: list[list[str]], written: frozenset[str]) -> frozenset[str]:
    """Words of the ask that a sentence may repeat though no note writes them: acronyms, a name
    one word of which the notes write, and the words asking for an amount or an end of a range."""
    words = [
        word
        for run in runs
        for word in run
        if is_acronym(word) or matched(Facts.of(" ".join(run)).terms, written)
    ]
    words += [m.group(0) for pattern in ASKING_AMOUNTS for m in pattern.finditer(ask)]
    return Facts.of(" ".join(words)).terms


def _after_titles(text: str, title_words: frozenset[str]) -> frozenset[str]:
    """The words right after a title's words: what a question asks of is often a title and the
    noun after it ("Lambda function", "SQS queue"), which an answer repeats. A word before a title
    qualifies it ("Windows worker nodes") and is not spared.

    >>> sorted(_after_titles("Can a Windows Lambda function run?", frozenset({"lambda"})))
    ['function']
    """
    words = [set(stems) for stems in lexical_tokens(WORD.findall(text))]
    after = [i + 1 for i, stems in enumerate(words[:-1]) if stems & title_words]
    return frozenset().union(*(words[i] for i in after))
