"""Amounts: how a question asks for one (how long, the largest, the default …) and how an outline
line states one ("Max 900s" states a duration and its upper end). Does not: read the rest of a
question (question.py).
"""

from __future__ import annotations

import re
from typing import Sequence

from assistant.claims import END_WORDS

# After "limit", what makes it the verb: "to limit what it can reach", not "a size limit on …".
VERB_OBJECT = r"(?!\s+(?:what|who|whom|which|where|how|access|traffic)\b)"
# A question asking for an amount: how many/much/long…, a limit, a size, a price. The "long" of
# "how long" is no word of what is asked about ("Long Polling").
HOW_AMOUNT = r"\bhow\s+(?:many|much|long|large|big|far|often|fast|small|soon|quickly)\b"
AMOUNT_QUESTION = re.compile(
    HOW_AMOUNT + r"|\b(max|maximum|min|minimum|size|"
    r"costs?|prices?|priced|pricing|percent|percentage|largest|smallest|longest|shortest|highest|"
    rf"lowest|(?<!\bto )limits?{VERB_OBJECT}|quota|duration|timeout|retention|retained|kept)\b",
    re.IGNORECASE,
)
# A number ("4 days", "10GB", "5-300"), not an ordinal ("3rd party") nor inside a name ("EC2"), or a
# word for a number or a period ("one", "unlimited", "daily").
AMOUNT = re.compile(
    r"(?<![A-Za-z])\d+(?:[.,]\d+)*(?!\d|(?:st|nd|rd|th)\b)|\b(zero|one|two|three|four|five|six|seven|eight|"
    r"nine|ten|eleven|twelve|twenty|hundreds?|thousands?|millions?|billions?|dozens?|single|double|"
    r"unlimited|once|twice|hourly|daily|weekly|fortnight(ly)?|monthly|yearly|annually)\b",
    re.IGNORECASE,
)


_TIME_UNIT = r"(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?|months?|years?)"
SIZE_UNIT = r"(?:b|kb|mb|gb|tb|pb|bytes?|kib|mib|gib|tib)"
# Kinds of amount a question can ask for, and how a line states each (a number with its unit).
AMOUNT_KINDS = {
    "duration": (
        re.compile(
            r"\bhow (long|soon|quickly)\b|\b(longest|shortest|duration|timeout|time ?out|"
            r"retention|retain(ed)?|kept|expire|expiry|run for)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\d+(?:[.,]\d+)?\s*" + _TIME_UNIT + r"\b", re.IGNORECASE),
    ),
    "size": (
        re.compile(
            r"\bhow (big|large|small)\b|\bhow much (storage|space|data)\b"
            r"|\b(largest|biggest|smallest|size|capacity)\b",
            re.IGNORECASE,
        ),
        re.compile(r"\d+(?:[.,]\d+)?\s*" + SIZE_UNIT + r"\b", re.IGNORECASE),
    ),
    "price": (
        re.compile(
            r"\bhow much\b.*\b(cost|pay|charge)"
            r"|\b(costs?|price|prices|priced|pricing|charge[sd]?)\b",
            re.IGNORECASE,
        ),
        re.compile(
            r"[$€£]\s*\d|\d\s*(?:cents?|usd|dollars?)\b|\d\S*\s+per (?:hour|month|gb|request)"
            r"|\b(?:free|cheaper|discount)\b",
            re.IGNORECASE,
        ),
    ),
}


