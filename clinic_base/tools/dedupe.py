"""Duplicate detection over patient rows, without comparing all pairs.

Rows are plain dicts so that the same engine serves the patients in the
database and rows of an import that are not records yet::

    {"id": ..., "surname": "иванов", "first_name": "иван", "patronymic": "иванович",
     "birth_date": date(1980, 1, 31) or None, "snils": "11223344595" or "",
     "phones": {"+79123456789"}, "seen": {date(2024, 5, 6)}}

``seen`` (optional) holds the days the patient was at the clinic (the card typed,
visits): a birth date equal to one of them is the visit date typed in the wrong
field, so it is no evidence for or against. Name parts must already be folded
(``names.fold``); a part of one letter is an initial. Every piece of evidence
counts: the names (in any order, with typos or initials), the birth date (same,
missing, day and month swapped, one digit off, or a visit day typed instead of
it), a shared phone, the SNILS, and how rare the name is in the base. A pair gets
one of three outcomes: ``AUTO_SCORE`` and above is sure (merged by an import,
blocked on a form), ``REVIEW_SCORE`` and above goes to a person with its
reasons, below is not the same person (twins, namesakes, relatives on one phone,
another SNILS, first name or patronymic).

Candidate pairs come only from blocks that share a key (SNILS; the name words in
any order; surname or first name with the birth date read either way round;
phone), so the cost grows with the number of rows, not with its square. Blocks
above ``MAX_BLOCK`` rows are too common to say anything and are skipped.
"""

import bisect
import contextlib
import gc
import itertools
from collections import Counter, defaultdict
from datetime import timedelta

AUTO_SCORE = 90
REVIEW_SCORE = 70
MAX_BLOCK = 60
# A card under another surname (after marriage) with a woman's first name, patronymic and birth date and nothing
# else in common is paired only when another woman of that first name and patronymic born the same day is a
# chance below NAMESAKE_CHANCE (see ``_rare``); the chance of a birth day is read from the base's births within
# BIRTH_WINDOW days of it.
NAMESAKE_CHANCE = 1 / 200
BIRTH_WINDOW = 365

# Reason codes: stored as codes, shown in the reader's language by the engine model.
REASON_SNILS = "snils"
REASON_NAME_BIRTH = "name_birth_date"
REASON_SWAPPED = "swapped_names"
REASON_TYPO = "name_typo"
REASON_BIRTH_SAME = "birth_date_same"
REASON_INITIALS = "initials"
REASON_BIRTH_MISSING = "birth_date_missing"
REASON_BIRTH_SWAPPED = "birth_day_month_swapped"
REASON_BIRTH_TYPO = "birth_date_typo"
REASON_BIRTH_VISIT = "birth_date_visit"
REASON_BIRTH_DIFFERS = "birth_date_differs"
REASON_SURNAME_CHANGED = "surname_changed"
REASON_SAME_PHONE = "same_phone"
REASON_NAME_ONLY = "name_only"
REASONS = (
    REASON_SNILS, REASON_NAME_BIRTH, REASON_NAME_ONLY, REASON_SWAPPED, REASON_TYPO, REASON_INITIALS,
    REASON_SURNAME_CHANGED, REASON_BIRTH_SAME, REASON_BIRTH_MISSING, REASON_BIRTH_SWAPPED, REASON_BIRTH_TYPO,
    REASON_BIRTH_VISIT, REASON_BIRTH_DIFFERS, REASON_SAME_PHONE,
)  # fmt: skip

_FEMININE_ENDINGS = ("вна", "чна", "кызы", "гызы")
_MASCULINE_ENDINGS = ("вич", "ич", "оглы", "улы")

SAME, INITIAL, TYPO, MISSING, DIFFERS, VISIT = "same", "initial", "typo", "missing", "differs", "visit"
_RANK = {SAME: 0, INITIAL: 1, TYPO: 2, "surname_changed": 3, DIFFERS: 4}
_ORDERS = tuple(itertools.permutations(range(3)))


