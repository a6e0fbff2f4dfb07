from odoo import fields, models

from odoo.addons.clinic_base.tools.access import RECEPTIONIST, require_group


class ResPartner(models.Model):
    """The patient card as the clinic's home: the patient's appointments, visits and payments on it."""

    _inherit = "res.partner"

    clinic_appointment_ids = fields.One2many(
        "clinic.appointment", "patient_id", string="Appointments", groups="base.group_user"
    )
    clinic_visit_ids = fields.One2many("clinic.visit", "patient_id", string="Visits", groups="base.group_user")
    clinic_payment_ids = fields.One2many(
        "clinic.visit.payment", "patient_id", string="Payments", groups="base.group_user"
    )
    clinic_waitlist_ids = fields.One2many(
        "clinic.waitlist", "patient_id", string="Waiting list", groups="base.group_user"
    )

    def action_clinic_book(self):
        """«Book» on the patient card: the booking window with this patient chosen."""
        self.ensure_one()
        return self.env["clinic.booking.wizard"]._open_window({"patient_id": self.id})

    def action_clinic_waitlist(self):
        """«Waiting list» on the patient card: a new request for this patient."""
        self.ensure_one()
        require_group(
            self.env, RECEPTIONIST, message=self.env._("Only the front desk puts patients on the waiting list.")
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Waiting list"),
            "res_model": "clinic.waitlist",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_patient_id": self.id},
        }
