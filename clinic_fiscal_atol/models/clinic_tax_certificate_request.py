from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from odoo.addons.clinic_base.tools.access import ACCOUNTANT, MANAGER, require_group

from .clinic_tax_certificate import FIRST_YEAR

REQUEST_STATES = [("new", "New"), ("issued", "Issued"), ("cancelled", "Cancelled")]


class ClinicTaxCertificateRequest(models.Model):
    """A taxpayer asks for the certificates of a year (from the portal or at the desk); the accountant issues them."""

    _name = "clinic.tax.certificate.request"
    _description = "Tax certificate request"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"

    taxpayer_id = fields.Many2one(
        "res.partner", string="Taxpayer", required=True, index=True, help="Who paid and asks for the certificates."
    )
    year = fields.Integer(string="Year", required=True, help="Year of the payments.")
    company_id = fields.Many2one(
        "res.company", string="Clinic", required=True, default=lambda self: self.env.company, index=True
    )
    state = fields.Selection(REQUEST_STATES, string="Status", required=True, default="new", tracking=True)
    note = fields.Text(string="Note", help="What the taxpayer added to the request.")
    certificate_ids = fields.One2many(
        "clinic.tax.certificate", "request_id", string="Certificates", help="Issued in answer to this request."
    )
    certificate_count = fields.Integer(string="Certificates issued", compute="_compute_certificate_count")

    @api.depends("certificate_ids")
    def _compute_certificate_count(self):
        for request in self:
            request.certificate_count = len(request.certificate_ids)

    @api.depends("taxpayer_id", "year")
    def _compute_display_name(self):
        for request in self:
            request.display_name = self.env._(
                "%(taxpayer)s, %(year)s", taxpayer=request.taxpayer_id.name or "", year=request.year or ""
            )

    @api.constrains("year")
    def _check_year(self):
        this_year = self.env.company._clinic_today().year
        for request in self:
            if not FIRST_YEAR <= request.year <= this_year:
                raise ValidationError(
                    self.env._(
                        "Request of %(taxpayer)s: year %(year)s is not possible; the certificate covers payments "
                        "from %(first)s to %(last)s.",
                        taxpayer=request.taxpayer_id.display_name,
                        year=request.year,
                        first=FIRST_YEAR,
                        last=this_year,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        requests = super().create(vals_list)
        requests._notify_accountant()
        return requests

    def action_issue(self):
        """Issue the certificates of every selected request (a batch) and close their to-dos."""
        require_group(self.env, ACCOUNTANT, MANAGER)
        self.check_access("write")
        certificates = self.env["clinic.tax.certificate"]
        for request in self:
            if request.state != "new":
                raise UserError(self.env._("Request %(name)s is already handled.", name=request.display_name))
            issued = certificates._issue(request.taxpayer_id, request.year, request.company_id, request=request)
            if not issued:
                raise UserError(
                    self.env._(
                        "%(taxpayer)s paid nothing in %(year)s that counts for the deduction (no printed receipt "
                        "for services on the licensed list): cancel the request or check the payments.",
                        taxpayer=request.taxpayer_id.display_name,
                        year=request.year,
                    )
                )
            issued.filtered(lambda c: not c.request_id).sudo().request_id = request
            request.state = "issued"
            request.activity_feedback(
                ["mail.mail_activity_data_todo"],
                feedback=self.env._("Issued: %(names)s", names=", ".join(issued.mapped("number"))),
            )
            certificates |= issued
        return certificates._action_open()

    def action_cancel(self):
        require_group(self.env, ACCOUNTANT, MANAGER)
        self.check_access("write")
        self.filtered(lambda r: r.state == "new").write({"state": "cancelled"})
        self.activity_unlink(["mail.mail_activity_data_todo"])
        return True

    def _notify_accountant(self):
        """A to-do for an accountant of the clinic: the request does not wait for anyone to look."""
        accountant = self._accountant_user()
        if not accountant:
            return
        for request in self.sudo():
            request.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=accountant.id,
                summary=self.env._("Issue the tax certificates for %(year)s", year=request.year),
            )

    def _accountant_user(self):
        """An accountant who is not only a manager (the lowest id, for a stable choice), else a manager."""
        users = self.env.ref(ACCOUNTANT).sudo().users.filtered(lambda u: u.active and not u.share).sorted("id")
        return users.filtered(lambda u: not u.has_group(MANAGER))[:1] or users[:1]

    @api.model
    def _portal_request(self, partner, year, note=None):
        """A portal user's request for ``year``; a second one for the same year while open is the same request."""
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise ValidationError(self.env._("Year: choose a year from the list.")) from None
        request = self.sudo().search(
            [("taxpayer_id", "=", partner.id), ("year", "=", year), ("state", "=", "new")], limit=1
        )
        return request or self.sudo().create({"taxpayer_id": partner.id, "year": year, "note": note or False})
