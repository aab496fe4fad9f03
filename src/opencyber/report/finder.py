"""The organisation finder: every NHS organisation of every built edition, and the organisations of
the full DSPT exports, as small JSON files the site's ``finder.html`` searches in the browser.

Rules only (names, search keys, records, successors); the page's words are in :mod:`opencyber.report.pages`.

- ``finder_nhs.json`` (loaded with the page): the NHS organisations of every edition's
  ``organisations.csv`` (in scope, or out of scope with their reason; organisations that are only in
  an export, such as care homes declaring themselves "NHS Trust", are not NHS organisations), each
  with its status, sector and area in every edition and its predecessors and successors.
- ``finder_all.json`` (fetched only when a reader searches it): every organisation of the full
  exports (an export with sectors beyond the NHS ones), as the export gives it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from opencyber.analysis import sectors, successors
from opencyber.inputs.registry import Edition
from opencyber.report.tables import readable_name

NHS_ONLY_REASON = "not in the reference lists"  # organisations.csv: an export row that is no NHS organisation

#: phrases that mean the same in a search (applied after lower-casing and dropping punctuation)
SEARCH_SYNONYMS = (
    (r"\bnhs foundation trust\b", "nhs ft"),
    (r"\bfoundation trust\b", "ft"),
    (r"\bnhs trust\b", "nhs trust"),
    (r"\bclinical commissioning group\b", "ccg"),
    (r"\bintegrated care board\b", "icb"),
    (r"\bcommissioning support unit\b", "csu"),
    (r"\bhospitals\b", "hospital"),
)


def search_key(text: str) -> str:
    """What a name or a query is compared on: lower case, ``&`` = ``and``, apostrophes (and the ``?``
    that replaced lost ones) dropped, other punctuation as spaces, "NHS Foundation Trust" = "NHS FT".
    ``static/finder.js`` applies the same rules to what the reader types."""
    s = str(text).lower().replace("&", " and ")
    s = re.sub(r"['’?]", "", s)
    s = re.sub(r"[^a-z0-9]+", " ", s)
    s = " ".join(s.split())
    for pattern, repl in SEARCH_SYNONYMS:
        s = re.sub(pattern, repl, s)
    return s


def edit_distance(a: str, b: str, limit: int = 2) -> int:
    """Damerau-Levenshtein distance (optimal string alignment: a swap of two neighbours is one
    edit) of ``a`` and ``b``, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2, prev = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if prev2 is not None and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def typo_limit(word: str) -> int:
    """How many typing mistakes a query word may have: none under 4 letters, 1 up to 7, 2 from 8."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def _word_close(word: str, key_words: list[str]) -> bool:
    limit = typo_limit(word)
    if not limit:
        return False
    # a query word may also be the start of a longer word ("yeovill" of "yeovil", "manchster" of "manchester")
    return any(
        edit_distance(word, w, limit) <= limit or edit_distance(word, w[: len(word)], limit) <= limit
        for w in key_words
        if abs(len(w) - len(word)) <= limit or len(w) > len(word)
    )


def matches(key: str, code: str, query: str, tolerant: bool = False) -> bool:
    """The finder's rule (mirrored by ``finder.js``): every word of the query is in the name's key,
    or the query is the start of the code (case ignored). ``tolerant`` (the finder's second pass,
    when nothing matches exactly): a query word of 4 or more letters may also be a close spelling of
    a word of the name (:func:`typo_limit` mistakes), so that "Yeovill" finds Yeovil."""
    q = search_key(query)
    if not q:
        return False
    if code.upper().startswith(re.sub(r"[^A-Za-z0-9]", "", query).upper()) and re.sub(r"[^A-Za-z0-9]", "", query):
        return True
    if not tolerant:
        return all(word in key for word in q.split())
    key_words = key.replace("|", " ").split()
    return all(word in key or _word_close(word, key_words) for word in q.split())


def display_name(name: str, code: str) -> str:
    """A name as the finder shows it: readable case, without the code that some DSPT names end with
    (``... (BRANSHOLME) (B81002)``: the page adds the code itself)."""
    text = " ".join(str(name).split())
    text = re.sub(r"\s*\(" + re.escape(code) + r"\)\s*$", "", text, flags=re.I)
    return readable_name(text)


#: the code index of the full exports: codes are put into this many files by their first 3 characters
CODE_BUCKETS = 256


def code_bucket(code: str) -> int:
    """Which code-index file holds the codes that start like ``code`` (its first 3 characters, upper
    case; djb2 hash): ``finder.js`` computes the same."""
    h = 5381
    for ch in code.upper()[:3]:
        h = (h * 33 + ord(ch)) & 0xFFFFFFFF
    return h % CODE_BUCKETS


# ---------------------------------------------------------------------------------------------
# records


def read_organisations(build_dir: Path, edition: Edition) -> pd.DataFrame:
    df = pd.read_csv(Path(build_dir) / edition.id / "organisations.csv", dtype=str, keep_default_na=False)
    return df


def nhs_rows(orgs: pd.DataFrame) -> pd.DataFrame:
    """The NHS organisations of an edition's ``organisations.csv``: in scope, or out of scope for a
    reason of the NHS rules (closed, Welsh, a sub-ICB location), not export-only rows."""
    return orgs[(orgs["in_scope"] == "True") | ~orgs["reason"].str.startswith(NHS_ONLY_REASON)]


def nhs_records(editions: list[Edition], build_dir: Path, data_dir: Path | None = None) -> dict:
    """The finder's NHS data: editions (newest first) and one record per organisation."""
    links = successors.successor_links(editions, data_dir)
    records: dict[str, dict] = {}
    for ed in editions:  # newest first: the newest name and sector are kept
        for r in nhs_rows(read_organisations(build_dir, ed)).itertuples():
            rec = records.setdefault(
                r.code, {"c": r.code, "n": display_name(r.name, r.code), "s": r.sector, "e": {}, "aka": []}
            )
            other = display_name(r.name, r.code)
            if other != rec["n"] and other not in rec["aka"]:
                rec["aka"].append(other)  # the names of older editions (a CCG's before it became a sub-ICB location)
            rec["e"][ed.id] = {
                "st": r.status,
                "raw": r.status_raw,
                "sec": r.sector,
                "a": r.area_code,
                "an": r.area_name,
                "in": r.in_scope == "True",
                "why": r.reason,
            }
    for code, rec in records.items():
        rec["k"] = " | ".join(search_key(n) for n in [rec["n"], *rec["aka"]])
        for kind, short in (("successors", "to"), ("predecessors", "from")):
            rec[short] = [{"c": c, "via": src} for c, src in sorted(links[kind].get(code, ()))]
    return {
        "editions": [
            {"id": e.id, "label": e.label, "snapshot": e.snapshot.isoformat(), "area": e.area_label} for e in editions
        ],
        "orgs": [records[c] for c in sorted(records)],
    }