def within_one_edit(a, b):
    """True when a and b differ by at most one typo: an insertion, deletion, substitution or swap of neighbours."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la > lb:
        a, b, la, lb = b, a, lb, la
    i = 0
    while i < la and a[i] == b[i]:
        i += 1
    if la == lb:
        swapped = i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]
        return swapped or a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]


def _gender(patronymic):
    if patronymic.endswith(_FEMININE_ENDINGS):
        return "f"
    if patronymic.endswith(_MASCULINE_ENDINGS):
        return "m"
    return ""


def _part(a, b):
    """How two folded name parts agree: same, initial, typo (one edit, 4+ letters), missing or differs."""
    if not a or not b:
        return MISSING
    if a == b:
        return SAME
    if len(a) == 1 or len(b) == 1:
        return INITIAL if a[0] == b[0] else DIFFERS
    if min(len(a), len(b)) >= 3 and max(len(a), len(b)) >= 4 and within_one_edit(a, b):
        return TYPO
    return DIFFERS


def _names(a, b):
    """(kind, typos, swapped) of the best reading of two names, kind one of SAME / INITIAL / TYPO /
    "surname_changed" / DIFFERS; every order of b's words is tried (surname and first name swapped,
    the whole name typed backwards)."""
    parts_a = (a["surname"], a["first_name"], a.get("patronymic") or "")
    parts_b = (b["surname"], b["first_name"], b.get("patronymic") or "")
    if parts_a == parts_b or (parts_a[:2] == parts_b[:2] and not (parts_a[2] and parts_b[2])):
        return SAME, 0, False
    best = (DIFFERS, 9, False)
    for order in _ORDERS:
        other = (parts_b[order[0]], parts_b[order[1]], parts_b[order[2]])
        if order != (0, 1, 2) and not (other[0] and other[1]):
            continue
        f = _part(parts_a[1], other[1])
        if f in (DIFFERS, MISSING):
            continue
        p = _part(parts_a[2], other[2])
        if p == DIFFERS:
            continue
        s = _part(parts_a[0], other[0])
        agree = (s, f, p)
        if p == TYPO and _gender(parts_a[2]) != _gender(other[2]):
            continue
        typos = agree.count(TYPO)
        if s == DIFFERS:
            if f == SAME and p == SAME:
                kind = "surname_changed"
            else:
                continue
        elif s == MISSING:
            continue
        elif INITIAL in agree:
            if s != SAME or typos:
                continue
            kind = INITIAL
        elif typos:
            kind = TYPO
        else:
            kind = SAME
        candidate = (kind, typos, order != (0, 1, 2))
        if (_RANK[kind], typos, candidate[2]) < (_RANK[best[0]], best[1], best[2]):
            best = candidate
    return best


def _birth(a, b):
    """How two birth dates agree: same, missing, swapped (day and month), typo (one digit), differs."""
    if not a or not b:
        return MISSING
    if a == b:
        return SAME
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "swapped"
    if sum(x != y for x, y in zip(a.isoformat(), b.isoformat(), strict=True)) == 1:
        return TYPO
    return DIFFERS


def birth_of(row):
    """The birth date of a row; None when it is one of the row's own visit days, typed in the wrong field."""
    birth = row.get("birth_date")
    return None if birth and birth in (row.get("seen") or ()) else birth


def name_counts(rows):
    """How common each full name, each woman's first name with patronymic (on cards with a birth date) and
    each birth date are in a base of rows (``dated``: the rows with a birth date; ``near``: for each birth
    date, the rows born within ``BIRTH_WINDOW`` days of it)."""
    names, given, births = Counter(), Counter(), Counter()
    for row in rows:
        names[name_key(row)] += 1
        if row.get("birth_date"):
            births[row["birth_date"]] += 1
            if _gender(row.get("patronymic") or "") == "f":
                given[row["first_name"], row["patronymic"]] += 1
    days = sorted(births)
    running = list(itertools.accumulate((births[day] for day in days), initial=0))
    window = timedelta(days=BIRTH_WINDOW)
    near = {
        day: running[bisect.bisect_right(days, day + window)] - running[bisect.bisect_left(days, day - window)]
        for day in days
    }
    return {"names": names, "given": given, "births": births, "dated": sum(births.values()), "near": near}