# Which end of a range a question asks for, and how a note states that end: "How long can a Lambda
# function run?" asks for the upper bound that "Timeout › Max 900s" states, not "Default 3s". A note
# states an end with the words that say which end a number is (`END_WORDS`) or a superlative.
BOUNDS = {
    "upper": (
        re.compile(
            r"\b(max|maximum|longest|largest|biggest|highest|most|at most|up to|"
            rf"(?<!\bto )limit{VERB_OBJECT}|"
            r"how (long|large|big|many|much))\b",
            re.IGNORECASE,
        ),
        re.compile(rf"\b(?:{END_WORDS['upper']}|limits?|largest|longest)\b", re.I),
    ),
    "lower": (
        re.compile(r"\b(min|minimum|shortest|smallest|lowest|least|at least)\b", re.I),
        re.compile(rf"\b(?:{END_WORDS['lower']}|smallest|shortest)\b", re.I),
    ),
    "default": (
        re.compile(r"\b(default|by default|out of the box)\b", re.I),
        re.compile(rf"\b(?:{END_WORDS['default']})\b", re.I),
    ),
}
# A range of numbers states both its ends: "3-63 characters", "1KB to 256KB", "between 0 and 20".
NUMBER_RANGE = re.compile(
    r"(?<![\w.])\d+(?:\.\d+)?\s*[A-Za-z]{0,5}\s*(?:-|–|\bto\b)\s*\d"
    r"|\bbetween\s+\d+\S*\s+and\s+\d",
    re.IGNORECASE,
)
WORD_DIGITS = re.compile(r"\b[A-Za-z]+\d\w*")  # "k8s", "EC2": names, not amounts


# Words that end the name of what "how many" counts: "How many leader nodes *does* Redshift have?"
COUNT_END = frozenset(
    "can could do does did is are was were will would should may might must in per of on for to "
    "at by with before after i we you my our a an the each every one".split()
)
# Up to two words between a number and what it counts ("max 10 read groups"), none ending the name
COUNT_BETWEEN = rf"(?:(?!(?:{'|'.join(sorted(COUNT_END))})\b)[\w-]+\s+){{0,2}}?"
# A number, not one inside a name ("EC2 instances"), or a small number written as a word.
COUNT_NUMBER = (
    r"(?:(?<![A-Za-z])\d+(?:[.,]\d+)*|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|"
    r"eleven|twelve|twenty|hundreds?|thousands?|single))"
)


def counted(text: str) -> str:
    """The start of the word for what a "how many" question counts, "" for any other question.

    >>> counted("How many leader nodes does Redshift have?"), counted("How long can Lambda run?")
    ('node', '')
    >>> counted("how many ips does aws reserve per subnet"), counted("How many policies?")
    ('ip', 'polic')
    """
    found = re.search(r"\bhow\s+many\s+([^?.!]*)", text, re.IGNORECASE)
    if not found:
        return ""
    words: list[str] = []
    for word in re.findall(r"[A-Za-z0-9]+", found.group(1))[:4]:
        if word.lower() in COUNT_END:
            break
        words.append(word.lower())
    if not words:
        return ""
    noun = words[-1]
    for plural, ending in (("ies", 3), ("sses", 2), ("xes", 2), ("ches", 2), ("shes", 2), ("s", 1)):
        if noun.endswith(plural) and len(noun) - ending >= 2:
            return noun[:-ending]
    return noun


def states_count(text: str, noun: str) -> bool:
    """Whether the text gives a number of the counted thing: "1 leader node", "max 10 groups".

    >>> states_count("User can have max 10 groups", "group"), states_count("EC2 groups", "group")
    (True, False)
    >>> states_count("Process up to 10 batches per shard", "shard")  # a number of batches
    False
    """
    return bool(
        noun
        and re.search(rf"{COUNT_NUMBER}\s+{COUNT_BETWEEN}{re.escape(noun)}", text, re.IGNORECASE)
    )


# An ask for a thing ("Which routing policy …"), whose superlative says which ("… the lowest
# latency"), not that an amount is asked.
WHICH_THING = re.compile(r"^\s*which\s+(?!(?:is|are|was|were)\b)\w", re.IGNORECASE)
SUPERLATIVE = re.compile(
    r"\b(?:the\s+)?(?:most|least|lowest|highest|largest|smallest|longest|shortest|biggest|"
    r"fastest|cheapest)\b",
    re.IGNORECASE,
)
# An ask what something does or is for: "What does the visibility timeout do?", "What is the
# retention period for?"
FUNCTION_ASK = re.compile(
    r"^\s*what\s+(?:does|do)\b.*\bdo\s*\?*\s*$|^\s*what\s+(?:is|are)\b.*\b(?:used\s+)?for\s*\?*\s*$",
    re.IGNORECASE,
)


