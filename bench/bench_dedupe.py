"""bench dedupe: speed and quality of ``clinic.duplicate.engine.find_clusters()`` on a realistic patient base.

Patients come from ``tools.synthetic`` (3% planted second cards, families on one phone,
twins, namesakes) and are written with COPY, prepared as the ORM prepares them (tidy
names, folded keys, E.164 phone lines, no second card with a SNILS on file): the ORM
would take the best part of an hour for 100,000 cards. Quality is counted over pairs:
a cluster of n cards predicts n*(n-1)/2 pairs, a person planted on n cards makes
n*(n-1)/2 true pairs.

Usage: ``bench/run dedupe [LARGE [SMALL]]`` (default 100000 and 10000 patients).
"""

import io
import itertools
from collections import Counter, defaultdict
from datetime import datetime

import lib

from odoo.addons.clinic_base.tools import names, synthetic
from odoo.addons.clinic_base.tools import phone as phone_tools

LARGE = 100_000
SMALL = 10_000
DUPLICATE_SHARE = 0.03
SEED = 1
SHOWN = 15  # lines of each analysis list
# find_clusters is read-only: the best of a few runs keeps another process on the 2 cores out of the figure.
RUNS = 5

PARTNER_COLUMNS = (
    "id", "name", "complete_name", "surname", "first_name", "patronymic", "surname_key", "first_name_key",
    "patronymic_key", "birth_date", "gender", "snils", "email", "email_normalized", "phone", "mobile",
    "phone_sanitized", "medical_card_number", "commercial_partner_id", "lang", "type", "active", "is_company",
    "partner_share", "is_patient", "color", "create_uid", "write_uid", "create_date", "write_date",
)  # fmt: skip
PHONE_COLUMNS = (
    "partner_id", "sequence", "kind", "number", "extension", "raw_input", "create_uid", "write_uid", "create_date",
    "write_date",
)  # fmt: skip


def _copy_line(values):
    """One row of COPY's text format; None and "" become NULL, as the ORM stores an empty Char."""
    return "\t".join(
        "\\N"
        if value is None or value == ""
        else str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
        for value in values
    )


def _phone_lines(cell, stats):
    """The cell's numbers as the phone model stores them; what the normalizer refuses is counted and left out."""
    lines = []
    for piece in phone_tools.split_numbers(cell):
        try:
            lines.append(dict(phone_tools.normalize(piece), raw_input=piece))
        except phone_tools.PhoneError:
            stats["phone_pieces_refused"] += 1
    return lines


def fill(env, patients):
    """Write the cards with COPY; returns their partner ids (in the order of ``patients``) and counters."""
    cr = env.cr
    cr.execute("SELECT nextval('res_partner_id_seq') FROM generate_series(1, %s)", [len(patients)])
    partner_ids = [row[0] for row in cr.fetchall()]
    now = datetime.now().replace(microsecond=0)
    partners, phones = [], []
    stats, taken_snils = Counter(), set()
    for number, (patient, pid) in enumerate(zip(patients, partner_ids, strict=True), 1):
        parts = [names.tidy(patient[part]) for part in synthetic.NAME_PARTS]
        lines = _phone_lines(patient["phone"], stats)
        mobile = next((line["e164"] for line in lines if line["kind"] == "mobile"), None)
        phone = next((line["e164"] for line in lines if line["kind"] != "mobile"), mobile)
        snils = patient["snils"]
        if snils in taken_snils:
            stats["snils_refused"] += 1
            snils = None
        elif snils:
            taken_snils.add(snils)
        full_name = names.full_name(*parts)
        email = patient["email"]
        partners.append(
            _copy_line(
                (
                    pid, full_name, full_name, *parts, *(names.fold(part) for part in parts), patient["birth_date"],
                    patient["gender"], snils, email, email, phone, mobile, phone, f"МК-Б-{number:06d}", pid,
                    "ru_RU", "contact", True, False, True, True, 0, 1, 1, now, now,
                )
            )
        )  # fmt: skip
        for sequence, line in enumerate(lines, 1):
            phones.append(
                _copy_line(
                    (pid, sequence * 10, line["kind"], line["e164"], line["extension"], line["raw_input"], 1, 1, now,
                     now)
                )
            )  # fmt: skip
    for table, columns, rows in (
        ("res_partner", PARTNER_COLUMNS, partners),
        ("clinic_partner_phone", PHONE_COLUMNS, phones),
    ):
        cr.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", io.StringIO("\n".join(rows) + "\n"))
        cr.execute(f"ANALYZE {table}")
    stats["phone_lines"] = len(phones)
    return partner_ids, stats


def pairs(groups):
    """Every unordered pair inside each group of ids."""
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


def planted_groups(population):
    members = defaultdict(set)
    for copy_id, original_id in population["duplicates"].items():
        members[original_id].update((original_id, copy_id))
    return members.values()


def _name_changes(card):
    """The planted differences a matcher has to reason about (case, ё, spaces, hyphens and Latin look-alikes aside)."""
    return [v for v in card["variants"] if v in synthetic.STRUCTURAL_VARIANTS]


def _label(card):
    phone = next(v for v in card["variants"] if v in synthetic.PHONE_VARIANTS)
    snils = "+same_snils" if "same_snils" in card["variants"] else ""
    return f"{'+'.join(_name_changes(card)) or 'cosmetic only'}{snils} / {phone}"


