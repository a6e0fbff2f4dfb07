"""bench dedupe: speed and quality of ``clinic.duplicate.engine.find_clusters()`` on a receptionist-kept base.

The cards come from ``messy_base`` (next to this file), a generator written apart
from ``clinic_base.tools.synthetic`` that the engine's unit tests use: the engine is
graded on data it was not tuned with. Cards are written with COPY, prepared as the
ORM and the 1C import prepare them (a name typed in one field split, initials kept,
tidy names, folded keys, E.164 phone lines, no second card with a SNILS on file, the
card's creation date the day it was typed):
the ORM would take the best part of an hour for 100,000 cards.

Quality is counted over pairs: a cluster of n cards predicts n*(n-1)/2 pairs, a
person planted on n cards makes n*(n-1)/2 true pairs. ``precision``/``recall``
count what the engine sends anywhere (merged or to the review screen);
``*_auto`` count what it would merge on its own; ``review_share`` is the share of
predicted pairs left to a person; ``recall_<kind>`` is the recall (merged or
reviewed) of the pairs whose copy is of that kind. ``on_review_screen`` (at the smaller size) is the share of
the pairs ``find_clusters`` predicts that the Possible duplicates screen shows after ``refresh_clusters``
(records of ``clinic.duplicate.cluster`` waiting for a decision, merge-safe ones included): every doubt must
reach a person, not only be counted here.

Usage: ``bench/run dedupe [LARGE [SMALL]]`` (default 100000 and 10000 cards).
"""

import io
import itertools
from collections import Counter, defaultdict
from datetime import datetime, time

import lib
import messy_base

from odoo.addons.clinic_base.tools import names
from odoo.addons.clinic_base.tools import phone as phone_tools

LARGE = 100_000
SMALL = 10_000
SEED = 2024
SHOWN = 4  # examples of each miss or wrong pair
# find_clusters is read-only: the best of a few runs keeps another process on the 2 cores out of the figure.
RUNS = 3

