"""The import of a 1C 7.7 base as a clinic manager runs it: files, mapping, dry run, then the real import."""

import base64
from contextlib import closing

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.base.models.res_partner import _tz_get

from ..models.clinic_migration_run import MARKED_POLICIES, MARKED_POLICY_HELP
from ..tools import dbf

ENCODINGS = [("cp866", "cp866 (DOS)"), ("cp1251", "cp1251 (Windows)"), ("utf-8", "UTF-8")]


class ClinicMigrationWizard(models.TransientModel):
    _name = "clinic.migration.wizard"
    _description = "Import from 1C 7.7"

    state = fields.Selection(
        [("upload", "Files"), ("mapping", "Mapping"), ("checked", "Dry run")],
        string="Step",
        default="upload",
        required=True,
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "clinic_migration_wizard_attachment_rel",
        "wizard_id",
        "attachment_id",
        string="1C files",
        help="The DBF tables of the 1C folder with its data dictionary 1Cv7.DD, a zip of the folder, or CSV/XML "
        "exports of the same tables.",
    )
    kladr_attachment_ids = fields.Many2many(
        "ir.attachment",
        "clinic_migration_wizard_kladr_rel",
        "wizard_id",
        "attachment_id",
        string="KLADR files",
        help="KLADR.DBF, STREET.DBF and SOCRBASE.DBF of the address classifier (or a zip of them). Files loaded "
        "before are not loaded again.",
    )
    mapping_id = fields.Many2one(
        "clinic.migration.mapping",
        string="1C database",
        help="The saved mapping of an earlier import of this base; left empty, it is found or made from the files.",
    )
    source_db_uid = fields.Char(related="mapping_id.source_db_uid", readonly=False)
    patient_table = fields.Char(related="mapping_id.patient_table", readonly=False)
    service_table = fields.Char(related="mapping_id.service_table", readonly=False)
    document_table = fields.Char(related="mapping_id.document_table", readonly=False)
    line_table = fields.Char(related="mapping_id.line_table", readonly=False)
    journal_table = fields.Char(related="mapping_id.journal_table", readonly=False)
    mapping_line_ids = fields.One2many(related="mapping_id.line_ids", readonly=False)
    file_ids = fields.One2many("clinic.migration.wizard.file", "wizard_id", string="Files read")
    marked_policy = fields.Selection(
        MARKED_POLICIES,
        string="Clients marked for deletion",
        required=True,
        default="documents",
        help=MARKED_POLICY_HELP,
    )
    default_area_code = fields.Char(
        string="Default area code",
        help="Added to city numbers typed without one (e.g. 343); left empty, such numbers are reported.",
    )
    tz = fields.Selection(
        _tz_get,
        string="Time zone of the 1C base",
        required=True,
        default=lambda self: self.env.company.clinic_tz,
        help="1C kept local dates and times of the documents.",
    )
    summary = fields.Html(string="Dry run", readonly=True, sanitize=False)
    counts = fields.Json(string="Dry-run counts", readonly=True)
    report_file = fields.Binary(string="Dry-run report", readonly=True, attachment=False)
    report_filename = fields.Char(string="Report file name", readonly=True)

    # ------------------------------------------------------------------ steps

    def _reopen(self):
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Import from 1C 7.7"),
        }

    def _files(self):
        return [(attachment.name, attachment.raw) for attachment in self.attachment_ids | self.kladr_attachment_ids]

    def _upload(self):
        encodings = {line.filename: line.encoding for line in self.file_ids if line.encoding}
        return self.env["clinic.migration.source"]._read_upload(self._files(), encodings)

    def action_analyze(self):
        """Read the files, recognise the base, pre-fill the mapping from the dictionary and the column names."""
        self.ensure_one()
        upload = self._upload()
        Mapping = self.env["clinic.migration.mapping"]
        mapping = self.mapping_id
        if not mapping:
            uid = Mapping._default_uid(upload)
            mapping = Mapping.search([("source_db_uid", "=", uid)], limit=1) or Mapping.create(
                {"name": self.env._("1C base of %(date)s", date=fields.Date.context_today(self)), "source_db_uid": uid}
            )
        mapping._prefill(upload)
        chosen = {line.filename: line.encoding for line in self.file_ids}
        self.file_ids.unlink()
        self.write({
            "mapping_id": mapping.id, "state": "mapping", "summary": False, "report_file": False,
            "file_ids": [(0, 0, vals) for vals in self._file_lines(upload, chosen)],
        })  # fmt: skip
        return self._reopen()

    @api.model
    def _file_lines(self, upload, chosen):
        lines = [
            {
                "filename": table.filename, "role": "table", "table_name": table.name, "title": table.title,
                "row_count": table.row_count, "deleted_count": table.deleted_count,
                "detected_encoding": table.detected_encoding if table.format != "xml" else False,
                "encoding": chosen.get(table.filename) or False,
                "scores": ", ".join(f"{enc} {share:.0%}" for enc, share in table.scores.items()),
            }
            for table in upload.tables.values()
        ]  # fmt: skip
        if upload.dd:
            lines.append({"filename": upload.dd_file, "role": "dd", "row_count": len(upload.dd["tables"])})
        for name, data in upload.kladr_files.items():
            lines.append({"filename": f"{name}.DBF", "role": "kladr", "table_name": name,
                          "row_count": dbf.DbfTable(data, name).record_count})  # fmt: skip
        lines += [{"filename": name, "role": "ignored"} for name in upload.ignored]
        return lines

    def action_dry_run(self):
        """Plan the import and show what it would do; everything it touched is rolled back."""
        self.ensure_one()
        if not self.mapping_id:
            raise UserError(self.env._("Read the files first: the mapping is made from them."))
        upload = self._upload()
        planner = self.env["clinic.migration.planner"]
        report = self.env["clinic.migration.issue"]._report_writer()
        with closing(self.env.cr.savepoint()):
            plan, load = planner._plan_upload(upload, self.mapping_id, self._options(), issue_sink=report.write)
            kladr = self._kladr_line(load)
            counts, samples = dict(plan.counts), dict(plan.samples)
        self.write({
            "state": "checked", "counts": counts,
            "summary": kladr + planner._summary_html(counts, samples),
            "report_file": base64.b64encode(report.value()),
            "report_filename": "import-1c-dry-run.csv",
        })  # fmt: skip
        return self._reopen()

    def _kladr_line(self, load):
        if not load:
            return Markup()
        return Markup("<p>%s</p>") % self.env._(
            "Address classifier: %(places)s places and %(streets)s streets from %(files)s.",
            places=load.place_count,
            streets=load.street_count,
            files=load.name,
        )

    def _options(self):
        return {"marked_policy": self.marked_policy, "default_area_code": self.default_area_code, "tz": self.tz}

    def action_back(self):
        self.ensure_one()
        self.state = "mapping"
        return self._reopen()

    def action_import(self):
        """Start the real import: the files go to the import record, batches are written by a scheduled job."""
        self.ensure_one()
        if self.state != "checked":
            raise UserError(self.env._("Run the dry run first and check its counts."))
        attachments = self.attachment_ids | self.kladr_attachment_ids
        run = self.env["clinic.migration.run"].create({
            "name": self.env._("%(base)s, %(date)s", base=self.mapping_id.name, date=fields.Datetime.now()),
            "mapping_id": self.mapping_id.id, "source_db_uid": self.mapping_id.source_db_uid,
            "attachment_ids": [(6, 0, attachments.ids)],
            "encodings": {line.filename: line.encoding for line in self.file_ids if line.encoding},
            "marked_policy": self.marked_policy, "default_area_code": self.default_area_code, "tz": self.tz,
        })  # fmt: skip
        attachments.write({"res_model": run._name, "res_id": run.id})
        run.action_resume()
        return {
            "type": "ir.actions.act_window",
            "res_model": run._name,
            "res_id": run.id,
            "view_mode": "form",
            "target": "current",
        }
