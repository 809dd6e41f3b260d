"""How the answer judge reads a question (`Question.read`): its content words, the outline titles
it names, what of it remains once those are set aside (the asked detail), and whether it asks for
an amount (of which kind, which end of a range; amounts.py) or for a list. Does not: score
candidate lines (signals.py) or judge them (judge.py).

>>> Question.read("How long can a Lambda function run?", []).asks_amount
True
>>> Question.read("Which routing policies can I set up?", []).asks_list
True
>>> Question.read("Which AWS service stores secrets?", []).asks_list
False
>>> Question.read("What are the DynamoDB capacity modes?", []).asks_list
True
>>> Question.read("list route 53 routing policies", []).asks_list
True
>>> Question.read("what does sqs do with a message after 14 days", []).asks_list  # "sqs do"
False
>>> Question.read("What are KMS grants for?", []).asks_list  # what they do, not a list
False
>>> sorted(Question.read("How long does SQS keep messages?", []).words)  # not "long" (polling)
['keep', 'messag', 'sqs']
>>> sorted(Question.read("What's Macie good for?", []).words)  # "good" asks nothing
['maci']
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Sequence

from assistant.amounts import (
    AMOUNT_QUESTION,
    FUNCTION_ASK,
    HOW_AMOUNT,
    amount_ask,
    asked_bounds,
    asked_kinds,
    counted,
    states_count,
    states_kind,
)
from indexer.lexical import joined_words, lexical_tokens
from indexer.lines import OutlineLine
from retriever.reading import read_question

# A name in the question: CamelCase, an acronym, or a capitalised word that does not open
# a sentence.
NAME = re.compile(r"(?<![.?!:]\s)(?<!^)\b(?:[A-Z][a-z]+[A-Z]\w*|[A-Z]{2,}\w*|[A-Z][a-z]+)\b")
# Words that ask rather than name: a question's "how", "what is"; they name no subject.
ASKING_WORDS = (
    "what is are does do how which when where why who whom whose many much can could should "
    "would will may might use used using for work works tell me about explain describe overview "
    "mean difference between compare versus vs i we my our you your "
    # English that names no subject and that the stop-word list keeps
    "before after out up off over get gets got have has had make need needs want wants "
    "like able possible way ways thing things also just good"
)
WORD = re.compile(r"[A-Za-z0-9]+")
PARENTHESES = re.compile(r"\(([^)]*)\)")
PREFIX = 4  # "time" and "timeout", "data" and "databrew": a shared start this long is the same word
MOST = 2 / 3  # the share of a name's word that an outline word starting it must cover
# An ask to be answered yes or no: "Does EKS support …?", "Can WAF block …?"
YES_OR_NO = re.compile(
    r"^(?:is|are|was|were|does|do|did|can|could|will|would|should|has|have|may|must)\b", re.I
)
# A question asking for several things of a kind: "which routing policies can I …", "what are the
# … options in …", "what flavours of …", "list the …": a plural noun (lower case, so not "AWS")
# within a few words of "which"/"what", followed by a verb or a preposition, or ending the
# question after "what are" ("What are the DynamoDB capacity modes?").
LIST_QUESTION = re.compile(
    r"\b(?:[Ww]hich|[Ww]hat)\s+(?:are\s+)?(?:the\s+)?"
    r"(?:(?!(?:does|do|did|is|was|can|will|should)\b)[A-Za-z0-9-]+\s+){0,3}?"
    r"(?!(?:does|was|has|this|its)\b)[a-z]+[^s\W]s\s+"
    r"(?:can|could|do|does|are|should|will|would|must|of|in|on|for|to|that|I|we|you|my|our|is)\b"
    r"|\b(?:[Ll]ist|[Nn]ame|[Ee]numerate)\s+(?:all|the|every)\b|^\s*(?:[Ll]ist|[Ee]numerate)\s"
    r"|\b(?:[Ww]hich|[Ww]hat)\s+are\s+(?:the\s+)?(?:[A-Za-z0-9-]+\s+){0,3}?[a-z]+[^s\W]s\s*\?"
)


@dataclass(frozen=True)
class Question:
    text: str
    words: frozenset[str]  # stemmed content words, asking words removed
    names: tuple[str, ...]  # names written in it: "Rekognition", "MSK"
    named: frozenset[str]  # titles of candidate lines' paths the question names
    detail: frozenset[str]  # content words outside the named titles: what it asks of them
    asks_amount: bool
    kinds: frozenset[str] = frozenset()  # the kinds of amount it asks for (see `AMOUNT_KINDS`)
    bounds: frozenset[str] = frozenset()  # the ends of a range it asks for (see `BOUNDS`)
    detail_text: str = ""  # the words of its ask whose stems are in `detail`, in their order
    asks_list: bool = False  # asks for several things of a kind: "which routing policies …"
    counted: str = ""  # the start of the word for what "how many" counts ("node")

    @classmethod
    def read(cls, text: str, lines: Sequence[OutlineLine]) -> "Question":
        asking = asking_words()
        asked = ask_of(text)  # the sentence that asks, for a question told with its situation
        whole, ask = (
            frozenset(set(words) - asking)
            for words in lexical_tokens(
                [re.sub(HOW_AMOUNT, "how", t, flags=re.I) for t in (text, asked)]
            )
        )
        titles = list(dict.fromkeys(title for line in lines for title in line.path[1:]))
        named, naming = set(), set()
        written_as = whole | joined_words([text])
        for title, ways in zip(titles, naming_words(titles, asking)):
            hits = [way for way in ways if way <= written_as]
            if hits:
                named.add(title)
                naming.update(*hits)
        names = tuple(match.group(0) for match in NAME.finditer(text.strip()))
        for_amount = amount_ask(asked)
        kinds = asked_kinds(for_amount, stated=bool(YES_OR_NO.match(asked.strip())))
        detail = ask - naming
        written = WORD.findall(asked)
        detail_text = " ".join(
            word for word, stems in zip(written, lexical_tokens(written)) if set(stems) & detail
        )
        return cls(
            text,
            ask,
            names,
            frozenset(named),
            detail,
            bool(AMOUNT_QUESTION.search(for_amount)) or bool(kinds),
            kinds,
            asked_bounds(for_amount),
            detail_text,
            bool(LIST_QUESTION.search(asked)) and not FUNCTION_ASK.search(asked),
            counted(asked),
        )

    @property
    def asks_stated(self) -> bool:
        """Whether it asks for an amount a line can be seen to state: of a kind, or a count."""
        return bool(self.kinds or self.counted)

    def states_asked(self, text: str) -> bool:
        """Whether the text states the amount asked for: a duration for "how long", a number of
        nodes for "how many nodes" ("1 leader node")."""
        return states_kind(text, self.kinds) or states_count(text, self.counted)

    @functools.cached_property
    def named_whole(self) -> frozenset[str]:
        """The named titles that are not part of a longer named title: "Security Hub", not
        "Security", for "What does Security Hub do?".

        >>> lines = [OutlineLine("notes.md", 2, ("AWS", "RDS", "Security"), 0),
        ...          OutlineLine("notes.md", 5, ("AWS", "VPC", "Security Groups", "Stateful"), 0)]
        >>> question = Question.read("Are security groups stateful?", lines)
        >>> sorted(question.named), sorted(question.named_whole)
        (['Security', 'Security Groups', 'Stateful'], ['Security Groups', 'Stateful'])
        >>> lines = [OutlineLine("notes.md", 2, ("AWS", "KMS"), 0),
        ...          OutlineLine("notes.md", 5, ("AWS", "Secrets", "Works with KMS"), 0)]
        >>> sorted(Question.read("What are KMS grants for?", lines).named_whole)
        ['KMS', 'Works with KMS']
        """
        titles = sorted(self.named)
        # its words but asking words: "Works with KMS" is no longer a name than "KMS"
        words = (
            [set(tokens) - asking_words() for tokens in lexical_tokens(titles)] if titles else []
        )
        return frozenset(
            title for title, own in zip(titles, words) if not any(own < other for other in words)
        )

    def share(self, asked: frozenset[str], found: set[str]) -> float:
        """Share of `asked` words among `found` (1 when nothing is asked)."""
        return len(matched(asked, found)) / len(asked) if asked else 1.0


def ask_of(text: str) -> str:
    """The sentence that asks, for a question told with its situation first; else the whole text.

    >>> ask_of("We run 40 accounts. Each needs a VPC. Which service shares subnets across them?")
    'Which service shares subnets across them?'
    """
    parts = read_question(text)
    return parts.ask if parts.is_scenario else text


@functools.cache
def asking_words() -> frozenset[str]:
    return frozenset(lexical_tokens([ASKING_WORDS])[0])


def naming_words(titles: Sequence[str], asking: set[str]) -> list[list[set[str]]]:
    """Per title, the word sets a question can name it by: all its words, or those outside or
    inside its parentheses, without asking words; empty sets dropped.

    "Internet Gateway (IGW)" → [{internet, gateway, igw}, {internet, gateway}, {igw}]
    """
    ways = [[title, PARENTHESES.sub(" ", title), *PARENTHESES.findall(title)] for title in titles]
    words = iter(lexical_tokens([text for texts in ways for text in texts]) if ways else [])
    return [
        [found for found in (set(next(words)) - asking for _ in texts) if found] for texts in ways
    ]


def unknown_names(names: Sequence[str], vocabulary: frozenset[str]) -> list[str]:
    """The names some word of which the outline never writes ("Azure", "CockroachDB").

    >>> unknown_names(["Lambda", "Azure Functions"], frozenset({"lambda", "function"}))
    ['Azure Functions']
    """
    words = lexical_tokens(list(names)) if names else []
    return [
        name
        for name, tokens in zip(names, words)
        if tokens and not all(_written(w, vocabulary) for w in tokens)
    ]


def _written(word: str, vocabulary: frozenset[str]) -> bool:
    """Whether the outline writes the word of a name: as such, longer ("pipelin" of
    "pipelines"), or as most of it ("produc" of "product"), not a small part of it ("code" of
    "codepipelin": CodePipeline is not written where "code" is).

    >>> [_written(w, frozenset({"code", "produc", "pipelines"})) for w in ("codepipelin", "product",
    ...     "pipelin")]
    [False, True, True]
    """
    if word in vocabulary:
        return True
    if len(word) < PREFIX:
        return False
    return any(
        term.startswith(word) or (word.startswith(term) and len(term) >= MOST * len(word))
        for term in vocabulary
        if len(term) >= PREFIX
    )


def is_acronym(name: str) -> bool:
    """
    >>> [is_acronym(name) for name in ("TGWs", "RabbitMQ", "Lightsail")]
    [True, False, False]
    """
    return name[:2].isupper()


def matched(words, terms) -> set[str]:
    """The words found among the terms, as such or sharing a start of `PREFIX` letters or more.

    >>> sorted(matched({"time", "max", "queue"}, {"timeout", "max"}))
    ['max', 'time']
    """
    found = set(words) & set(terms)
    long_terms = [t for t in terms if len(t) >= PREFIX]
    for word in set(words) - found:
        if len(word) >= PREFIX and any(
            t.startswith(word) or word.startswith(t) for t in long_terms
        ):
            found.add(word)
    return found


def name_runs(text: str) -> list[list[str]]:
    """The names of a text, neighbours joined: [["Amazon", "EKS"], ["Windows"]].

    >>> name_runs("Does Amazon EKS run Windows nodes?")
    [['Amazon', 'EKS'], ['Windows']]
    """
    runs: list[list[str]] = []
    end = -2
    for match in NAME.finditer(text):
        if runs and match.start() == end + 1:
            runs[-1].append(match.group(0))
        else:
            runs.append([match.group(0)])
        end = match.end()
    return runs
