from odoo import fields, models


class HrEmployeePublic(models.Model):
    """What the front desk needs to book a practitioner, readable without HR rights."""

    _inherit = "hr.employee.public"

    slot_duration = fields.Integer(string="Slot length, min", readonly=True)
    default_cabinet_id = fields.Many2one("clinic.cabinet", string="Usual cabinet", readonly=True)
