from odoo import fields, models


class HrDepartment(models.Model):
    """Structural units of the clinic carry their own FRMO OID."""

    _inherit = "hr.department"

    frmo_oid = fields.Char(string="FRMO unit OID", help="OID of the structural unit in the FRMO.")
    cabinet_ids = fields.One2many("clinic.cabinet", "department_id", string="Cabinets")
