"""A booking taken online and answered at once: its slots kept under the visitor's hold, what they typed as they
typed it. Its follow-up (the scheduled action of the online bookings, triggered by it) makes the card, the consents
and the appointment; a page that needs the appointment makes it at once (_materialize). The patient's request does
not wait for the patient's card: that was the costliest part of a booking (see the bench README, «website»)."""

import hmac
from datetime import date

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.models.res_partner import ADULT_AGE
from odoo.addons.clinic_base.tools import names
from odoo.addons.clinic_base.tools import phone as phone_tools


class ClinicOnlineReservation(models.Model):
    _name = "clinic.online.reservation"
    _description = "Online reservation"
    _order = "id desc"
    _rec_name = "online_ref"

    state = fields.Selection(
        [("pending", "Waiting for its follow-up"), ("done", "Booked"), ("failed", "Not booked")],
        string="State",
        default="pending",
        required=True,
        readonly=True,
        index=True,
    )
    online_ref = fields.Char(
        string="Online reference",
        required=True,
        readonly=True,
        copy=False,
        help="Random reference of the booking in the visitor's link; the appointment made of it keeps it.",
    )
    access_token = fields.Char(
        string="Access token", required=True, readonly=True, copy=False, groups="base.group_system"
    )
    slot_id = fields.Many2one("clinic.slot", string="First slot", required=True, readonly=True, ondelete="restrict")
    hold_token = fields.Char(string="Hold", readonly=True, copy=False, groups="base.group_system")
    employee_id = fields.Many2one(
        "hr.employee", string="Practitioner", required=True, readonly=True, ondelete="restrict"
    )
    start = fields.Datetime(string="Start", required=True, readonly=True)
    service_id = fields.Many2one("product.product", string="Service", readonly=True)
    typed = fields.Json(
        string="Typed", readonly=True, help="The form as typed and cleaned: the person, the representative, e-mail."
    )
    patient_id = fields.Many2one(
        "res.partner",
        string="Patient's card",
        readonly=True,
        help="A card the visitor may book: their own, a represented child's, or one proven by a one-time code.",
    )
    account_id = fields.Many2one("res.partner", string="Booked by", readonly=True, help="The logged-in visitor.")
    contact_phone = fields.Char(string="Phone given online", readonly=True, index=True)
    api_consumer_id = fields.Many2one("clinic.api.consumer", string="Booked through", readonly=True)
    funnel_id = fields.Many2one("clinic.booking.funnel", string="Visit", readonly=True)
    booking_started_at = fields.Datetime(string="Booking started at", readonly=True)
    appointment_id = fields.Many2one("clinic.appointment", string="Appointment", readonly=True, index="btree_not_null")
    failure = fields.Text(string="Why not booked", readonly=True)
    company_id = fields.Many2one(
        "res.company", string="Clinic", required=True, readonly=True, default=lambda self: self.env.company
    )
    typed_name = fields.Char(string="Patient as typed", compute="_compute_typed_name")
    lang = fields.Char(
        string="Language",
        readonly=True,
        default=lambda self: self.env.lang,
        help="The website's language at the booking: what the follow-up writes for the front desk is in it.",
    )

    _sql_constraints = [
        ("online_ref_unique", "UNIQUE(online_ref)", "Two online reservations cannot share a reference.")
    ]

    @api.depends("typed", "patient_id")
    def _compute_typed_name(self):
        for reservation in self:
            person = (reservation.typed or {}).get("person")
            reservation.typed_name = (
                names.full_name(person["surname"], person["first_name"], person["patronymic"])
                if person
                else reservation.patient_id.name
            )

    # ------------------------------------------------------------------ business methods

    @api.model
    def _take(self, vals):
        """Record a reservation whose slots are already held for it and trigger its follow-up."""
        reservation = self.sudo().create(vals)
        self.env["clinic.appointment"]._trigger_follow_up()
        return reservation

    @api.model
    def _by_ref(self, ref, token):
        """The reservation named ``ref`` (sudo) when ``token`` opens it: its own token while it waits, the
        appointment's rules (clinic.appointment._portal_token_valid) once made; otherwise empty."""
        if not isinstance(ref, str) or len(ref) > 32 or not token:
            return self.sudo().browse()
        reservation = self.sudo().search_fetch(  # one query for the record and what its page shows
            [("online_ref", "=", ref)],
            ["state", "online_ref", "access_token", "slot_id", "employee_id", "start", "service_id", "typed",
             "patient_id", "appointment_id", "company_id"],
            limit=1,
        )  # fmt: skip
        if not reservation or not hmac.compare_digest(str(token).encode(), reservation.access_token.encode()):
            return self.sudo().browse()
        if reservation.appointment_id:
            return reservation if reservation.appointment_id._portal_token_valid(token) else self.sudo().browse()
        alive = self.env["clinic.appointment"]._link_alive(reservation.start)
        return reservation if alive else self.sudo().browse()

    def _materialize(self):
        """The appointments of these reservations, made now for those still waiting (a page that needs one, the
        exchange API); each is locked first, so that the follow-up and a page never make one twice."""
        for reservation in self.sudo():
            # A follow-up making it at this moment makes this wait, then fail to serialize: Odoo replays the
            # request, which finds the appointment made. Expected, not a bad query.
            self.env.cr.execute(
                "SELECT 1 FROM clinic_online_reservation WHERE id = %s FOR UPDATE",
                [reservation.id],
                log_exceptions=False,
            )
            reservation.invalidate_recordset(["state", "appointment_id"])
            if reservation.state == "pending":
                reservation._follow_up()
        return self.sudo().appointment_id

    @api.model
    def _cron_follow_up(self, batch):
        """The follow-up of the reservations waiting, oldest first; those a page is making are skipped."""
        self.env.cr.execute(
            "SELECT id FROM clinic_online_reservation WHERE state = 'pending' ORDER BY id LIMIT %s "
            "FOR UPDATE SKIP LOCKED",
            [batch],
        )
        waiting = self.sudo().browse(row[0] for row in self.env.cr.fetchall())
        for reservation in waiting:
            reservation._follow_up()
        return len(waiting)

    def _follow_up(self):
        """The card (never an existing one on an unverified match, see clinic.online.booking.request), the
        consents as given at the time of the reservation, the appointment on the held slots. When the appointment
        cannot be made (the slots went to someone else after the hold ran out), the front desk is asked to call."""
        self.ensure_one()
        self = self.with_context(lang=self.lang or self.env.lang)  # noqa: PLW0642 - the website's language
        intake = self.env["clinic.online.booking.request"]
        request = self._request()
        try:
            with self.env.cr.savepoint():
                patient, representative, attention = intake._resolve_patient(request)
                # the moment of booking, to the second as the consents' clock reads (a consent dated a fraction of
                # a second ahead of it would not be in force yet)
                booked_at = self.create_date.replace(microsecond=0)
                intake._record_consents(patient, representative, request, self.api_consumer_id, at=booked_at)
                appointment = (
                    self.env["clinic.appointment"]
                    .sudo()
                    .with_context(clinic_defer_calendar=True)  # the calendar event comes with the follow-up
                    .book_slot(
                        patient,
                        self.slot_id,
                        services=self.service_id,
                        source="website",
                        hold_token=self.hold_token,
                        booking_started_at=self.booking_started_at,
                        booked_at=booked_at,
                        needs_attention=bool(attention),
                        attention_reason="; ".join(attention) or False,
                        api_consumer_id=self.api_consumer_id.id,
                        contact_phone=self.contact_phone,
                        contact_email=request["email"] or False,
                        online_ref=self.online_ref,
                        access_token=self.access_token,
                    )
                )
                if intake._age_today(request["birth_date"]) < ADULT_AGE:
                    # a declared representation (of a minor only) waits for the appointment it was declared for
                    self.env["clinic.representation.request"].sudo().search(
                        [("child_id", "=", patient.id), ("state", "=", "pending"), ("appointment_id", "=", False)]
                    ).appointment_id = appointment
                self.funnel_id.sudo().appointment_id = appointment
                self.write({"state": "done", "appointment_id": appointment.id})
        except UserError as error:
            self.write({"state": "failed", "failure": str(error)})
            self.env["clinic.reception"].notify(
                "website_booking",
                self.env._("Online booking not made"),
                self.env._("%(who)s booked %(doctor)s for %(when)s online, and the time could not be kept (%(why)s): "
                           "call them at %(phone)s.", who=self.typed_name, doctor=self.employee_id.name,
                           when=self.env["clinic.appointment"]._format_start(self.start), why=error.args[0],
                           phone=phone_tools.format_ru(self.contact_phone)),
                self,
                sticky=True,
            )  # fmt: skip

    def _request(self):
        """The cleaned request (clinic.online.booking.request._clean) this reservation was taken with."""
        self.ensure_one()
        typed = self.typed or {}
        person = (
            dict(typed["person"], birth_date=date.fromisoformat(typed["person"]["birth_date"]))
            if typed.get("person")
            else None
        )
        return {
            "service": self.service_id,
            "patient": self.patient_id,
            "person": person,
            "birth_date": date.fromisoformat(typed["birth_date"]),
            "account": self.account_id,
            "representative": typed.get("representative"),
            "phone": self.contact_phone,
            "email": typed.get("email") or "",
            "consent_messages": bool(typed.get("consent_messages")),
        }