def amount_ask(ask: str) -> str:
    """The ask as read for an amount: a "which …" ask asks for a thing, its superlative picks it;
    an ask what something does or is for asks for no amount ("What does the visibility timeout
    do?").

    >>> amount_ask("Which routing policy sends users to the lowest latency region?")
    'Which routing policy sends users to latency region?'
    >>> amount_ask("How long can the longest Lambda function run?")
    'How long can the longest Lambda function run?'
    """
    if FUNCTION_ASK.search(ask):
        return ""
    if not WHICH_THING.match(ask) or re.search(HOW_AMOUNT, ask, re.IGNORECASE):
        return ask
    return " ".join(SUPERLATIVE.sub(" ", ask).split()).replace(" ?", "?")


def asked_bounds(text: str) -> frozenset[str]:
    """
    >>> sorted(asked_bounds("What is the default visibility timeout?"))
    ['default']
    """
    return frozenset(bound for bound, (asks, _) in BOUNDS.items() if asks.search(text))


def states_bound(texts: Sequence[str], bounds: frozenset[str]) -> bool:
    """
    >>> states_bound(["Globally unique bucket names", "3-63 characters"], frozenset({"upper"}))
    True
    """
    if bounds - {"default"} and any(NUMBER_RANGE.search(text) for text in texts):
        return True
    return any(BOUNDS[bound][1].search(text) for bound in bounds for text in texts)


def asked_kinds(text: str, stated: bool = False) -> frozenset[str]:
    """The kinds of amount the text asks for, or with `stated` (a yes-or-no ask) those it states:
    "Can I run Lambda for 20 minutes?" asks about a duration, where in "encrypting a 10kb payload
    errors out, why?" the size is the situation. Not the words that state a price ("free",
    "cheaper"): "Is EFS cheaper than EBS?" asks for no amount.

    >>> sorted(asked_kinds("How long can a Lambda function run?"))
    ['duration']
    >>> sorted(asked_kinds("How much storage does a Snowcone hold?"))
    ['size']
    >>> sorted(asked_kinds("Which storage option fits best?"))  # a storage, not a size
    []
    >>> sorted(asked_kinds("Can DynamoDB expire old items?", stated=True))  # none it states
    []
    """
    return frozenset(
        kind
        for kind, (asks, states) in AMOUNT_KINDS.items()
        if (asks.search(text) and not stated)
        or (stated and kind != "price" and states.search(WORD_DIGITS.sub(" ", text)))
    )


def states_kind(text: str, kinds: frozenset[str]) -> bool:
    """Whether the text states an amount of one of these kinds: "Max 900s" states a duration."""
    return any(AMOUNT_KINDS[kind][1].search(text) for kind in kinds)


# An amount with its unit, as a question or a line states it: "14 days", "900s", "4KB".
STATED_AMOUNT = re.compile(
    rf"(?<![\w.])(\d+(?:\.\d+)?)\s*({_TIME_UNIT}|{SIZE_UNIT})\b", re.IGNORECASE
)


def stated_amounts(text: str) -> set[tuple[str, str]]:
    """The amounts a text states, each as its number and unit ("900s" and "900 seconds" are one;
    "10 years" and "10PB" are not).

    >>> stated_amounts("900 seconds") == stated_amounts("Max 900s")
    True
    >>> sorted(stated_amounts("10 years, 10PB"))
    [('10', 'pb'), ('10', 'y')]
    """
    return {(number, _unit(unit)) for number, unit in STATED_AMOUNT.findall(text)}


def _unit(unit: str) -> str:
    """
    >>> [_unit(u) for u in ("s", "seconds", "mins", "months", "MB", "MiB", "days")]
    ['s', 's', 'min', 'mo', 'mb', 'mb', 'd']
    """
    unit = unit.lower().replace("i", "") if unit.lower().endswith("ib") else unit.lower()
    for short, long in (("ms", "ms"), ("mo", "month"), ("min", "min"), ("s", "sec")):
        if unit == short or unit.startswith(long):
            return short
    return unit if unit.endswith("b") else unit[0]
