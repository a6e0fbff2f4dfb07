from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression

from odoo.addons.clinic_base.tools.access import RECEPTIONIST, require_group
from odoo.addons.clinic_base.tools.display import moment, selection_label

OUTCOMES = [("confirmed", "Confirmed"), ("cancelled", "Cancelled"), ("no_answer", "No answer")]


class ClinicAppointmentCall(models.Model):
    """One confirmation call: who called, when, and what the patient said."""

    _name = "clinic.appointment.call"
    _description = "Confirmation call"
    _order = "at desc, id desc"

    appointment_id = fields.Many2one(
        "clinic.appointment", string="Appointment", required=True, ondelete="cascade", index=True
    )
    user_id = fields.Many2one("res.users", string="Called by", required=True, default=lambda self: self.env.user)
    at = fields.Datetime(string="When", required=True, default=fields.Datetime.now)
    outcome = fields.Selection(OUTCOMES, string="Outcome", required=True)
    note = fields.Char(string="Note")

    @api.depends("appointment_id", "outcome", "at")
    def _compute_display_name(self):
        """«A00012: Нет ответа, 03.12.2026 10:00»."""
        for call in self:
            call.display_name = (
                f"{call.appointment_id.name or ''}: {selection_label(call, 'outcome')}, {moment(self.env, call.at)}"
            )


class ClinicAppointment(models.Model):
    _inherit = "clinic.appointment"

    call_ids = fields.One2many("clinic.appointment.call", "appointment_id", string="Calls")
    call_user_id = fields.Many2one(
        "res.users", string="Called by", readonly=True, help="The one receptionist who handles this call."
    )
    call_outcome = fields.Selection(OUTCOMES, string="Call outcome", readonly=True)
    in_call_list = fields.Boolean(
        string="To call",
        compute="_compute_in_call_list",
        search="_search_in_call_list",
        help="Booked, not confirmed, starting within 24 hours and not called yet.",
    )

    def _compute_in_call_list(self):
        listed = self.filtered_domain(self._call_list_domain())
        for appointment in self:
            appointment.in_call_list = appointment in listed

    def _search_in_call_list(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("«To call» can only be searched as true or false."))
        domain = self._call_list_domain()
        return domain if (operator == "=") == value else ["!", *expression.normalize_domain(domain)]

    @api.model
    def _call_list_domain(self):
        """Booked, not confirmed, starting within 24 hours, not called yet."""
        now = fields.Datetime.now()
        return [
            ("state", "=", "booked"),
            ("start", ">", now),
            ("start", "<=", now + timedelta(hours=24)),
            ("call_outcome", "=", False),
        ]

    def action_take_call(self):
        """Claim the call atomically, so two receptionists never call the same patient."""
        self.ensure_one()
        require_group(self.env, RECEPTIONIST)
        self.check_access("write")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE clinic_appointment SET call_user_id = %s WHERE id = %s "
            "AND (call_user_id IS NULL OR call_user_id = %s) RETURNING id",
            [self.env.uid, self.id, self.env.uid],
        )
        taken = bool(self.env.cr.fetchone())
        self.invalidate_recordset(["call_user_id"])
        if not taken:
            raise UserError(
                self.env._(
                    "%(user)s is already calling about %(name)s.", user=self.call_user_id.name, name=self.display_name
                )
            )
        return True

    def action_call_confirmed(self):
        return self._log_call("confirmed")

    def action_call_cancelled(self):
        return self._log_call("cancelled")

    def action_call_no_answer(self):
        return self._log_call("no_answer")

    def _log_call(self, outcome):
        for appointment in self:
            appointment.action_take_call()
            self.env["clinic.appointment.call"].create({"appointment_id": appointment.id, "outcome": outcome})
            appointment.call_outcome = outcome
            if outcome == "confirmed":
                appointment.action_confirm()
            elif outcome == "cancelled":
                appointment.action_cancel(reason=self.env._("Cancelled on the confirmation call"), by="patient")
        return True
