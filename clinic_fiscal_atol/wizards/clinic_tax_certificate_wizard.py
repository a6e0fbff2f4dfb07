from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools.access import ACCOUNTANT, MANAGER, require_group, require_one


class ClinicTaxCertificateWizard(models.TransientModel):
    """The accountant's «Issue certificates»: a taxpayer and a year, or a batch of requests."""

    _name = "clinic.tax.certificate.wizard"
    _description = "Issue tax certificates"

    mode = fields.Selection(
        [("taxpayer", "A taxpayer and a year"), ("requests", "Requests")],
        string="Issue for",
        required=True,
        default=lambda self: "requests" if self.env.context.get("default_request_ids") else "taxpayer",
    )
    taxpayer_id = fields.Many2one("res.partner", string="Taxpayer", help="Who paid: the certificate is issued to them.")
    year = fields.Integer(
        string="Year",
        default=lambda self: self.env.company._clinic_today().year - 1,
        help="Year of the payments.",
    )
    request_ids = fields.Many2many(
        "clinic.tax.certificate.request",
        relation="clinic_tax_certificate_wizard_request_rel",
        string="Requests",
        domain=[("state", "=", "new")],
        help="Pending requests to answer at once.",
    )
    preview = fields.Html(string="Amounts", compute="_compute_preview", help="What the certificates will show.")

    @api.depends("mode", "taxpayer_id", "year")
    def _compute_preview(self):
        Certificate = self.env["clinic.tax.certificate"]
        for wizard in self:
            wizard.preview = False
            if wizard.mode != "taxpayer" or not wizard.taxpayer_id or not wizard.year:
                continue
            amounts = Certificate._amounts(wizard.year, self.env.company, wizard.taxpayer_id)
            rows = "".join(
                f"<tr><td>{escape(self.env['res.partner'].browse(patient).name)}</td>"
                f"<td class='text-end'>{max(code1, 0.0):.2f}</td><td class='text-end'>{max(code2, 0.0):.2f}</td></tr>"
                for (_payer, patient), (code1, code2) in sorted(amounts.items())
            )
            wizard.preview = (
                Markup("<table class='table table-sm'><tr><th>{}</th><th>{}</th><th>{}</th></tr>{}</table>").format(
                    self.env._("Patient"), self.env._("Code 1"), self.env._("Code 2"), Markup(rows)
                )
                if rows
                else self.env._("Nothing paid in that year counts for the deduction.")
            )

    def action_issue(self):
        require_group(self.env, ACCOUNTANT, MANAGER)
        require_one(self)
        if self.mode == "requests":
            if not self.request_ids:
                raise UserError(self.env._("Requests: choose at least one pending request."))
            return self.request_ids.action_issue()
        if not self.taxpayer_id:
            raise UserError(self.env._("Taxpayer: choose who paid."))
        certificates = self.env["clinic.tax.certificate"]._issue(self.taxpayer_id, self.year)
        if not certificates:
            raise UserError(
                self.env._(
                    "%(taxpayer)s paid nothing in %(year)s that counts for the deduction.",
                    taxpayer=self.taxpayer_id.display_name,
                    year=self.year,
                )
            )
        return certificates._action_open()
