from odoo import api, fields, models

from odoo.addons.clinic_base.tools.display import moment, selection_label

from .clinic_appointment import STATES


class ClinicAppointmentEvent(models.Model):
    """Every transition of an appointment, time-stamped: the KPIs are computed from these."""

    _name = "clinic.appointment.event"
    _description = "Appointment history"
    _order = "at, id"

    appointment_id = fields.Many2one(
        "clinic.appointment", string="Appointment", required=True, ondelete="cascade", index=True
    )
    at = fields.Datetime(string="When", required=True, default=fields.Datetime.now)
    user_id = fields.Many2one("res.users", string="By", default=lambda self: self.env.user)
    state_from = fields.Selection(STATES, string="From")
    state_to = fields.Selection(STATES, string="To", required=True)
    old_start = fields.Datetime(string="Previous start", help="Set when the appointment was moved.")
    old_employee_id = fields.Many2one(
        "hr.employee",
        string="Previous practitioner",
        help="Set when a move gave the appointment to another practitioner.",
    )
    note = fields.Char(string="Note")

    @api.depends("appointment_id", "state_to", "at")
    def _compute_display_name(self):
        """«A00012: Отменена, 03.12.2026 10:00»."""
        for event in self:
            event.display_name = (
                f"{event.appointment_id.name or ''}: {selection_label(event, 'state_to')}, {moment(self.env, event.at)}"
            )