def _rare(a, counts, kind):
    """Nobody else in the base has the full name (``kind`` "names"), or another woman of a's first name and
    patronymic born on a's birth day is a chance below ``NAMESAKE_CHANCE`` ("given"): then the name itself
    is evidence.

    The chance is the expected number of such namesakes on file: the other cards of a woman with that first
    name and patronymic *and a birth date* (a card without one cannot carry a's day; the other card of the
    pair counts, since it may be that namesake) times the chance of being born on that day. That chance is the
    share of the base born within ``BIRTH_WINDOW`` days of it, spread over those days, rather than a flat
    guess: a clinic's patients are not spread evenly over the years (few were born in the 1940s, many in the
    1980s), so a namesake born on a given day is likelier in a crowded stretch than in a thin one. The pair
    itself is left out of that count and one card is added to it, so that a stretch with no other birth is
    read as unlikely, not impossible. A day many cards carry (1 January typed for an unknown date) counts
    with its own share when that is larger: such a date says little.

    Below the limit the pair is a doubt for a person (never merged on its own: its score is below
    ``AUTO_SCORE``); above it a namesake is too likely for the pair to be worth a look.
    """
    if kind == "given" and _gender(a["patronymic"]) != "f":
        return False
    counts = counts() if callable(counts) else counts
    if not counts:
        return False
    if kind == "names":  # a and b carry the same full name here
        return counts["names"].get(name_key(a), 0) <= 2  # noqa: PLR2004
    others = counts["given"].get((a["first_name"], a["patronymic"]), 1) - 1
    day, dated = a["birth_date"], max(counts["dated"], 1)
    around = (counts["near"].get(day, 2) - 1) / (dated * (2 * BIRTH_WINDOW + 1))
    same_day = max(around, (counts["births"].get(day, 2) - 2) / dated)
    return others * same_day <= NAMESAKE_CHANCE


def score_pair(a, b, counts=None):
    """Return (score, reasons) for two rows; below ``REVIEW_SCORE`` means "not the same person".

    ``counts`` (``name_counts`` of the base, or a function returning them when asked) lets a rare name count
    as evidence where little else agrees.
    """
    snils_a, snils_b = a.get("snils"), b.get("snils")
    if snils_a and snils_b:
        return (100, [REASON_SNILS]) if snils_a == snils_b else (0, [])
    kind, typos, swapped = _names(a, b)
    if kind == DIFFERS:
        return 0, []
    birth = _birth(a.get("birth_date"), b.get("birth_date"))
    if birth != SAME:  # one date typed on both cards is evidence, even if it is a visit day
        birth = _birth(birth_of(a), birth_of(b))
        if birth == MISSING and (birth_of(a), birth_of(b)) != (a.get("birth_date"), b.get("birth_date")):
            birth = VISIT
    phone = bool(set(a.get("phones") or ()) & set(b.get("phones") or ()))
    full = bool(a.get("patronymic")) and bool(b.get("patronymic"))
    score = _SCORES.get((kind, birth, phone), 0)
    rarity = _NAME_ONLY.get((kind, birth))
    if rarity and not phone and not _rare(a, counts, rarity):
        score = 0
    if kind == TYPO and typos > 1:
        # Two slips at once need the patronymic or the phone to agree as well.
        score = REVIEW_SCORE if score and (phone or full) and birth == SAME else 0
    elif kind in (SAME, TYPO) and not full and birth in (MISSING, VISIT) and score:
        # «Иванов Иван» without a birth date says little: father and son share it, and a phone.
        score = min(score, 80) if phone else 0
    if score < REVIEW_SCORE:
        return 0, []
    reasons = [REASON_SWAPPED] if swapped else []
    if kind == SAME:
        reasons.append(REASON_NAME_BIRTH if birth == SAME else REASON_NAME_ONLY)
    else:
        reasons.append(_NAME_REASON[kind])
    if birth != SAME or kind != SAME:
        reasons.append(_BIRTH_REASON[birth])
    if phone:
        reasons.append(REASON_SAME_PHONE)
    return score, reasons


