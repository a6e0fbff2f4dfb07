"""bench import: a 1C 7.7 clinic base imported end to end, as a clinic manager runs it from the backend.

The base comes from ``clinic_migration_1c.tools.synthetic_1c.generate_export``: client cards from
``clinic_base.tools.synthetic`` (families on one phone, twins, namesakes, phones in every format, and
planted second cards of the same person with known ground truth), typed addresses from a small KLADR
classifier loaded with it, a service catalogue, and service documents with their lines and payments,
written as the DBF files of a 1C folder (cp866) with its ``1Cv7.DD``.

Measured like the real thing: the wizard reads the files and pre-fills the mapping, the dry run plans
everything and rolls back, then the import is queued and the scheduled job's method is called until
the import is done, with a commit after each call as the cron runner does. ``seconds`` and
``peak_rss_mb`` are those of the import (planning, KLADR, every batch); the dry run is reported apart.

Duplicate quality is counted over pairs of client rows, as in ``bench dedupe``: rows that became one
card, plus rows whose cards wait together on the Possible duplicates screen, against the planted pairs
whose two rows are both importable (a marked or deleted original cannot be found).

Usage: ``bench/run import [PATIENTS [DOCUMENTS]]`` (default 100000 and 300000).
"""

import base64
import itertools
import time
from collections import defaultdict

import lib

from odoo.addons.clinic_migration_1c.tools import synthetic_1c

MODULES = "clinic_migration_1c"
PATIENTS = 100_000
DOCUMENTS = 300_000
DUPLICATE_SHARE = 0.05
SEED = 1


def _pairs(groups):
    return {pair for group in groups for pair in itertools.combinations(sorted(group), 2)}


def quality(env, export, run):
    """(precision, recall, auto precision, figures) over pairs of 1C client rows."""
    table = run.mapping_id.patient_table
    env.cr.execute(
        "SELECT source_id, res_id FROM clinic_migration_link WHERE source_table = %s AND model = 'res.partner'",
        [table],
    )
    rows_of = defaultdict(set)
    for source_id, partner_id in env.cr.fetchall():
        rows_of[partner_id].add(source_id)
    merged = _pairs(rows_of.values())
    review = set()
    for cluster in env["clinic.duplicate.cluster"].search([("state", "=", "open")]):
        review |= _pairs([{row for partner in cluster.partner_ids.ids for row in rows_of.get(partner, ())}])
    imported = {row for rows in rows_of.values() for row in rows}
    planted = {
        tuple(sorted((copy.rstrip(), original.rstrip())))
        for copy, original in export["duplicates"].items()
        if copy.rstrip() in imported and original.rstrip() in imported
    }
    predicted = merged | review
    found = len(predicted & planted)
    figures = {
        "planted_pairs": len(planted),
        "merged_pairs": len(merged),
        "review_pairs": len(review - merged),
        "wrong_merges": len(merged - planted),
    }
    return (
        found / len(predicted) if predicted else 1.0,
        found / len(planted) if planted else 1.0,
        len(merged & planted) / len(merged) if merged else 1.0,
        figures,
    )


def main(env, args):
    patients, documents = (int(a) for a in (args + [str(PATIENTS), str(DOCUMENTS)][len(args) :])[:2])
    started = time.perf_counter()
    export = synthetic_1c.generate_export(patients, documents, DUPLICATE_SHARE, seed=SEED)
    files = dict(export["files"], **synthetic_1c.kladr_files())
    attachments = env["ir.attachment"].create(
        [
            {"name": name, "datas": base64.b64encode(data), "res_model": "clinic.migration.wizard"}
            for name, data in files.items()
        ]  # fmt: skip
    )
    print(
        f"import: generated {patients} cards ({len(export['duplicates'])} planted copies, {export['marked']} marked, "
        f"{export['deleted']} deleted) and {documents} documents in {time.perf_counter() - started:.1f} s, "
        f"{sum(len(d) for d in files.values()) / 2**20:.0f} MB of DBF",
        flush=True,
    )
    wizard = env["clinic.migration.wizard"].create({"attachment_ids": [(6, 0, attachments.ids)], "tz": "Europe/Moscow"})
    with lib.measure() as dry_run:
        wizard.action_analyze()
        wizard.action_dry_run()
    env.cr.commit()
    print(f"import: dry run {dry_run['seconds']:.1f} s, peak RSS {dry_run['peak_rss_mb']:.0f} MB", flush=True)
    Run = env["clinic.migration.run"]
    with lib.measure() as importing:
        run = Run.browse(wizard.action_import()["res_id"])
        env.cr.commit()
        calls, last = 0, time.perf_counter()
        while run.state in ("queued", "running"):
            Run._cron_process()
            env.cr.commit()
            calls += 1
            if time.perf_counter() - last > 30:
                print(f"import: {run.progress:.0f}% after {calls} job calls", flush=True)
                last = time.perf_counter()
    counts = run.counts
    precision, recall, auto_precision, figures = quality(env, export, run)
    env.cr.execute(
        "SELECT kind, count(*) FROM clinic_migration_issue WHERE run_id = %s GROUP BY kind ORDER BY kind", [run.id]
    )
    report = ", ".join(f"{kind} {count}" for kind, count in env.cr.fetchall())
    print(
        f"import: {run.state} in {importing['seconds']:.1f} s (CPU here {importing['cpu_seconds']:.1f} s) over "
        f"{calls} job calls; cards new {counts.get('patient.new', 0)}, merged {counts.get('patient.merged', 0)}, "
        f"for review {counts.get('patient.review', 0)}, rejected {counts.get('patient.rejected', 0)}; "
        f"visits {counts.get('document.new', 0)} with {counts.get('document.lines', 0)} lines and "
        f"{counts.get('document.payments', 0)} payments; report lines: {report}",
        flush=True,
    )
    print(f"import: pairs {figures}, precision of automatic merges {auto_precision:.4f}", flush=True)
    return {
        "patients": patients,
        "documents": documents,
        "seconds": f"{importing['seconds']:.1f}",
        "peak_rss_mb": f"{importing['peak_rss_mb']:.0f}",
        "precision": f"{precision:.4f}",
        "recall": f"{recall:.4f}",
        "dry_run_seconds": f"{dry_run['seconds']:.1f}",
        "visits": counts.get("document.new", 0),
    }
