from odoo import fields, models


class ResPartner(models.Model):
    """A patient's appointments and visits, so that record rules can ask «does this doctor treat them?»."""

    _inherit = "res.partner"

    clinic_appointment_ids = fields.One2many(
        "clinic.appointment", "patient_id", string="Appointments", groups="base.group_user"
    )
    clinic_visit_ids = fields.One2many("clinic.visit", "patient_id", string="Visits", groups="base.group_user")