# (names, birth date, shared phone) -> score. What is not listed is not the same person.
_SCORES = {
    (SAME, SAME, True): 97, (SAME, SAME, False): 95,
    (SAME, MISSING, True): 92, (SAME, VISIT, True): 92, (SAME, VISIT, False): 75,
    (SAME, "swapped", True): 92, (SAME, "swapped", False): 85,
    (SAME, TYPO, True): 92,
    (INITIAL, SAME, True): 92, (INITIAL, SAME, False): 80, (INITIAL, MISSING, True): 80, (INITIAL, VISIT, True): 80,
    (INITIAL, "swapped", True): 75, (INITIAL, TYPO, True): 75,
    (TYPO, SAME, True): 88, (TYPO, SAME, False): 75, (TYPO, MISSING, True): 78, (TYPO, VISIT, True): 78,
    (TYPO, "swapped", True): 75, (TYPO, TYPO, True): 75,
    ("surname_changed", SAME, True): 85, ("surname_changed", SAME, False): 70,
    ("surname_changed", MISSING, True): 72, ("surname_changed", VISIT, True): 72,
    ("surname_changed", "swapped", True): 72, ("surname_changed", TYPO, True): 72,
}  # fmt: skip
# Pairs that share nothing but the name (no phone): a visit day typed as the birth date, or a woman's new
# surname with her birth date. They are reviewed only when the name is rare in the base (see ``_rare``).
_NAME_ONLY = {(SAME, VISIT): "names", ("surname_changed", SAME): "given"}
_NAME_REASON = {INITIAL: REASON_INITIALS, TYPO: REASON_TYPO,
                "surname_changed": REASON_SURNAME_CHANGED}  # fmt: skip
_BIRTH_REASON = {SAME: REASON_BIRTH_SAME, MISSING: REASON_BIRTH_MISSING, "swapped": REASON_BIRTH_SWAPPED,
                 TYPO: REASON_BIRTH_TYPO, VISIT: REASON_BIRTH_VISIT, DIFFERS: REASON_BIRTH_DIFFERS}  # fmt: skip


def _birth_key(birth):
    """The birth date read either way round (day and month swapped give one key)."""
    return (birth.year, min(birth.day, birth.month), max(birth.day, birth.month))


def name_key(row):
    """The full name with its words in any order: the key namesakes share."""
    return " ".join(sorted(p for p in (row["surname"], row["first_name"], row.get("patronymic") or "") if p))


def _block_keys(row):
    if row.get("snils"):
        yield ("snils", row["snils"])
    parts = [p for p in (row["surname"], row["first_name"], row.get("patronymic") or "") if p]
    if len(parts) >= 2:
        yield ("names", name_key(row))
    birth = row.get("birth_date")
    if birth:
        key = _birth_key(birth)
        for part in parts:
            if len(part) > 1:
                yield ("birth", key, part)
    for phone in row.get("phones") or ():
        yield ("phone", phone)


def candidate_pairs(rows):
    """Yield (id_a, id_b, score, reasons) for every pair worth a look, each pair once."""
    blocks = defaultdict(list)
    for row in rows:
        for key in _block_keys(row):
            blocks[key].append(row)
    counts = name_counts(rows)
    seen = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                pair = (a["id"], b["id"]) if a["id"] < b["id"] else (b["id"], a["id"])
                if pair in seen or pair[0] == pair[1]:
                    continue
                seen.add(pair)
                score, reasons = score_pair(a, b, counts)
                if score >= REVIEW_SCORE:
                    yield pair[0], pair[1], score, reasons


