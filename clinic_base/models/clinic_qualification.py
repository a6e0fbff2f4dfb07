from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

WARN_DAYS = 60


class ClinicQualification(models.Model):
    """Certificate or accreditation that lets a practitioner work in a specialty; it lapses."""

    _name = "clinic.qualification"
    _description = "Qualification document"
    _order = "date_to"

    employee_id = fields.Many2one("hr.employee", string="Practitioner", required=True, ondelete="cascade", index=True)
    kind = fields.Selection(
        [
            ("certificate", "Specialist certificate"),
            ("accreditation", "Accreditation"),
            ("diploma", "Diploma"),
            ("category", "Qualification category"),
        ],
        string="Kind",
        required=True,
        default="accreditation",
    )
    specialty_id = fields.Many2one("clinic.nsi.specialty", string="Specialty")
    number = fields.Char(string="Number")
    issuer = fields.Char(string="Issued by")
    date_from = fields.Date(string="Issued on")
    date_to = fields.Date(string="Valid until")
    state = fields.Selection(
        [("valid", "Valid"), ("expiring", "Expires soon"), ("expired", "Expired")],
        string="Status",
        compute="_compute_state",
        search="_search_state",
    )

    @api.depends("date_to")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        for doc in self:
            if not doc.date_to or doc.date_to > today + relativedelta(days=WARN_DAYS):
                doc.state = "valid"
            elif doc.date_to >= today:
                doc.state = "expiring"
            else:
                doc.state = "expired"

    def _search_state(self, operator, value):
        if operator != "=":
            raise ValidationError(self.env._("The qualification status can only be searched for one value."))
        today = fields.Date.context_today(self)
        limit = today + relativedelta(days=WARN_DAYS)
        return {
            "valid": ["|", ("date_to", "=", False), ("date_to", ">", limit)],
            "expiring": [("date_to", ">=", today), ("date_to", "<=", limit)],
            "expired": [("date_to", "<", today)],
        }[value]

    @api.depends("kind", "specialty_id", "number")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for doc in self:
            doc.display_name = " ".join(filter(None, [kinds.get(doc.kind), doc.specialty_id.name, doc.number]))

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for doc in self:
            if doc.date_from and doc.date_to and doc.date_to < doc.date_from:
                raise ValidationError(
                    self.env._(
                        "%(doc)s of %(employee)s ends before it is issued: check «Valid until».",
                        doc=doc.display_name,
                        employee=doc.employee_id.name,
                    )
                )

    @api.model
    def _cron_warn_lapsing(self):
        """One to-do per lapsing document for the clinic managers, before the practitioner must stop working."""
        lapsing = self.search([("state", "=", "expiring")])
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        managers = self.env.ref("clinic_base.group_clinic_manager").users.filtered(lambda u: not u.share)
        model_id = self.env["ir.model"]._get_id("hr.employee")
        for doc in lapsing:
            summary = self.env._("Qualification lapses: %(doc)s", doc=doc.display_name)
            already = self.env["mail.activity"].search_count(
                [("res_model", "=", "hr.employee"), ("res_id", "=", doc.employee_id.id), ("summary", "=", summary)]
            )
            if already or not managers:
                continue
            self.env["mail.activity"].create(
                {
                    "res_model_id": model_id,
                    "res_id": doc.employee_id.id,
                    "activity_type_id": activity_type.id,
                    "summary": summary,
                    "date_deadline": doc.date_to,
                    "user_id": managers[0].id,
                }
            )
        return len(lapsing)
