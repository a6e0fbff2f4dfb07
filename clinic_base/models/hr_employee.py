from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import checksums

# Fields only on hr.employee (not on the public profile) must carry it, or prefetching them fails for other users.
HR_GROUP = "hr.group_hr_user"
AGE_GROUPS = [("adult", "Adults"), ("child", "Children"), ("both", "Adults and children")]


class HrEmployee(models.Model):
    """Practitioners are employees with their FRMR (federal register of medical workers) data."""

    _inherit = "hr.employee"

    is_practitioner = fields.Boolean(string="Practitioner", help="Sees patients and can be booked.")
    snils = fields.Char(string="SNILS", copy=False, groups=HR_GROUP, help="Key of the employee's record in the FRMR.")
    position_id = fields.Many2one(
        "clinic.nsi.position", string="Medical position", help="Reference book 1.2.643.5.1.13.13.11.1002."
    )
    specialty_ids = fields.Many2many(
        "clinic.nsi.specialty", string="Specialties", help="Reference book 1.2.643.5.1.13.13.11.1066."
    )
    qualification_ids = fields.One2many(
        "clinic.qualification", "employee_id", string="Qualification documents", groups=HR_GROUP
    )
    qualification_warning = fields.Char(
        string="Qualification warning", compute="_compute_qualification_warning", groups=HR_GROUP
    )
    age_group = fields.Selection(AGE_GROUPS, string="Sees", default="adult")
    clinic_published = fields.Boolean(string="Published on the website")
    clinic_bio = fields.Html(string="Short bio", translate=True)
    practice_since = fields.Date(string="Practising since")
    experience_years = fields.Integer(string="Experience, years", compute="_compute_experience_years")

    @api.depends("qualification_ids.date_to")
    def _compute_qualification_warning(self):
        for employee in self:
            lapsing = employee.qualification_ids.filtered(lambda q: q.state in ("expiring", "expired"))
            employee.qualification_warning = (
                ", ".join(f"{q.display_name}: {q.date_to.strftime('%d.%m.%Y')}" for q in lapsing) or False
            )

    @api.depends("practice_since")
    def _compute_experience_years(self):
        today = fields.Date.context_today(self)
        for employee in self:
            since = employee.practice_since
            employee.experience_years = relativedelta(today, since).years if since else 0

    @api.constrains("snils")
    def _check_snils(self):
        for employee in self.filtered("snils"):
            if not checksums.snils_is_valid(employee.snils):
                raise ValidationError(
                    self.env._(
                        "SNILS «%(value)s» of %(employee)s is not valid: its control number does not match.",
                        value=employee.snils,
                        employee=employee.name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("snils"):
                vals["snils"] = checksums.clean_digits(vals["snils"])
        return super().create(vals_list)

    def write(self, vals):
        if vals.get("snils"):
            vals["snils"] = checksums.clean_digits(vals["snils"])
        return super().write(vals)