def _patronymic_of(row):
    """The patronymic of a row, wherever it was typed (a name typed backwards puts it in the first name)."""
    patronymic = row.get("patronymic") or ""
    if len(patronymic) == 1 or _gender(patronymic):
        return patronymic
    return next((part for part in (row["first_name"], row["surname"]) if _gender(part)), "")


def _compatible(values, value, agree):
    return all(agree(value, other) for other in values)


def _births_conflict(births_a, births_b, own_a, own_b):
    """Two clusters hold birth dates that cannot be one person's; the two dates of the link itself were
    weighed with the rest of its evidence already."""
    return any(not _same_birth(x, y) for x in births_a for y in births_b if (x, y) != (own_a, own_b))


def _same_patronymic(a, b):
    return _part(a, b) in (SAME, INITIAL) or (_part(a, b) == TYPO and _gender(a) == _gender(b))


def _same_birth(a, b):
    return _birth(a, b) in (SAME, "swapped", TYPO)


@contextlib.contextmanager
def without_gc():
    """Pause the cyclic garbage collector: rows and blocks hold no cycles, and a collector walking the
    hundred thousand young dicts again and again as they pile up makes the run grow faster than the base."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def clusters(rows):
    """Group rows into clusters of likely duplicates (see ``_clusters``), the collector paused."""
    with without_gc():
        return _clusters(rows)


def _clusters(rows):
    """Group rows into clusters of likely duplicates.

    Returns a list of dicts ``{"ids": [...], "score": int, "reasons": [...],
    "auto": bool}``; ``auto`` means every link in the cluster is of merge-safe
    confidence. Strongest links first; a link that would put two different
    patronymics, birth dates or SNILS in one cluster is dropped (a card without
    them cannot glue two namesakes together).
    """
    by_id = {row["id"]: row for row in rows}
    parent, facts, size = {}, {}, defaultdict(lambda: 1)

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def known(x):
        root = find(x)
        if root not in facts:
            row = by_id[x]
            facts[root] = (
                {_patronymic_of(row)} - {""},
                {row.get("birth_date")} - {None},
                {row.get("snils") or ""} - {""},
                frozenset(row.get("seen") or ()),
            )
        return facts[root]

    edges = sorted(candidate_pairs(rows), key=lambda e: -e[2])
    kept = []
    for a, b, score, reasons in edges:
        (pat_a, birth_a, snils_a, seen_a), (pat_b, birth_b, snils_b, seen_b) = known(a), known(b)
        # A birth date equal to a visit day of either cluster's cards is that visit typed in the wrong field.
        births_a, births_b = birth_a - seen_a - seen_b, birth_b - seen_a - seen_b
        ra, rb = find(a), find(b)
        if ra != rb:
            if (size[ra] > 1 or size[rb] > 1) and (
                len(snils_a | snils_b) > 1
                or not all(_compatible(pat_a, p, _same_patronymic) for p in pat_b)
                or _births_conflict(births_a, births_b, birth_of(by_id[a]), birth_of(by_id[b]))
            ):
                continue
            root, other = min(ra, rb), max(ra, rb)
            parent[other] = root
            size[root] = size[ra] + size[rb]
            facts[root] = (pat_a | pat_b, birth_a | birth_b, snils_a | snils_b, seen_a | seen_b)
        kept.append((a, b, score, reasons))
    grouped = defaultdict(lambda: {"ids": set(), "scores": [], "reasons": set()})
    for a, b, score, reasons in kept:
        group = grouped[find(a)]
        group["ids"].update((a, b))
        group["scores"].append(score)
        group["reasons"].update(reasons)
    result = []
    for group in grouped.values():
        low = min(group["scores"])
        result.append(
            {
                "ids": sorted(group["ids"]),
                "score": low,
                "reasons": [r for r in REASONS if r in group["reasons"]],
                "auto": low >= AUTO_SCORE,
            }
        )
    result.sort(key=lambda c: c["ids"][0])
    return result
