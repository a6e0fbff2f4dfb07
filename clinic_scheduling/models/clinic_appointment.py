from datetime import timedelta

import psycopg2
from psycopg2 import errorcodes

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, format_datetime

ACTIVE_STATES = ("booked", "confirmed", "arrived", "in_progress", "done")
STATES = [
    ("booked", "Booked"),
    ("confirmed", "Confirmed"),
    ("arrived", "Arrived"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
    ("no_show", "No-show"),
]
TRANSITIONS = {
    "booked": ("confirmed", "arrived", "cancelled", "no_show"),
    "confirmed": ("arrived", "cancelled", "no_show"),
    "arrived": ("in_progress", "done", "cancelled"),
    "in_progress": ("done",),
    "done": (),
    "cancelled": (),
    "no_show": (),
}
STAMP_FIELDS = {
    "confirmed": "confirmed_at",
    "arrived": "arrived_at",
    "in_progress": "started_at",
    "done": "done_at",
    "cancelled": "cancelled_at",
    "no_show": "no_show_at",
}
SOURCES = [
    ("front_desk", "Front desk"),
    ("phone", "Phone call"),
    ("website", "Website"),
    ("messenger", "Messenger"),
    ("import", "Import"),
]
EMPLOYEE_CONSTRAINT = "clinic_appointment_employee_no_overlap"
CABINET_CONSTRAINT = "clinic_appointment_cabinet_no_overlap"
RACE_ERRORS = (
    errorcodes.EXCLUSION_VIOLATION,
    errorcodes.UNIQUE_VIOLATION,
    errorcodes.SERIALIZATION_FAILURE,
    errorcodes.LOCK_NOT_AVAILABLE,
)


class _SlotUnavailable(Exception):
    """Raised inside the booking savepoint when a locked slot turns out taken."""


class SlotTakenError(UserError):
    """The slot went to someone else; the message lists the nearest free times."""

    def __init__(self, message, alternatives):
        super().__init__(message)
        self.alternatives = alternatives


class ClinicAppointment(models.Model):
    _name = "clinic.appointment"
    _description = "Appointment"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "start desc, id desc"

    name = fields.Char(string="Number", readonly=True, copy=False, default="/")
    patient_id = fields.Many2one(
        "res.partner", string="Patient", required=True, index=True, domain=[("is_patient", "=", True)], tracking=True
    )
    patient_phone = fields.Char(related="patient_id.phone", string="Phone")
    employee_id = fields.Many2one(
        "hr.employee",
        string="Practitioner",
        required=True,
        index=True,
        domain=[("is_practitioner", "=", True)],
        tracking=True,
    )
    practitioner_user_id = fields.Many2one(
        related="employee_id.user_id",
        string="Practitioner's user",
        store=True,
        precompute=True,  # written with the appointment, not by an UPDATE right after its INSERT
    )
    service_ids = fields.Many2many(
        "product.product", string="Services", domain=[("is_medical_service", "=", True)], tracking=True
    )
    cabinet_id = fields.Many2one("clinic.cabinet", string="Cabinet", tracking=True)
    slot_ids = fields.One2many("clinic.slot", "appointment_id", string="Slots")
    start = fields.Datetime(string="Start", required=True, index=True, tracking=True)
    stop = fields.Datetime(string="End", required=True)
    duration = fields.Integer(string="Duration, min", compute="_compute_duration")
    state = fields.Selection(STATES, string="Status", default="booked", required=True, index=True, tracking=True)
    source = fields.Selection(SOURCES, string="Source", required=True, default="front_desk", index=True)
    booked_by_id = fields.Many2one("res.users", string="Booked by", default=lambda self: self.env.user, readonly=True)
    booking_started_at = fields.Datetime(
        string="Booking started",
        readonly=True,
        help="When the receptionist opened the booking window or the patient "
        "first looked at free slots; the time to book is measured from it.",
    )
    booking_seconds = fields.Integer(string="Time to book, s", readonly=True)
    confirmed_at = fields.Datetime(string="Confirmed at", readonly=True)
    arrived_at = fields.Datetime(string="Arrived at", readonly=True)
    started_at = fields.Datetime(string="Started at", readonly=True)
    done_at = fields.Datetime(string="Done at", readonly=True)
    cancelled_at = fields.Datetime(string="Cancelled at", readonly=True)
    no_show_at = fields.Datetime(string="No-show at", readonly=True)
    cancelled_by = fields.Selection(
        [("patient", "Patient"), ("clinic", "Clinic")], string="Cancelled by", readonly=True
    )
    cancel_reason = fields.Char(string="Cancellation reason", readonly=True)
    refill_seconds = fields.Integer(
        string="Refilled after, s",
        readonly=True,
        help="This booking took a slot freed by a cancellation: seconds between the two.",
    )
    reschedule_count = fields.Integer(string="Rescheduled", readonly=True)
    event_ids = fields.One2many("clinic.appointment.event", "appointment_id", string="History")
    calendar_event_id = fields.Many2one("calendar.event", string="Calendar event", readonly=True, copy=False)
    calendar_pending = fields.Boolean(
        string="Calendar event to make",
        readonly=True,
        copy=False,
        help="Booked online: the practitioner's calendar event, the chatter's note and the notices to open day "
        "grids are made right after the booking by a scheduled action, outside the patient's request.",
    )
    needs_attention = fields.Boolean(
        string="Needs attention", tracking=True, help="The front desk must check something, see the reason."
    )
    attention_reason = fields.Char(string="What to check")
    note = fields.Text(string="Note")
    company_id = fields.Many2one("res.company", string="Clinic", default=lambda self: self.env.company, required=True)
    is_today = fields.Boolean(
        string="Today",
        compute="_compute_is_today",
        search="_search_is_today",
        help="Starts today in the clinic's time zone, whatever the zone of the user's browser.",
    )

    _sql_constraints = [("stop_after_start", "CHECK(stop > start)", "An appointment ends after it starts.")]

    @api.depends("start", "stop")
    def _compute_duration(self):
        for appointment in self:
            span = (appointment.stop - appointment.start) if appointment.start and appointment.stop else timedelta()
            appointment.duration = int(span.total_seconds() // 60)

    @api.depends("name", "patient_id", "start")
    def _compute_display_name(self):
        tz = self.env.company._clinic_tz_name()
        for appointment in self:
            when = (
                format_datetime(self.env, appointment.start, tz=tz, dt_format="dd.MM.yyyy HH:mm")
                if appointment.start
                else ""
            )
            appointment.display_name = f"{appointment.name} {appointment.patient_id.name or ''} {when}".strip()

    def _compute_is_today(self):
        day_start, day_stop = self._clinic_today_bounds()
        for appointment in self:
            appointment.is_today = bool(appointment.start) and day_start <= appointment.start < day_stop

    def _search_is_today(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("«Today» can only be searched as true or false."))
        day_start, day_stop = self._clinic_today_bounds()
        today = ["&", ("start", ">=", day_start), ("start", "<", day_stop)]
        return today if (operator == "=") == value else ["|", ("start", "<", day_start), ("start", ">=", day_stop)]

    @api.model
    def _clinic_today_bounds(self):
        company = self.env.company
        today = company._clinic_today()
        return company._clinic_to_utc(today), company._clinic_to_utc(today + timedelta(days=1))

    @api.constrains("patient_id")
    def _check_patient(self):
        for appointment in self:
            if not appointment.patient_id.is_patient:
                raise ValidationError(
                    self.env._(
                        "%(name)s is not registered as a patient: open the card and tick «Patient».",
                        name=appointment.patient_id.display_name,
                    )
                )

    def init(self):
        """No double booking, enforced by PostgreSQL itself: the practitioner's and the cabinet's time
        ranges of active appointments may not overlap, whichever code path inserts them.
        Calendar events made before they were private become private (they name the patient)."""
        self.env.cr.execute(
            "UPDATE calendar_event SET privacy = 'private' "
            "WHERE res_model = 'clinic.appointment' AND privacy IS DISTINCT FROM 'private'"
        )
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS clinic_appointment_calendar_pending_idx ON clinic_appointment (id) "
            "WHERE calendar_pending"
        )
        for name, column, extra in (
            (EMPLOYEE_CONSTRAINT, "employee_id", SQL("")),
            (CABINET_CONSTRAINT, "cabinet_id", SQL(" AND cabinet_id IS NOT NULL")),
        ):
            self.env.cr.execute("SELECT 1 FROM pg_constraint WHERE conname = %s", [name])
            if not self.env.cr.fetchone():
                self.env.cr.execute(
                    SQL(
                        "ALTER TABLE clinic_appointment ADD CONSTRAINT %s EXCLUDE USING gist "
                        "(int4range(%s, %s, '[]') WITH &&, tsrange(start, stop) WITH &&) WHERE (state IN %s%s)",
                        SQL.identifier(name),
                        SQL.identifier(column),
                        SQL.identifier(column),
                        ACTIVE_STATES,
                        extra,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        """``clinic_defer_calendar`` in the context (online bookings): the calendar event, the chatter's «created»
        note and the day grids' notice are made by a scheduled action triggered at once (``_follow_up_booking``),
        so that the patient's request does not wait for them; the visitor does not follow the clinic's record."""
        defer = bool(self.env.context.get("clinic_defer_calendar"))
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code("clinic.appointment") or "/"
            vals["calendar_pending"] = defer
        appointments = (
            super(
                ClinicAppointment,
                self.with_context(mail_create_nolog=True, mail_create_nosubscribe=True) if defer else self,
            )
            .create(vals_list)
            .with_env(self.env)
        )
        for appointment in appointments:
            appointment._log_event(False, appointment.state)
        if defer:
            if not self.env.context.get("clinic_following_up"):  # else the running follow-up takes them next
                self._trigger_follow_up()
        else:
            appointments._sync_calendar_event()
            self.env["clinic.day.grid"]._notify_change(appointments)
        return appointments

    def write(self, vals):
        result = super().write(vals)
        if {"start", "stop", "employee_id", "state", "patient_id"} & set(vals):
            self._sync_calendar_event()
        if {"start", "stop", "employee_id", "state", "patient_id", "service_ids", "needs_attention"} & set(vals):
            self.env["clinic.day.grid"]._notify_change(self)
        return result

    # ------------------------------------------------------------------ actions

    def action_confirm(self):
        self._transition("confirmed")
        return True

    def action_arrive(self):
        self._transition("arrived")
        return True

    def action_start(self):
        self._transition("in_progress")
        return True

    def action_done(self):
        self._transition("done")
        return True

    def action_no_show(self):
        """The patient did not come: the rest of the slot goes back to the waiting list."""
        self._transition("no_show")
        self._free_slots()
        return True

    def action_cancel(self, reason=None, by="patient"):
        for appointment in self:
            appointment._transition("cancelled", cancel_reason=reason or False, cancelled_by=by)
            self.env["clinic.reception"].notify(
                "cancellation",
                self.env._("Appointment cancelled"),
                self.env._("%(appointment)s: %(reason)s", appointment=appointment.display_name, reason=reason or "—"),
                appointment,
            )
        self._free_slots()
        return True

    def action_open_cancel_wizard(self):
        self.check_access("write")
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel appointment"),
            "res_model": "clinic.appointment.cancel.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_appointment_ids": self.ids},
        }

    def action_open_reschedule(self):
        """The booking window, set to move this appointment."""
        self.ensure_one()
        self.check_access("write")
        return self.env["clinic.booking.wizard"]._open_window(
            {"appointment_id": self.id, "patient_id": self.patient_id.id, "employee_id": self.employee_id.id},
            title=self.env._("Move appointment"),
        )

    # ------------------------------------------------------------------ booking

    @api.private
    @api.model
    def book(
        self, patient, slots, services=None, source="front_desk", hold_token=None, booking_started_at=None, **extra
    ):
        """Book consecutive slots of one practitioner for a patient; the one way every channel books.

        The slots are locked, checked and taken in one savepoint; the
        database's exclusion constraint backs it. A loser of a race gets a
        SlotTakenError naming the nearest free times instead. ``booked_at``: when
        the patient booked, for the booking's figures, if earlier than now (a
        booking taken online and followed up a moment later).
        """
        slots = slots.sorted("start")
        self._check_run(slots)
        now = fields.Datetime.now()
        booked_at = extra.pop("booked_at", None) or now
        try:
            with self.env.cr.savepoint():
                slots._lock()
                if not all(slot._is_available(now, hold_token) for slot in slots):
                    raise _SlotUnavailable()
                refill = max((s.freed_at for s in slots if s.freed_at), default=None)
                vals = {
                    "patient_id": patient.id,
                    "employee_id": slots.employee_id.id,
                    "service_ids": [(6, 0, services.ids if services else [])],
                    "cabinet_id": slots[0].cabinet_id.id,
                    "start": slots[0].start,
                    "stop": slots[-1].stop,
                    "source": source,
                    "booking_started_at": booking_started_at,
                    "booking_seconds": int((booked_at - booking_started_at).total_seconds())
                    if booking_started_at
                    else 0,
                    "refill_seconds": max(0, int((booked_at - refill).total_seconds())) if refill else 0,
                    **extra,
                }
                appointment = self.create(vals)
                slots.sudo().write(
                    {
                        "state": "booked",
                        "appointment_id": appointment.id,
                        "hold_until": False,
                        "hold_token": False,
                        "freed_at": False,
                    }
                )
                self.env.flush_all()
        except (_SlotUnavailable, psycopg2.Error) as exc:
            self._raise_taken(exc, slots)
        return appointment

    @api.private
    @api.model
    def book_slot(self, patient, slot, services=None, **kwargs):
        """Book from one chosen start: the service's duration decides how many slots follow it."""
        duration = max([slot.employee_id.slot_duration, *(services.mapped("duration_minutes") if services else [])])
        run = slot._run_from(duration)
        self._check_run(run, duration)
        return self.book(patient, run, services=services, **kwargs)

    @api.private
    def action_reschedule(self, slot, hold_token=None):
        """Move to another start; the history keeps the old time, the old slots go to the waiting list."""
        self.ensure_one()
        if self.state not in ("booked", "confirmed"):
            raise UserError(
                self.env._(
                    "%(name)s is %(state)s: only a booked or confirmed appointment can be moved.",
                    name=self.display_name,
                    state=self._state_label(self.state),
                )
            )
        old_slots, old_start, old_employee = self.slot_ids, self.start, self.employee_id
        duration = (self.stop - self.start).total_seconds() / 60
        run = slot._run_from(duration)
        self._check_run(run, duration)
        now = fields.Datetime.now()
        try:
            with self.env.cr.savepoint():
                run._lock()
                if not all(s._is_available(now, hold_token) or s.appointment_id == self for s in run):
                    raise _SlotUnavailable()
                old_slots.write({"state": "free", "appointment_id": False, "freed_at": now})
                self.write(
                    {
                        "employee_id": run.employee_id.id,
                        "start": run[0].start,
                        "stop": run[-1].stop,
                        "cabinet_id": run[0].cabinet_id.id,
                        "reschedule_count": self.reschedule_count + 1,
                    }
                )
                run.sudo().write(
                    {"state": "booked", "appointment_id": self.id, "hold_until": False, "hold_token": False}
                )
                self.env.flush_all()
        except (_SlotUnavailable, psycopg2.Error) as exc:
            self._raise_taken(exc, run)
        self._log_event(
            self.state,
            self.state,
            note=self.env._("Moved from %(old)s", old=self._format_start(old_start)),
            old_start=old_start,
            old_employee=old_employee,
        )
        self.env["clinic.waitlist"]._offer_slots(old_slots.filtered(lambda s: s.start > now))
        return True

    # ------------------------------------------------------------------ helpers

    def _check_run(self, slots, duration=None):
        if not slots:
            raise UserError(self.env._("Choose a free time first."))
        if len(slots.employee_id) != 1:
            raise UserError(self.env._("One appointment is with one practitioner: choose slots of one of them."))
        ordered = slots.sorted("start")
        for before, after in zip(ordered, ordered[1:]):
            if before.stop != after.start:
                raise UserError(
                    self.env._(
                        "There is a gap after %(slot)s: a booking needs consecutive slots.", slot=before.display_name
                    )
                )
        if duration and (ordered[-1].stop - ordered[0].start).total_seconds() / 60 < duration:
            raise UserError(
                self.env._(
                    "%(slot)s is too short for %(minutes)s minutes: choose an earlier start or another day.",
                    slot=ordered[0].display_name,
                    minutes=int(duration),
                )
            )

    def _state_label(self, state):
        """The status as the user reads it, in their language."""
        return dict(self._fields["state"]._description_selection(self.env))[state]

    def _format_start(self, start):
        return format_datetime(self.env, start, tz=self.env.company._clinic_tz_name(), dt_format="dd.MM.yyyy HH:mm")

    @api.model
    def _raise_taken(self, exc, slots):
        """Turn a lost race into a clear message with the nearest free times; re-raise anything else."""
        if isinstance(exc, psycopg2.Error) and exc.pgcode not in RACE_ERRORS:
            raise exc
        cabinet_busy = getattr(getattr(exc, "diag", None), "constraint_name", None) == CABINET_CONSTRAINT
        self.env.invalidate_all()
        duration = int((slots[-1].stop - slots[0].start).total_seconds() // 60)
        alternatives = self.env["clinic.slot"].find_free(
            employees=slots.employee_id,
            date_from=slots[0].start - timedelta(hours=12),
            date_to=slots[0].start + timedelta(days=7),
            duration=duration,
            exclude=slots,
            limit=5,
        )
        message = self._taken_message(slots, alternatives)
        if cabinet_busy:
            message = self.env._(
                "Cabinet %(cabinet)s is taken by another practitioner at that time. %(rest)s",
                cabinet=slots[0].cabinet_id.display_name,
                rest=message,
            )
        raise SlotTakenError(message, alternatives) from None

    @api.model
    def _taken_message(self, slots, alternatives):
        lines = [
            self.env._("%(slot)s has just been taken by someone else.", slot=slots[:1].display_name),
        ]
        if alternatives:
            lines.append(
                self.env._(
                    "Nearest free times: %(times)s.", times=", ".join(run[0].display_name for run in alternatives)
                )
            )
        else:
            lines.append(self.env._("No free time nearby: offer the waiting list."))
        return " ".join(lines)

    def _transition(self, new_state, **vals):
        self.check_access("write")  # before the state checks: whoever may not write learns nothing
        now = fields.Datetime.now()
        for appointment in self:
            if new_state not in TRANSITIONS[appointment.state]:
                raise UserError(
                    self.env._(
                        "%(name)s is %(state)s and cannot become %(new)s.",
                        name=appointment.display_name,
                        state=self._state_label(appointment.state),
                        new=self._state_label(new_state),
                    )
                )
            old_state = appointment.state
            appointment.write({"state": new_state, STAMP_FIELDS[new_state]: now, **vals})
            appointment._log_event(old_state, new_state, note=vals.get("cancel_reason"))

    def _free_slots(self):
        """Free the slots still ahead and offer them to the waiting list in the same transaction."""
        now = fields.Datetime.now()
        slots = self.slot_ids
        slots.write({"state": "free", "appointment_id": False, "freed_at": now})
        ahead = slots.filtered(lambda s: s.start > now)
        self.env["clinic.waitlist"]._offer_slots(ahead)
        return ahead

    def _log_event(self, state_from, state_to, note=None, old_start=None, old_employee=None):
        """The one hook of every appointment event; a move passes the previous start and practitioner."""
        self.env["clinic.appointment.event"].sudo().create(
            {
                "appointment_id": self.id,
                "state_from": state_from,
                "state_to": state_to,
                "note": note,
                "old_start": old_start,
                "old_employee_id": old_employee.id if old_employee and old_employee != self.employee_id else False,
            }
        )

    def _follow_up_booking(self):
        """What a booking made online tells the clinic, done after the patient's request: the «created» note, the
        practitioner's calendar event and one notice to the open day grids for the whole batch."""
        for author, appointments in self.grouped(lambda appointment: appointment.booked_by_id.partner_id).items():
            appointments._message_log_batch(
                {appointment.id: appointment._creation_message() for appointment in appointments}, author_id=author.id
            )
        self._sync_calendar_event()
        self.env["clinic.day.grid"]._notify_change(self)

    def _sync_calendar_event(self):
        """The appointment shows in the practitioner's Odoo Calendar; patients get no invitation e-mails."""
        Event = (
            self.env["calendar.event"]
            .sudo()
            .with_context(no_mail_to_attendees=True, dont_notify=True, mail_create_nolog=True)
        )
        for appointment in self:
            partner = appointment.employee_id.work_contact_id or appointment.employee_id.user_id.partner_id
            vals = {
                "name": f"{appointment.patient_id.name} ({appointment.name})",
                "start": appointment.start,
                "stop": appointment.stop,
                "user_id": appointment.employee_id.user_id.id or False,
                "partner_ids": [(6, 0, partner.ids)],
                "res_model_id": self.env["ir.model"]._get_id(self._name),
                "res_id": appointment.id,
                "active": appointment.state in ACTIVE_STATES,
                # Others see «Busy» in Odoo Calendar: the patient's name stays with the practitioner.
                "privacy": "private",
            }
            if appointment.calendar_event_id:
                # private events are the practitioner's: the front desk moves them as superuser
                Event.browse(appointment.calendar_event_id.id).write(vals)
            else:
                appointment.calendar_event_id = Event.create(vals)
            if appointment.calendar_pending:
                appointment.calendar_pending = False

    @api.model
    def _cron_sync_calendar(self, batch=500):
        """The follow-up of the appointments booked online (see ``_follow_up_booking``); triggered by each booking,
        it takes every booking waiting, so that a burst of bookings is followed up in a few runs."""
        pending = self.sudo().search([("calendar_pending", "=", True)], order="id", limit=batch)
        pending._follow_up_booking()
        if len(pending) == batch:
            self._trigger_follow_up()

    @api.model
    def _trigger_follow_up(self):
        """Run the follow-up of online bookings (``_cron_sync_calendar``) as soon as a cron worker is free; the cron's
        id comes from the registry's cache (env.ref() would query that it exists on every booking)."""
        cron = self.env["ir.model.data"]._xmlid_to_res_id("clinic_scheduling.ir_cron_clinic_appointment_calendar")
        self.env["ir.cron"].sudo().browse(cron)._trigger()
