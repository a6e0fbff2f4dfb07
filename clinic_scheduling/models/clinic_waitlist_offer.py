from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_datetime

from odoo.addons.clinic_base.tools.access import RECEPTIONIST, require_group

OFFER_PARAM = "clinic_scheduling.offer_minutes"
DEFAULT_OFFER_MINUTES = 30


class ClinicWaitlistOffer(models.Model):
    """A freed slot held for one waiting patient for a while; accepted, declined or expired."""

    _name = "clinic.waitlist.offer"
    _description = "Waiting list offer"
    _order = "offered_at desc, id desc"

    waitlist_id = fields.Many2one("clinic.waitlist", string="Waiting list entry", required=True, ondelete="cascade")
    patient_id = fields.Many2one(related="waitlist_id.patient_id", string="Patient", store=True)
    employee_id = fields.Many2one("hr.employee", string="Practitioner", required=True, index=True)
    slot_ids = fields.Many2many("clinic.slot", string="Slots")
    start = fields.Datetime(string="Start", required=True, index=True)
    state = fields.Selection(
        [
            ("pending", "Waiting for the answer"),
            ("accepted", "Accepted"),
            ("declined", "Declined"),
            ("expired", "Expired"),
        ],
        string="Status",
        default="pending",
        required=True,
        index=True,
    )
    offered_at = fields.Datetime(string="Offered at", required=True, default=fields.Datetime.now)
    freed_at = fields.Datetime(string="Slot freed at")
    expires_at = fields.Datetime(string="Expires at", required=True)
    responded_at = fields.Datetime(string="Answered at")
    hold_token = fields.Char(string="Hold token", groups="base.group_system")
    appointment_id = fields.Many2one("clinic.appointment", string="Appointment", readonly=True)

    @api.depends("patient_id", "employee_id", "start")
    def _compute_display_name(self):
        """«Иванова Анна Петровна: Петров П. П., 03.12.2026 10:00», never the model's technical name."""
        for offer in self:
            offer.display_name = f"{offer.patient_id.name or ''}: {offer._when()}"

    def _when(self):
        """Practitioner and start in the clinic's time: what the patient is offered, said once."""
        self.ensure_one()
        if not self.start:
            return self.employee_id.name or ""
        start = format_datetime(self.env, self.start, tz=self.employee_id._clinic_tz(), dt_format="dd.MM.yyyy HH:mm")
        return f"{self.employee_id.name}, {start}" if self.employee_id else start

    @api.model
    def _make(self, entry, run):
        minutes = int(self.env["ir.config_parameter"].sudo().get_param(OFFER_PARAM, DEFAULT_OFFER_MINUTES))
        token = run.hold(minutes)
        offer = self.sudo().create(
            {
                "waitlist_id": entry.id,
                "employee_id": run.employee_id.id,
                "slot_ids": [(6, 0, run.ids)],
                "start": run[0].start,
                "expires_at": fields.Datetime.now() + timedelta(minutes=minutes),
                "freed_at": max((s.freed_at for s in run if s.freed_at), default=False),
                "hold_token": token,
            }
        )
        entry.state = "offered"
        offer._deliver()
        return offer

    def _deliver(self):
        """Channel-neutral delivery: the patient's chatter and the front desk; messaging modules extend it."""
        for offer in self:
            when = offer._when()
            offer.patient_id.message_post(
                body=self.env._(
                    "A place on the waiting list: %(when)s. The offer is held until %(until)s.",
                    when=when,
                    until=format_datetime(
                        self.env, offer.expires_at, tz=offer.employee_id._clinic_tz(), dt_format="dd.MM.yyyy HH:mm"
                    ),
                )
            )
            self.env["clinic.reception"].notify(
                "waitlist_offer",
                self.env._("Waiting list offer"),
                self.env._("%(patient)s is offered %(when)s.", patient=offer.patient_id.name, when=when),
                offer.waitlist_id,
            )

    def action_accept(self, booking_started_at=None):
        """Book the held slots through the same guarantee as every other booking.

        The patient's time to answer is not booking time: the offer keeps its own stamps.
        """
        require_group(self.env, RECEPTIONIST)
        self.check_access("write")
        self.ensure_one()
        if self.state != "pending":
            state = dict(self._fields["state"]._description_selection(self.env))[self.state]
            raise UserError(self.env._("This offer is %(state)s already.", state=state))
        entry = self.waitlist_id
        appointment = self.env["clinic.appointment"].book(
            entry.patient_id,
            self.slot_ids,
            services=entry.service_id,
            source="messenger" if self.env.context.get("clinic_channel") else "front_desk",
            hold_token=self.sudo().hold_token,
            booking_started_at=booking_started_at,
        )
        self.write({"state": "accepted", "responded_at": fields.Datetime.now(), "appointment_id": appointment.id})
        entry.write({"state": "booked", "appointment_id": appointment.id})
        self.env["clinic.reception"].notify(
            "waitlist_accepted",
            self.env._("Waiting list: accepted"),
            self.env._("%(patient)s took %(when)s.", patient=entry.patient_id.name, when=self._when()),
            appointment,
        )
        return appointment

    def action_decline(self):
        """The patient said no: the slot goes straight to the next one waiting."""
        require_group(self.env, RECEPTIONIST)
        self.check_access("write")
        self._close("declined")
        return True

    @api.model
    def _expire_due(self):
        due = self.sudo().search([("state", "=", "pending"), ("expires_at", "<", fields.Datetime.now())])
        due._close("expired")
        return due

    def _close(self, state):
        for offer in self:
            if offer.state != "pending":
                continue
            offer.write({"state": state, "responded_at": fields.Datetime.now()})
            offer.slot_ids.release(offer.sudo().hold_token)
            if offer.waitlist_id.state == "offered":
                offer.waitlist_id.state = "waiting"
            self.env["clinic.waitlist"]._offer_slots(offer.slot_ids)