def all_records(exports: list[tuple[Edition, pd.DataFrame]]) -> dict:
    """Every organisation of the full exports: code, name, sector, status and commissioner as the
    export gives them (arrays, to keep the file small)."""
    out = []
    for ed, df in exports:
        rows = [
            [r.code, display_name(r.name, r.code), r.export_sector, r.status_raw, r.commissioner]
            for r in df.sort_values("code").itertuples()
        ]
        out.append(
            {
                "edition": ed.id,
                "label": ed.label,
                "snapshot": ed.snapshot.isoformat(),
                "n": len(rows),
                "columns": ["code", "name", "sector", "status", "commissioner"],
                "rows": rows,
            }
        )
    return {"exports": out}


def code_index(full: dict) -> dict[int, dict]:
    """The full exports' organisations split by :func:`code_bucket` into small files, so that the
    finder finds any code of them without loading the whole export: ``{bucket: {"exports": [label,
    snapshot]..., "rows": [[code, name, sector, status, export number], ...]}}``."""
    exports = [[x["label"], x["snapshot"]] for x in full["exports"]]
    out: dict[int, dict] = {b: {"exports": exports, "rows": []} for b in range(CODE_BUCKETS)}
    for i, x in enumerate(full["exports"]):
        for code, name, sector, status, _ in x["rows"]:
            out[code_bucket(code)]["rows"].append([code, name, sector, status, i])
    return out


def dumps(obj) -> str:
    """Stable JSON (sorted keys, no spaces): the same inputs give the same bytes."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def finder_table(nhs: dict) -> pd.DataFrame:
    """The finder's NHS data as a long CSV: one row per organisation and edition."""
    rows = []
    for rec in nhs["orgs"]:
        for ed in nhs["editions"]:
            e = rec["e"].get(ed["id"])
            if e is None:
                continue
            rows.append(
                {
                    "code": rec["c"],
                    "name": rec["n"],
                    "edition": ed["id"],
                    "sector": e["sec"],
                    "status_raw": e["raw"],
                    "status": e["st"],
                    "area_code": e["a"],
                    "area_name": e["an"],
                    "in_scope": e["in"],
                    "reason": e["why"],
                    "successors": " ".join(s["c"] for s in rec["to"]),
                    "predecessors": " ".join(s["c"] for s in rec["from"]),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "code",
            "name",
            "edition",
            "sector",
            "status_raw",
            "status",
            "area_code",
            "area_name",
            "in_scope",
            "reason",
            "successors",
            "predecessors",
        ],
    )


def write_outputs(
    editions: list[Edition], build_dir: Path, data_dir: Path | None, out_dir: Path, exports: list | None = None
) -> dict:
    """Write finder_nhs.json, finder_all.json and finder_organisations.csv into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    nhs = nhs_records(editions, build_dir, data_dir)
    (out_dir / "finder_nhs.json").write_text(dumps(nhs) + "\n", encoding="utf-8")
    exports = sectors.full_exports(editions, data_dir) if exports is None else exports
    full = all_records(exports)
    (out_dir / "finder_all.json").write_text(dumps(full) + "\n", encoding="utf-8")
    for old in out_dir.glob("finder_codes_*.json"):
        old.unlink()
    if full["exports"]:
        for bucket, data in code_index(full).items():
            (out_dir / f"finder_codes_{bucket:03d}.json").write_text(dumps(data) + "\n", encoding="utf-8")
    finder_table(nhs).to_csv(out_dir / "finder_organisations.csv", index=False, lineterminator="\n")
    return nhs
