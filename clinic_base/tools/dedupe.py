"""Duplicate detection over patient rows, without comparing all pairs.

Rows are plain dicts so that the same engine serves the patients in the
database and rows of an import that are not records yet::

    {"id": ..., "surname": "иванов", "first_name": "иван", "patronymic": "иванович",
     "birth_date": date(1980, 1, 31) or None, "snils": "11223344595" or "",
     "phones": {"+79123456789"}}

Name parts must already be folded (``names.fold``); a part of one letter is an
initial. Every piece of evidence counts: the names (in any order, with typos or
initials), the birth date (same, missing, day and month swapped, one digit off,
or a recent date typed instead of it), a shared phone and the SNILS. A pair gets
one of three outcomes: ``AUTO_SCORE`` and above is sure (merged by an import,
blocked on a form), ``REVIEW_SCORE`` and above goes to a person with its
reasons, below is not the same person (twins, namesakes, relatives on one phone,
another SNILS, first name or patronymic).

Candidate pairs come only from blocks that share a key (SNILS; the name words in
any order; surname or first name with the birth date read either way round;
phone), so the cost grows with the number of rows, not with its square. Blocks
above ``MAX_BLOCK`` rows are too common to say anything and are skipped.
"""

import contextlib
import gc
import itertools
from collections import defaultdict
from datetime import date

AUTO_SCORE = 90
REVIEW_SCORE = 70
MAX_BLOCK = 60
# A recent date on an adult's card is the visit date typed in the birth date field.
RECENT_YEARS = 12

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
REASON_BIRTH_RECENT = "birth_date_recent"
REASON_BIRTH_DIFFERS = "birth_date_differs"
REASON_SURNAME_CHANGED = "surname_changed"
REASON_SAME_PHONE = "same_phone"
REASON_NAME_ONLY = "name_only"
REASONS = (
    REASON_SNILS, REASON_NAME_BIRTH, REASON_NAME_ONLY, REASON_SWAPPED, REASON_TYPO, REASON_INITIALS,
    REASON_SURNAME_CHANGED, REASON_BIRTH_SAME, REASON_BIRTH_MISSING, REASON_BIRTH_SWAPPED, REASON_BIRTH_TYPO,
    REASON_BIRTH_RECENT, REASON_BIRTH_DIFFERS, REASON_SAME_PHONE,
)  # fmt: skip

_FEMININE_ENDINGS = ("вна", "чна", "кызы", "гызы")
_MASCULINE_ENDINGS = ("вич", "ич", "оглы", "улы")

SAME, INITIAL, TYPO, MISSING, DIFFERS = "same", "initial", "typo", "missing", "differs"
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


def _birth(a, b, today):
    """How two birth dates agree: same, missing, swapped (day and month), typo (one digit), recent, differs."""
    if not a or not b:
        return MISSING
    if a == b:
        return SAME
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "swapped"
    if sum(x != y for x, y in zip(a.isoformat(), b.isoformat(), strict=True)) == 1:
        return TYPO
    late, early = max(a, b), min(a, b)
    if (today - late).days < RECENT_YEARS * 365 and (late - early).days > RECENT_YEARS * 365:
        return "recent"
    return DIFFERS