def _relation(by_id, a, b):
    """Why two different people were taken for one: twins, family, namesakes, or what unrelated people share."""
    pa, pb = (by_id[by_id[x]["copy_of"] or x] for x in (a, b))
    if pa["household"] == pb["household"]:
        return "twins" if pa["birth_date"] == pb["birth_date"] else "same family"
    if pa.get("namesake_of") == pb["id"] or pb.get("namesake_of") == pa["id"]:
        return "namesakes"
    shared = [f for f in (*synthetic.NAME_PARTS, "birth_date") if names.fold(str(pa[f])) == names.fold(str(pb[f]))]
    if set(pa["phones"]) & set(pb["phones"]):
        shared.append("phone")
    return f"unrelated, sharing {'+'.join(shared) or 'nothing'}"


def _who(card):
    return f"{' '.join(filter(None, (card[p].strip() for p in synthetic.NAME_PARTS)))} {card['birth_date']:%d.%m.%Y}"


def explain(population, predicted, planted):
    """Lines on the planted pairs missed (by what makes the copy differ) and the pairs wrongly merged."""
    by_id = {p["id"]: p for p in population["patients"]}
    copies_of_pair = {pair: [by_id[x] for x in pair if by_id[x]["copy_of"]] for pair in planted}
    missed = Counter(" & ".join(_label(c) for c in copies_of_pair[pair]) for pair in planted - predicted)
    lines = [f"  missed {sum(missed.values())} of {len(planted)} planted pairs, by what differs (names / phone):"]
    lines += [f"    {count:5d}  {label}" for label, count in missed.most_common(SHOWN)]
    per_variant, missed_variant = Counter(), Counter()
    for pair, copies in copies_of_pair.items():
        variants = {v for c in copies for v in c["variants"]}
        per_variant.update(variants)
        if pair not in predicted:
            missed_variant.update(variants)
    lines.append(
        "  missed share by variant: "
        + ", ".join(f"{v} {missed_variant[v]}/{n}" for v, n in sorted(per_variant.items(), key=lambda i: -i[1]))
    )
    by_changes, missed_changes = Counter(), Counter()
    for pair, copies in copies_of_pair.items():
        changes = max(len(_name_changes(c)) for c in copies)
        by_changes[changes] += 1
        missed_changes[changes] += pair not in predicted
    lines.append(
        "  recall by name changes in the copy: "
        + ", ".join(f"{n}: {1 - missed_changes[n] / by_changes[n]:.4f} of {by_changes[n]}" for n in sorted(by_changes))
    )
    wrong = defaultdict(list)
    for a, b in sorted(predicted - planted):
        wrong[_relation(by_id, a, b)].append((by_id[a], by_id[b]))
    lines.append(f"  wrongly merged {len(predicted - planted)} pairs:")
    for kind, examples in sorted(wrong.items(), key=lambda i: -len(i[1])):
        shown = "; ".join(f"{_who(x)} ~ {_who(y)}" for x, y in examples[:3])
        lines.append(f"    {len(examples):5d}  {kind}, e.g. {shown}")
    return lines


def measure_size(env, count):
    population = synthetic.generate_patients(count, DUPLICATE_SHARE, seed=SEED)
    with lib.measure() as filling:
        partner_ids, stats = fill(env, population["patients"])
    engine = env["clinic.duplicate.engine"]
    runs = []
    for _run in range(RUNS):
        with lib.measure() as finding:
            clusters = engine.find_clusters()
        runs.append(finding)
    finding = min(runs, key=lambda r: r["seconds"])
    finding["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    generated = dict(zip(partner_ids, (p["id"] for p in population["patients"]), strict=True))
    predicted = pairs([generated[pid] for pid in cluster["ids"]] for cluster in clusters)
    planted = pairs(planted_groups(population))
    found = len(predicted & planted)
    print(
        f"dedupe {count}: filled in {filling['seconds']:.1f} s ({stats['phone_lines']} phone lines, "
        f"{stats['phone_pieces_refused']} typed numbers refused by the normalizer, "
        f"SNILS left off {stats['snils_refused']} copies: the base refuses a second card with it); "
        f"find_clusters {finding['seconds']:.2f} s (best of {RUNS}; CPU here {finding['cpu_seconds']:.2f} s), "
        f"peak RSS {finding['peak_rss_mb']:.0f} MB, "
        f"{len(clusters)} clusters"
    )
    print("\n".join(explain(population, predicted, planted)), flush=True)
    return {
        "seconds": finding["seconds"],
        "peak_rss_mb": finding["peak_rss_mb"],
        "clusters": len(clusters),
        "precision": found / len(predicted) if predicted else 1.0,
        "recall": found / len(planted) if planted else 1.0,
    }


def main(env, args):
    large, small = (int(a) for a in (args + [str(LARGE), str(SMALL)][len(args) :])[:2])
    small_figures = measure_size(env, small)
    env.cr.execute("DELETE FROM res_partner WHERE is_patient")
    figures = measure_size(env, large)
    return {
        "patients": large,
        "seconds": f"{figures['seconds']:.2f}",
        "clusters": figures["clusters"],
        "precision": f"{figures['precision']:.4f}",
        "recall": f"{figures['recall']:.4f}",
        "patients_small": small,
        "seconds_small": f"{small_figures['seconds']:.2f}",
        "ratio": f"{figures['seconds'] / small_figures['seconds']:.1f}",
        "peak_rss_mb": f"{figures['peak_rss_mb']:.0f}",
    }
