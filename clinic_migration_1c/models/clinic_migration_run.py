import base64
import logging

import psycopg2

from odoo import api, fields, models
from odoo.exceptions import UserError

from .clinic_migration_batch import BATCH_KINDS

_logger = logging.getLogger(__name__)

RUN_STATES = [
    ("queued", "Waiting to start"),
    ("running", "Running"),
    ("paused", "Paused"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
MARKED_POLICIES = [("skip", "Leave them out"), ("archive", "Import them as archived")]
PATIENT_BATCH_SIZE = 2000
DOCUMENT_BATCH_SIZE = 4000
CRON_XMLID = "clinic_migration_1c.ir_cron_clinic_migration_run"


class ClinicMigrationRun(models.Model):
    """One import of a 1C 7.7 base: planned once, then written batch by batch by a scheduled job."""

    _name = "clinic.migration.run"
    _description = "Import from 1C"
    _order = "id desc"

    name = fields.Char(required=True, readonly=True)
    mapping_id = fields.Many2one(
        "clinic.migration.mapping", string="1C database", required=True, readonly=True, ondelete="restrict"
    )
    source_db_uid = fields.Char(string="Source key", readonly=True, help="Copied from the mapping when it started.")
    company_id = fields.Many2one(
        "res.company", string="Clinic", required=True, readonly=True, default=lambda self: self.env.company
    )
    user_id = fields.Many2one(
        "res.users", string="Started by", required=True, readonly=True, default=lambda self: self.env.user
    )
    state = fields.Selection(RUN_STATES, string="Status", required=True, default="queued", readonly=True, index=True)
    progress = fields.Float(string="Progress", readonly=True, help="Share of the rows written, in per cent.")
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "clinic_migration_run_attachment_rel",
        "run_id",
        "attachment_id",
        string="Files",
        readonly=True,
        help="The uploaded 1C tables, data dictionary and KLADR files.",
    )
    encodings = fields.Json(string="Encodings", readonly=True, help="Encoding chosen for each file, by file name.")
    marked_policy = fields.Selection(
        MARKED_POLICIES, string="Clients marked for deletion", required=True, default="skip", readonly=True
    )
    default_area_code = fields.Char(
        string="Default area code", readonly=True, help="Added to city numbers typed without one, e.g. 343."
    )
    tz = fields.Char(string="Time zone of the 1C base", readonly=True, help="1C kept local dates and times.")
    patient_batch_size = fields.Integer(string="Cards per batch", default=PATIENT_BATCH_SIZE, readonly=True)
    document_batch_size = fields.Integer(string="Documents per batch", default=DOCUMENT_BATCH_SIZE, readonly=True)
    batch_ids = fields.One2many("clinic.migration.batch", "run_id", string="Batches", readonly=True)
    issue_ids = fields.One2many("clinic.migration.issue", "run_id", string="Report", readonly=True)
    issue_count = fields.Integer(string="Report lines", compute="_compute_issue_count")
    counts = fields.Json(string="Counts", readonly=True, help="What the plan found, by kind of row.")
    samples = fields.Json(string="Examples", readonly=True)
    summary = fields.Html(string="Summary", compute="_compute_summary", sanitize=False)
    kladr_load_id = fields.Many2one("clinic.migration.kladr.load", string="KLADR files", readonly=True)
    date_start = fields.Datetime(string="Started on", readonly=True)
    date_end = fields.Datetime(string="Finished on", readonly=True)
    error = fields.Text(string="Error", readonly=True)

    def _compute_issue_count(self):
        counts = dict(
            self.env["clinic.migration.issue"]._read_group([("run_id", "in", self.ids)], ["run_id"], ["__count"])
        )
        for run in self:
            run.issue_count = counts.get(run, 0)

    @api.depends("counts", "samples")
    def _compute_summary(self):
        planner = self.env["clinic.migration.planner"]
        for run in self:
            run.summary = planner._summary_html(run.counts or {}, run.samples or {}) if run.counts else False

    # ------------------------------------------------------------------ actions

    def _cron(self):
        return self.env.ref(CRON_XMLID, raise_if_not_found=False)

    def action_pause(self):
        self.check_access("write")
        self.filtered(lambda run: run.state in ("queued", "running")).write({"state": "paused"})
        return True

    def action_resume(self):
        self.check_access("write")
        for run in self.filtered(lambda r: r.state in ("paused", "failed")):
            run.write({"state": "running" if run.batch_ids else "queued", "error": False})
        if self._cron():
            self._cron()._trigger()
        return True

    def action_cancel(self):
        self.check_access("write")
        runs = self.filtered(lambda run: run.state in ("queued", "running", "paused", "failed"))
        runs.batch_ids.filtered(lambda batch: batch.state == "pending").write({"state": "cancelled", "payload": False})
        runs.write({"state": "cancelled", "date_end": fields.Datetime.now()})
        return True

    def action_download_report(self):
        """The report as a CSV file Excel opens in Russian: UTF-8 with BOM, «;» between columns."""
        self.ensure_one()
        self.check_access("read")
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT source_table, source_id, code, label, kind, field, value_before, value_after, reason "
            "FROM clinic_migration_issue WHERE run_id = %s ORDER BY id",
            [self.id],
        )
        content = self.env["clinic.migration.issue"]._report_csv(self.env.cr.fetchall())
        name = f"import-1c-{self.id}-report.csv"
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", self._name), ("res_id", "=", self.id), ("name", "=", name)], limit=1
        )
        values = {"datas": base64.b64encode(content), "mimetype": "text/csv"}
        if attachment:
            attachment.write(values)
        else:
            attachment = attachment.create(dict(values, name=name, res_model=self._name, res_id=self.id))
        return {"type": "ir.actions.act_url", "url": f"/web/content/{attachment.id}?download=true", "target": "self"}

    def action_view_issues(self):
        self.ensure_one()
        self.check_access("read")
        action = self.env["ir.actions.act_window"]._for_xml_id("clinic_migration_1c.clinic_migration_issue_action")
        action["domain"] = [("run_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------ the scheduled job

    @api.model
    def _cron_process(self):
        """Plan the oldest waiting import or write its next batch; the job is called again while work remains."""
        run = self.search([("state", "in", ("queued", "running"))], order="id", limit=1)
        if not run:
            return
        if run.state == "queued":
            run._stage()
        else:
            run._process_next_batch()
        remaining = self.env["clinic.migration.batch"].search_count(
            [("state", "=", "pending"), ("run_id.state", "=", "running")]
        ) + self.search_count([("state", "=", "queued")])
        self.env["ir.cron"]._notify_progress(done=1, remaining=remaining)

    def _options(self):
        return {
            "marked_policy": self.marked_policy,
            "default_area_code": self.default_area_code,
            "tz": self.tz,
        }

    def _stage(self):
        """Read the files, load the KLADR, plan, and queue the batches; a file that cannot be read fails the run."""
        self.ensure_one()
        self.write({"date_start": fields.Datetime.now(), "state": "running"})
        # A file that turns out unreadable half-way leaves no batch or report line behind.
        savepoint = self.env.cr.savepoint()
        try:
            upload = self.env["clinic.migration.source"]._read_upload(
                [(attachment.name, attachment.raw) for attachment in self.attachment_ids], self.encodings
            )
            resolved = self.mapping_id._resolve(upload)
            tables = {entity: spec["table"].name for entity, spec in resolved.items() if spec["table"]}
            plan, load = self.env["clinic.migration.planner"]._plan_upload(
                upload,
                self.mapping_id,
                self._options(),
                document_sink=lambda items: self._queue_batches("documents", [items], tables),
                issue_sink=lambda issues: self.env["clinic.migration.issue"]._bulk_create(self.id, issues),
                document_chunk=self.document_batch_size or DOCUMENT_BATCH_SIZE,
            )
        except psycopg2.OperationalError:
            raise  # a lock or a serialization failure: the job tries again
        except Exception as exc:  # noqa: BLE001 - whatever stops the planning is shown on the import
            savepoint.close(rollback=True)
            if isinstance(exc, UserError):
                _logger.info("1C import %s cannot start: %s", self.id, exc)
            else:
                _logger.exception("1C import %s failed while planning", self.id)
            self.write({"state": "failed", "error": str(exc), "date_end": fields.Datetime.now()})
            return
        savepoint.close(rollback=False)
        size = self.patient_batch_size or PATIENT_BATCH_SIZE
        self._queue_batches("folders", [plan.folders] if plan.folders else [], tables)
        self._queue_batches("services", [plan.services] if plan.services else [], tables)
        patients, plan.patients = plan.patients, []
        while patients:
            self._queue_batches("patients", [patients[:size]], tables)
            del patients[:size]
        self._queue_batches("duplicates", [[]], tables)
        self._queue_batches("finish", [[]], tables)
        self.write(
            {"counts": dict(plan.counts), "samples": dict(plan.samples), "progress": 0.0, "kladr_load_id": load.id}
        )

    def _queue_batches(self, kind, pieces, tables):
        """One batch per piece of items; batches run in the order of their kinds, then of their creation."""
        Batch = self.env["clinic.migration.batch"]
        order = [name for name, _label in BATCH_KINDS].index(kind)
        first = Batch.search_count([("run_id", "=", self.id)])
        for index, piece in enumerate(pieces):
            batch = Batch.create({
                "run_id": self.id, "kind": kind, "sequence": order * 1000000 + first + index,
                "item_count": len(piece), "payload": {"tables": tables, "items": piece},
            })  # fmt: skip
            # Written to the database; a copy kept in the cache would hold the whole plan in memory.
            batch.flush_recordset()
            batch.invalidate_recordset(["payload"])

    def _process_next_batch(self):
        """Write the next pending batch; False when none is left."""
        self.ensure_one()
        Batch = self.env["clinic.migration.batch"]
        batch = Batch.search([("run_id", "=", self.id), ("state", "=", "pending")], order="sequence", limit=1)
        if not batch:
            self.write({"state": "done", "date_end": self.date_end or fields.Datetime.now(), "progress": 100.0})
            return False
        batch._execute()
        if self.state == "running":
            rows = dict(Batch._read_group([("run_id", "=", self.id)], ["state"], ["item_count:sum"]))
            done = rows.get("done", 0) + rows.get("failed", 0)
            self.progress = round(100.0 * done / (sum(rows.values()) or 1), 1)
        return True
