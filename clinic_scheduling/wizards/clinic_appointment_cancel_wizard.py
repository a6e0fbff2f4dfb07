from odoo import fields, models


class ClinicAppointmentCancelWizard(models.TransientModel):
    _name = "clinic.appointment.cancel.wizard"
    _description = "Cancel appointments"

    appointment_ids = fields.Many2many("clinic.appointment", string="Appointments", required=True)
    cancelled_by = fields.Selection(
        [("patient", "Patient"), ("clinic", "Clinic")], string="Cancelled by", required=True, default="patient"
    )
    reason = fields.Char(string="Reason", required=True)

    def action_confirm(self):
        # every chosen appointment, also one the user may not see: refused then, not silently skipped
        appointments = self.sudo().appointment_ids.with_env(self.env)
        appointments.action_cancel(reason=self.reason, by=self.cancelled_by)
        return {"type": "ir.actions.act_window_close"}
