from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools.access import MANAGER, RECEPTIONIST, require_group

from .clinic_message_template import REMINDER_HOURS

DEADLINE_MARGIN = timedelta(minutes=15)


class ClinicAppointment(models.Model):
    _inherit = "clinic.appointment"

    clinic_message_ids = fields.One2many("clinic.message", "appointment_id", string="Patient messages")
    messaging_call_listed = fields.Boolean(
        string="Unreached by messages", readonly=True, help="Every channel failed: the front desk calls instead."
    )

    def action_clinic_send_reminder(self):
        """Front desk: remind the patient now, through the outbox like every other message."""
        require_group(
            self.env,
            RECEPTIONIST,
            MANAGER,
            message=self.env._("Only the front desk and managers send reminders by hand."),
        )
        self.check_access("write")
        now = fields.Datetime.now()
        for appointment in self:
            if appointment.state not in ("booked", "confirmed") or appointment.start <= now:
                raise UserError(
                    self.env._(
                        "%(name)s is %(state)s: only a booked or confirmed appointment ahead gets a reminder.",
                        name=appointment.display_name,
                        state=appointment._state_label(appointment.state),
                    )
                )
            message = self.env["clinic.message"]._enqueue(
                appointment, "reminder_24h", now, appointment.start, tag=f"manual{now:%Y%m%d%H%M%S}"
            )
            if not message:
                raise UserError(
                    self.env._("No messaging channel or reminder template is set up: see Clinic › Messaging.")
                )
        return True

    def _log_event(self, state_from, state_to, note=None, old_start=None, old_employee=None):
        """Every event writes its messages into the outbox in the same transaction."""
        result = super()._log_event(state_from, state_to, note=note, old_start=old_start, old_employee=old_employee)
        self._clinic_messaging_on_event(state_from, state_to, old_start)
        return result

    def _clinic_messaging_on_event(self, state_from, state_to, old_start):
        Message = self.env["clinic.message"]
        now = fields.Datetime.now()
        deadline = self.start - DEADLINE_MARGIN
        if not state_from or old_start:
            self._clinic_messaging_cancel_pending()
            Message._enqueue(self, "rescheduled" if old_start else "booked", now, deadline)
            self._clinic_messaging_queue_reminders()
        elif state_to == "cancelled":
            self._clinic_messaging_cancel_pending()
            Message._enqueue(self, "cancelled", now, self.start)
        elif state_to == "done":
            Message._enqueue(self, "done", now, now + timedelta(days=1))
        elif state_to not in ("booked", "confirmed"):
            self._clinic_messaging_cancel_pending()

    def _clinic_messaging_queue_reminders(self):
        """The reminders before the visit, each at its template's hours before the start."""
        deadline = self.start - DEADLINE_MARGIN
        for event, default_hours in REMINDER_HOURS.items():
            template = self.env["clinic.message.template"]._for_event(event, self.company_id)
            hours = template.hours_before or default_hours
            self.env["clinic.message"]._enqueue(self, event, self.start - timedelta(hours=hours), deadline)

    def _clinic_messaging_cancel_pending(self):
        self.env["clinic.message"].sudo().search(
            [("appointment_id", "=", self.id), ("direction", "=", "out"), ("state", "=", "queued")]
        ).write({"state": "cancelled"})

    def _clinic_messaging_call_list(self):
        """Every channel failed: the front desk calls, once."""
        appointment = self.sudo()
        if appointment.messaging_call_listed or appointment.state not in ("booked", "confirmed"):
            return
        appointment.write(
            {
                "messaging_call_listed": True,
                "needs_attention": True,
                "attention_reason": self.env._("No message reached the patient: call."),
            }
        )
        self.env["clinic.reception"].notify(
            "messaging", self.env._("Call the patient"), appointment.display_name, appointment
        )
