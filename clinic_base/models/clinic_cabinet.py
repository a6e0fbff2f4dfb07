from odoo import fields, models


class ClinicCabinet(models.Model):
    """A room where patients are seen; appointments reserve it like a practitioner."""

    _name = "clinic.cabinet"
    _description = "Cabinet"
    _order = "code, name"

    name = fields.Char(string="Name", required=True, translate=True)
    code = fields.Char(string="Number", help="Door number, e.g. 105.")
    department_id = fields.Many2one("hr.department", string="Department")
    company_id = fields.Many2one("res.company", string="Clinic", required=True, default=lambda self: self.env.company)
    active = fields.Boolean(string="Active", default=True)

    _sql_constraints = [("code_company_unique", "UNIQUE(code, company_id)", "Cabinet numbers are unique per clinic.")]
