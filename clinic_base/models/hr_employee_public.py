from odoo import fields, models

from .hr_employee import AGE_GROUPS


class HrEmployeePublic(models.Model):
    """The practitioner directory every clinic user may read (front desk, website), without HR rights."""

    _inherit = "hr.employee.public"

    is_practitioner = fields.Boolean(string="Practitioner", readonly=True)
    position_id = fields.Many2one("clinic.nsi.position", string="Medical position", readonly=True)
    specialty_ids = fields.Many2many(
        "clinic.nsi.specialty",
        string="Specialties",
        compute="_compute_specialty_ids",
        search="_search_specialty_ids",
        compute_sudo=True,
    )
    age_group = fields.Selection(AGE_GROUPS, string="Sees", readonly=True)
    clinic_published = fields.Boolean(string="Published on the website", readonly=True)
    clinic_bio = fields.Html(string="Short bio", readonly=True, translate=True)
    practice_since = fields.Date(string="Practising since", readonly=True)
    experience_years = fields.Integer(related="employee_id.experience_years", string="Experience, years")

    def _compute_specialty_ids(self):
        for employee in self:
            employee.specialty_ids = employee.employee_id.specialty_ids

    def _search_specialty_ids(self, operator, value):
        return [("id", "in", self.env["hr.employee"].sudo()._search([("specialty_ids", operator, value)]))]