def score_pair(a, b, today=None):
    """Return (score, reasons) for two rows; below ``REVIEW_SCORE`` means "not the same person"."""
    snils_a, snils_b = a.get("snils"), b.get("snils")
    if snils_a and snils_b:
        return (100, [REASON_SNILS]) if snils_a == snils_b else (0, [])
    kind, typos, swapped = _names(a, b)
    if kind == DIFFERS:
        return 0, []
    birth = _birth(a.get("birth_date"), b.get("birth_date"), today or date.today())
    phone = bool(set(a.get("phones") or ()) & set(b.get("phones") or ()))
    full = bool(a.get("patronymic")) and bool(b.get("patronymic"))
    score = _SCORES.get((kind, birth, phone), 0)
    if kind == TYPO and typos > 1:
        # Two slips at once need the patronymic or the phone to agree as well.
        score = REVIEW_SCORE if score and (phone or full) and birth == SAME else 0
    elif kind in (SAME, TYPO) and not full and birth in (MISSING, "recent", DIFFERS) and score:
        # «Иванов Иван» without a birth date says little: father and son share it, and a phone.
        score = min(score, 80) if phone and birth != DIFFERS else 0
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
    (SAME, MISSING, True): 92,
    (SAME, "swapped", True): 92, (SAME, "swapped", False): 85,
    (SAME, TYPO, True): 92,
    (SAME, "recent", True): 85,
    (SAME, DIFFERS, True): 72,
    (INITIAL, SAME, True): 92, (INITIAL, SAME, False): 80, (INITIAL, MISSING, True): 80,
    (INITIAL, "swapped", True): 75, (INITIAL, TYPO, True): 75,
    (TYPO, SAME, True): 88, (TYPO, SAME, False): 75, (TYPO, MISSING, True): 78,
    (TYPO, "swapped", True): 75, (TYPO, TYPO, True): 75, (TYPO, "recent", True): 72,
    ("surname_changed", SAME, True): 85,
    ("surname_changed", MISSING, True): 72, ("surname_changed", "swapped", True): 72,
    ("surname_changed", TYPO, True): 72,
}  # fmt: skip
_NAME_REASON = {INITIAL: REASON_INITIALS, TYPO: REASON_TYPO,
                "surname_changed": REASON_SURNAME_CHANGED}  # fmt: skip
_BIRTH_REASON = {SAME: REASON_BIRTH_SAME, MISSING: REASON_BIRTH_MISSING, "swapped": REASON_BIRTH_SWAPPED,
                 TYPO: REASON_BIRTH_TYPO, "recent": REASON_BIRTH_RECENT, DIFFERS: REASON_BIRTH_DIFFERS}  # fmt: skip


def _birth_key(birth):
    """The birth date read either way round (day and month swapped give one key)."""
    return (birth.year, min(birth.day, birth.month), max(birth.day, birth.month))


def _block_keys(row):
    if row.get("snils"):
        yield ("snils", row["snils"])
    parts = [p for p in (row["surname"], row["first_name"], row.get("patronymic") or "") if p]
    if len(parts) >= 2:
        yield ("names", " ".join(sorted(parts)))
    birth = row.get("birth_date")
    if birth:
        key = _birth_key(birth)
        for part in parts:
            if len(part) > 1:
                yield ("birth", key, part)
    for phone in row.get("phones") or ():
        yield ("phone", phone)


def candidate_pairs(rows, today=None):
    """Yield (id_a, id_b, score, reasons) for every pair worth a look, each pair once."""
    today = today or date.today()
    blocks = defaultdict(list)
    for row in rows:
        for key in _block_keys(row):
            blocks[key].append(row)
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
                score, reasons = score_pair(a, b, today)
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
    return _birth(a, b, date.today()) in (SAME, "swapped", TYPO, "recent")


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


def clusters(rows, today=None):
    """Group rows into clusters of likely duplicates (see ``_clusters``), the collector paused."""
    with without_gc():
        return _clusters(rows, today)


def _clusters(rows, today=None):
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
            )
        return facts[root]

    edges = sorted(candidate_pairs(rows, today), key=lambda e: -e[2])
    kept = []
    for a, b, score, reasons in edges:
        (pat_a, birth_a, snils_a), (pat_b, birth_b, snils_b) = known(a), known(b)
        ra, rb = find(a), find(b)
        if ra != rb:
            if (size[ra] > 1 or size[rb] > 1) and (
                len(snils_a | snils_b) > 1
                or not all(_compatible(pat_a, p, _same_patronymic) for p in pat_b)
                or _births_conflict(birth_a, birth_b, by_id[a].get("birth_date"), by_id[b].get("birth_date"))
            ):
                continue
            root, other = min(ra, rb), max(ra, rb)
            parent[other] = root
            size[root] = size[ra] + size[rb]
            facts[root] = (pat_a | pat_b, birth_a | birth_b, snils_a | snils_b)
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
