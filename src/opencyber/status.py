"""DSPT status strings: parse them, normalise them for an edition, score them.

Exports write a status as ``"<edition> <outcome>"`` (``22/23 Standards Met``), newer exports may write
``2023-24 Standards Met``; ``Not Published`` has no edition. Only outcomes of the edition being
reported count; any other status counts as Not Published (DESIGN.md, scoring rules).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: The statuses a report shows, best first, with the published score of each.
STATUSES: tuple[str, ...] = (
    "Standards Exceeded",
    "Standards Met",
    "Approaching Standards",
    "Standards Not Met",
    "Not Published",
)
SCORES: dict[str, int] = {
    "Standards Exceeded": 3,
    "Standards Met": 1,
    "Approaching Standards": -1,
    "Standards Not Met": -3,
    "Not Published": -3,
}
#: The statuses that mean an organisation met the standard.
MEETS: tuple[str, ...] = ("Standards Met", "Standards Exceeded")
#: Outcomes that exist in the DSPT vocabulary but have no published score.
UNSCORED_OUTCOMES: tuple[str, ...] = ("Entry Level",)

_OUTCOMES = {s.lower(): s for s in (*STATUSES, *UNSCORED_OUTCOMES)}
_STATUS_RE = re.compile(r"^(?:(?P<short>\d{2}/\d{2})|(?P<long>\d{4})-(?P<long_end>\d{2}))?\s*(?P<outcome>.*?)\s*$")


@dataclass(frozen=True)
class ParsedStatus:
    """A status string split into its DSPT edition (``"22/23"`` or None) and its outcome."""

    edition: str | None
    outcome: str


class StatusError(ValueError):
    """A status string that is not in the DSPT vocabulary."""


def normalise_edition(label: str) -> str:
    """``"2023-24"``, ``"2023/24"`` or ``"23/24"`` -> ``"23/24"``."""
    m = re.fullmatch(r"\s*(?:20)?(\d{2})\s*[-/]\s*(?:20)?(\d{2})\s*", label)
    if not m:
        raise StatusError(f"not a DSPT edition label: {label!r} (expected like '22/23' or '2022-23')")
    return f"{m.group(1)}/{m.group(2)}"


def parse_status(raw: str, *, aliases: dict[str, str] | None = None, unprefixed: str | None = None) -> ParsedStatus:
    """Parse one export status; blank is Not Published. Raises StatusError for anything unknown.

    ``aliases`` (lower-cased status -> status of the current vocabulary) maps an older export's words
    first (``Standards not fully met (plan agreed)`` -> ``Approaching Standards``); ``unprefixed``
    is the edition of outcomes written without one (the 2019 export writes ``Standards Met``).
    Both come from the edition's registry entry.
    """
    text = " ".join(str(raw).split())
    if aliases:
        text = aliases.get(text.lower(), text)
    if not text:
        return ParsedStatus(None, "Not Published")
    m = _STATUS_RE.match(text)
    assert m is not None  # the pattern matches any string
    outcome = _OUTCOMES.get(m.group("outcome").lower())
    if outcome is None:
        raise StatusError(f"unknown DSPT status {raw!r}")
    if m.group("short"):
        edition = m.group("short")
    elif m.group("long"):
        edition = normalise_edition(f"{m.group('long')}-{m.group('long_end')}")
    else:
        edition = unprefixed if outcome != "Not Published" else None
    if edition is None and outcome != "Not Published":
        raise StatusError(f"DSPT status {raw!r} has no edition (expected like '22/23 {outcome}')")
    return ParsedStatus(edition, outcome)


def status_for_edition(parsed: ParsedStatus, edition: str) -> tuple[str, str]:
    """The status counted for ``edition`` and the reason when it is not the raw outcome."""
    if parsed.outcome == "Not Published":
        return "Not Published", ""
    if parsed.edition != edition:
        return "Not Published", f"latest status is of edition {parsed.edition}, not {edition}"
    return parsed.outcome, ""


def score(status: str) -> int:
    """The published score of a normalised status."""
    try:
        return SCORES[status]
    except KeyError:
        raise StatusError(f"no score is defined for status {status!r} (scored: {', '.join(SCORES)})") from None


def scores_table():
    """The scoring rule as a table (status, score)."""
    import pandas as pd

    return pd.DataFrame({"status": list(SCORES), "score": list(SCORES.values())})
