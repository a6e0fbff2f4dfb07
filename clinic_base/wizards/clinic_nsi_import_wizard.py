"""Upload of a fresh FNSI download, so that a clinic updates its reference books without a developer."""

from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError

from ..tools.access import MANAGER, require_group


class ClinicNsiImportWizard(models.TransientModel):
    _name = "clinic.nsi.import.wizard"
    _description = "Import of an FNSI reference book"

    attachment_ids = fields.Many2many(
        "ir.attachment",
        string="Export files",
        help="The passport JSON and the part files downloaded from nsi.rosminzdrav.ru (several books at once "
        "are fine), or one zip holding them.",
    )
    full_load = fields.Boolean(
        string="Full export",
        default=True,
        help="The files hold the whole book: codes missing from them are archived. Untick it to load only "
        "some part files.",
    )
    state = fields.Selection([("upload", "Upload"), ("done", "Done")], string="Status", default="upload", required=True)
    summary = fields.Html(string="Summary", readonly=True)

    def action_import(self):
        """Load every book of the upload; nothing is saved unless all files are valid exports."""
        self.ensure_one()
        require_group(self.env, MANAGER)
        if not self.attachment_ids:
            raise UserError(self.env._("Upload the passport and part files of the export first."))
        loader = self.env["clinic.nsi.loader"]
        exports = loader._read_export_files([(attachment.name, attachment.raw) for attachment in self.attachment_ids])
        summaries = [loader.load_export(passport, rows, full=self.full_load) for passport, rows in exports]
        # The uploads were only a transport for the rows, now in the books.
        self.attachment_ids.unlink()
        self.write({"state": "done", "summary": Markup().join(self._summary_html(summary) for summary in summaries)})
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("FNSI import result"),
        }

    def _summary_html(self, summary):
        """Counts of one book's load, then its warnings and rejected rows."""
        title = self.env._(
            "%(book)s (%(oid)s), version %(version)s",
            book=summary["book"],
            oid=summary["oid"],
            version=summary["version"],
        )
        counts = self.env._(
            "Created: %(created)s, updated: %(updated)s, unchanged: %(unchanged)s, archived: %(archived)s, "
            "rejected: %(rejected)s.",
            created=summary["created"],
            updated=summary["updated"],
            unchanged=summary["unchanged"],
            archived=summary["deactivated"],
            rejected=len(summary["rejected"]),
        )
        html = Markup("<h4>%s</h4><p>%s</p>") % (title, counts)
        if summary["warnings"]:
            items = Markup().join(Markup("<li>%s</li>") % warning for warning in summary["warnings"])
            html += Markup("<ul>%s</ul>") % items
        if summary["rejected"]:
            columns = (self.env._("Row"), self.env._("Row ID"), self.env._("Code"), self.env._("Reason"))
            head = Markup().join(Markup("<th>%s</th>") % column for column in columns)
            body = Markup().join(
                Markup("<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>")
                % (row["row"], row["nsi_id"], row["code"], row["reason"])
                for row in summary["rejected"]
            )
            html += Markup('<table class="table table-sm"><thead><tr>%s</tr></thead><tbody>%s</tbody></table>') % (
                head,
                body,
            )
        return html