PARTNER_COLUMNS = (
    "id", "name", "complete_name", "surname", "first_name", "patronymic", "surname_key", "first_name_key",
    "patronymic_key", "name_key", "birth_date", "snils", "phone", "mobile", "phone_sanitized",
    "medical_card_number", "commercial_partner_id", "lang", "type", "active", "is_company", "partner_share",
    "is_patient", "color", "create_uid", "write_uid", "create_date", "write_date",
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


def name_parts(card):
    """The name as the import (one 1C field) or the form (three fields) stores it."""
    if card["full_name"]:
        return names.split_full_name(card["full_name"])
    surname, first, patronymic = names.with_initials(card["surname"], card["first_name"], card["patronymic"])
    return names.tidy(surname), names.tidy(first), names.tidy(patronymic)


def fill(env, cards):
    """Write the cards with COPY; returns their partner ids (in the order of ``cards``) and counters."""
    cr = env.cr
    cr.execute("SELECT nextval('res_partner_id_seq') FROM generate_series(1, %s)", [len(cards)])
    partner_ids = [row[0] for row in cr.fetchall()]
    now, noon = datetime.now().replace(microsecond=0), time(12)
    partners, phones = [], []
    stats, taken_snils = Counter(), set()
    for number, (card, pid) in enumerate(zip(cards, partner_ids, strict=True), 1):
        parts = name_parts(card)
        lines = []
        for piece in phone_tools.split_numbers(card["phone"]):
            try:
                lines.append(dict(phone_tools.normalize(piece), raw_input=piece))
            except phone_tools.PhoneError:
                stats["phone_pieces_refused"] += 1
        mobile = next((line["e164"] for line in lines if line["kind"] == "mobile"), None)
        phone = next((line["e164"] for line in lines if line["kind"] != "mobile"), mobile)
        snils = card["snils"]
        if snils in taken_snils:
            stats["snils_refused"] += 1
            snils = None
        elif snils:
            taken_snils.add(snils)
        full_name = names.full_name(*parts)
        partners.append(
            _copy_line(
                (
                    pid, full_name, full_name, *parts, *(names.fold(part) for part in parts), names.name_key(*parts),
                    card["birth_date"], snils, phone, mobile, phone, f"МК-Б-{number:06d}", pid, "ru_RU", "contact",
                    True, False, True, True, 0, 1, 1, datetime.combine(card["created"], noon), now,
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


def _kind(cards, pair):
    kinds = sorted({cards[x]["kind"] for x in pair} - {"original"})
    return "copy_and_copy" if "copy_and_copy" in kinds else kinds[0]


def _who(card):
    name = card["full_name"] or " ".join(p for p in (card["surname"], card["first_name"], card["patronymic"]) if p)
    birth = card["birth_date"].strftime("%d.%m.%Y") if card["birth_date"] else "—"
    return f"{name} {birth} {card['phone'] or '—'}"


def measure_size(env, count, screen=False):
    """Fill ``count`` cards, find their clusters and grade them; with ``screen``, also rebuild the Possible
    duplicates screen (``refresh_clusters``) and count the share of predicted pairs it shows."""
    base = messy_base.generate(count, seed=SEED)
    cards = base["cards"]
    with lib.measure() as filling:
        partner_ids, stats = fill(env, cards)
    engine = env["clinic.duplicate.engine"]
    runs = []
    for _run in range(RUNS):
        with lib.measure() as finding:
            clusters = engine.find_clusters()
        runs.append(finding)
    finding = min(runs, key=lambda r: r["seconds"])
    finding["peak_rss_mb"] = max(r["peak_rss_mb"] for r in runs)
    index = {pid: i for i, pid in enumerate(partner_ids)}
    predicted = pairs([index[pid] for pid in cluster["ids"]] for cluster in clusters)
    auto = pairs([index[pid] for pid in cluster["ids"]] for cluster in clusters if cluster["auto"])
    people = defaultdict(list)
    for i, card in enumerate(cards):
        people[card["person"]].append(i)
    planted = pairs(people.values())
    found, found_auto = predicted & planted, auto & planted
    per_kind, missed_kind = Counter(), defaultdict(list)
    for pair in planted:
        kind = _kind(cards, pair)
        per_kind[kind] += 1
        if pair not in predicted:
            missed_kind[kind].append(pair)
    print(
        f"dedupe {count}: filled in {filling['seconds']:.1f} s ({stats['phone_lines']} phone lines, "
        f"{stats['phone_pieces_refused']} typed numbers refused, SNILS left off {stats['snils_refused']} copies); "
        f"find_clusters {finding['seconds']:.2f} s (best of {RUNS}; CPU here {finding['cpu_seconds']:.2f} s), "
        f"peak RSS {finding['peak_rss_mb']:.0f} MB, {len(clusters)} clusters, {len(planted)} planted pairs"
    )
    for kind, missed in sorted(missed_kind.items(), key=lambda i: -len(i[1])):
        shown = "; ".join(" ~ ".join(_who(cards[x]) for x in pair) for pair in missed[:SHOWN])
        print(f"  missed {len(missed)}/{per_kind[kind]} {kind}, e.g. {shown}")
    if screen:
        engine.refresh_clusters()
        shown = pairs(
            [index[pid] for pid in cluster.partner_ids.ids]
            for cluster in env["clinic.duplicate.cluster"].search([("state", "=", "open")])
        )
        on_screen = len(predicted & shown) / len(predicted) if predicted else 1.0
        print(
            f"  on the Possible duplicates screen after refresh_clusters: {len(predicted & shown)} of "
            f"{len(predicted)} predicted pairs ({len(found & shown)} of {len(found)} true ones), "
            f"{len(shown - predicted)} pairs shown that find_clusters did not predict"
        )
    wrong = sorted(predicted - planted)
    print(f"  wrong pairs {len(wrong)} (of them merged {len(auto - planted)}):")
    for pair in wrong[: SHOWN * 3]:
        print(f"    {'merged' if pair in auto else 'review'}: " + " ~ ".join(_who(cards[x]) for x in pair))
    figures = {
        "seconds": finding["seconds"],
        "clusters": len(clusters),
        "precision": len(found) / len(predicted) if predicted else 1.0,
        "recall": len(found) / len(planted) if planted else 1.0,
        "precision_auto": len(found_auto) / len(auto) if auto else 1.0,
        "recall_auto": len(found_auto) / len(planted) if planted else 1.0,
        "review_share": len(predicted - auto) / len(predicted) if predicted else 0.0,
        "peak_rss_mb": finding["peak_rss_mb"],
    }
    if screen:
        figures["on_review_screen"] = on_screen
    for kind in sorted(per_kind):
        figures[f"recall_{kind}"] = 1 - len(missed_kind[kind]) / per_kind[kind]
    return figures


def main(env, args):
    large, small = (int(a) for a in (args + [str(LARGE), str(SMALL)][len(args) :])[:2])
    small_figures = measure_size(env, small, screen=True)
    env.cr.execute("DELETE FROM clinic_duplicate_cluster")
    env.cr.execute("DELETE FROM clinic_partner_phone")
    env.cr.execute("DELETE FROM res_partner WHERE is_patient")
    figures = measure_size(env, large)
    result = {
        "patients": large,
        "seconds": f"{figures['seconds']:.2f}",
        "precision": f"{figures['precision']:.4f}",
        "recall": f"{figures['recall']:.4f}",
        "review_share": f"{figures['review_share']:.4f}",
        "precision_auto": f"{figures['precision_auto']:.4f}",
        "recall_auto": f"{figures['recall_auto']:.4f}",
        "clusters": figures["clusters"],
        "seconds_small": f"{small_figures['seconds']:.2f}",
        "ratio": f"{figures['seconds'] / small_figures['seconds']:.1f}",
        "peak_rss_mb": f"{figures['peak_rss_mb']:.0f}",
    }
    result["on_review_screen"] = f"{small_figures['on_review_screen']:.4f}"
    result.update({key: f"{value:.4f}" for key, value in figures.items() if key.startswith("recall_")})
    result.pop("recall_auto")
    result["recall_auto"] = f"{figures['recall_auto']:.4f}"
    return result
