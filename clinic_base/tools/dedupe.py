"""Duplicate detection over patient rows, without comparing all pairs.

Rows are plain dicts so that the same engine serves the patients in the
database and rows of an import that are not records yet::

    {"id": ..., "surname": "иванов", "first_name": "иван", "patronymic": "иванович",
     "birth_date": "1980-01-31" or None, "snils": "11223344595" or "",
     "phones": {"+79123456789"}}

Name parts must already be folded (``names.fold``). Candidate pairs come
only from blocks that share a key (SNILS; surname+birth date; first
name+birth date; phone+birth date; both names in either order), so the cost
grows with the number of rows, not with its square. Blocks above
``MAX_BLOCK`` rows are too common to say anything and are skipped.
"""

from collections import defaultdict

AUTO_SCORE = 90
REVIEW_SCORE = 70
MAX_BLOCK = 60

REASON_SNILS = "snils"
REASON_NAME_BIRTH = "name_birth_date"
REASON_SWAPPED = "swapped_names"
REASON_TYPO = "name_typo"
REASON_PHONE = "phone_birth_date_first_name"


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


def score_pair(a, b):
    """Return (score, reasons) for two rows; score 0 means "not the same person"."""
    snils_a, snils_b = a.get("snils"), b.get("snils")
    if snils_a and snils_b:
        if snils_a == snils_b:
            return 100, [REASON_SNILS]
        return 0, []
    birth_a, birth_b = a.get("birth_date"), b.get("birth_date")
    if not birth_a or not birth_b or birth_a != birth_b:
        return 0, []
    sa, fa, pa = a["surname"], a["first_name"], a.get("patronymic") or ""
    sb, fb, pb = b["surname"], b["first_name"], b.get("patronymic") or ""
    patronymic_ok = not pa or not pb or pa == pb
    if sa == sb and fa == fb and patronymic_ok:
        return 95, [REASON_NAME_BIRTH]
    if sa == fb and fa == sb and patronymic_ok:
        return AUTO_SCORE, [REASON_SWAPPED]
    shared_phone = bool(set(a.get("phones") or ()) & set(b.get("phones") or ()))
    if sa == sb and fa != fb and not within_one_edit(fa, fb):
        # Same surname, birth date (and often phone), other first name: twins.
        return 0, []
    if patronymic_ok and ((sa == sb and within_one_edit(fa, fb)) or (fa == fb and within_one_edit(sa, sb))):
        return 75 if shared_phone else REVIEW_SCORE, [REASON_TYPO]
    # Two slips at once (a typo in each name, or a typo plus swapped names) need more to agree:
    # the same patronymic, or a shared phone.
    strong = (pa and pa == pb) or shared_phone
    if (
        strong
        and patronymic_ok
        and (
            (within_one_edit(sa, sb) and within_one_edit(fa, fb))
            or (within_one_edit(sa, fb) and within_one_edit(fa, sb))
        )
    ):
        return REVIEW_SCORE, [REASON_TYPO]
    if shared_phone and fa == fb and pa and pa == pb:
        # Surname changed (marriage) but first name, patronymic, birth date and phone agree.
        return 75, [REASON_PHONE]
    return 0, []


def _block_keys(row):
    birth = row.get("birth_date")
    if row.get("snils"):
        yield ("snils", row["snils"])
    if not birth:
        return
    surname, first = row["surname"], row["first_name"]
    yield ("names", birth, min(surname, first), max(surname, first))
    yield ("surname", birth, surname)
    yield ("first", birth, first)
    if row.get("patronymic"):
        yield ("patronymic", birth, row["patronymic"])
    for phone in row.get("phones") or ():
        yield ("phone", birth, phone)


def candidate_pairs(rows):
    """Yield (id_a, id_b, score, reasons) for every pair worth a look, each pair once."""
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
                score, reasons = score_pair(a, b)
                if score >= REVIEW_SCORE:
                    yield pair[0], pair[1], score, reasons


def clusters(rows):
    """Group rows into clusters of likely duplicates.

    Returns a list of dicts ``{"ids": [...], "score": int, "reasons": [...],
    "auto": bool}``; ``auto`` means every link in the cluster is of merge-safe
    confidence (same SNILS, or same names and birth date).
    """
    by_id = {row["id"]: row for row in rows}
    parent, facts = {}, {}

    def find(x):
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def known(x):
        """Patronymics and SNILS present in the cluster of x: two different ones mean two people."""
        root = find(x)
        if root not in facts:
            row = by_id[x]
            facts[root] = ({row["patronymic"]} - {""}, {row["snils"]} - {""})
        return facts[root]

    # Strongest links first; a link that would put two different patronymics or SNILS in one
    # cluster is dropped (a card without a patronymic cannot glue two namesakes together).
    edges = sorted(candidate_pairs(rows), key=lambda e: -e[2])
    kept = []
    for a, b, score, reasons in edges:
        (pat_a, snils_a), (pat_b, snils_b) = known(a), known(b)
        ra, rb = find(a), find(b)
        if ra != rb:
            if len(pat_a | pat_b) > 1 or len(snils_a | snils_b) > 1:
                continue
            root, other = min(ra, rb), max(ra, rb)
            parent[other] = root
            facts[root] = (pat_a | pat_b, snils_a | snils_b)
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
                "reasons": sorted(group["reasons"]),
                "auto": low >= AUTO_SCORE,
            }
        )
    result.sort(key=lambda c: c["ids"][0])
    return result
