import uuid
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, format_datetime

from odoo.addons.clinic_base.tools.access import RECEPTIONIST, require_group

HORIZON_PARAM = "clinic_scheduling.slot_horizon_days"
DEFAULT_HORIZON = 60
HOLD_PARAM = "clinic_scheduling.hold_minutes"
DEFAULT_HOLD = 5


class ClinicSlot(models.Model):
    """A bookable piece of a practitioner's time («талон»), generated from the schedule."""

    _name = "clinic.slot"
    _description = "Slot"
    _order = "start, employee_id"

    employee_id = fields.Many2one("hr.employee", string="Practitioner", required=True, index=True, ondelete="cascade")
    start = fields.Datetime(string="Start", required=True, index=True)
    stop = fields.Datetime(string="End", required=True)
    cabinet_id = fields.Many2one("clinic.cabinet", string="Cabinet")
    state = fields.Selection(
        [("free", "Free"), ("held", "Held"), ("booked", "Booked"), ("blocked", "Blocked")],
        string="Status",
        default="free",
        required=True,
        index=True,
    )
    hold_until = fields.Datetime(string="Held until", help="A hold past this moment no longer protects the slot.")
    hold_token = fields.Char(string="Hold token", copy=False, groups="base.group_system")
    block_reason = fields.Char(string="Block reason")
    appointment_id = fields.Many2one("clinic.appointment", string="Appointment", index=True, ondelete="set null")
    freed_at = fields.Datetime(
        string="Freed at", help="When a cancellation or no-show gave this slot back; the refill is timed from it."
    )
    conflict = fields.Boolean(
        string="Off schedule",
        index=True,
        help="The schedule no longer covers this booked slot: move the appointment.",
    )
    age_group = fields.Selection(related="employee_id.age_group", string="Sees")
    specialty_ids = fields.Many2many(related="employee_id.specialty_ids", string="Specialties")
    start_label = fields.Char(
        string="When", compute="_compute_start_label", help="Weekday, date and time in the clinic's time zone."
    )

    _sql_constraints = [
        ("employee_start_unique", "UNIQUE(employee_id, start)", "A practitioner has one slot per start time."),
        ("stop_after_start", "CHECK(stop > start)", "A slot ends after it starts."),
    ]

    @api.depends("employee_id", "start")
    def _compute_display_name(self):
        for slot in self:
            local = slot._local_start()
            slot.display_name = f"{slot.employee_id.name}, {local.strftime('%d.%m.%Y %H:%M') if local else ''}"

    @api.depends("start")
    def _compute_start_label(self):
        tz = self.env.company._clinic_tz_name()
        for slot in self:
            slot.start_label = (
                format_datetime(self.env, slot.start, tz=tz, dt_format="EEE dd.MM HH:mm") if slot.start else False
            )

    def _local_start(self):
        """Start in the clinic's time zone, for people and print forms."""
        if not self.start:
            return None
        return pytz.utc.localize(self.start).astimezone(self.env.company._clinic_tzinfo())

    def action_block(self, reason):
        """Take slots out of booking (a meeting, a broken device); the front desk only."""
        require_group(self.env, RECEPTIONIST)
        self.check_access("write")
        booked = self.filtered(lambda s: s.state == "booked")
        if booked:
            raise UserError(
                self.env._(
                    "Slots %(slots)s are booked: move the appointments first.",
                    slots=", ".join(booked.mapped("display_name")),
                )
            )
        # The hold token is a secret of the website form: only the booking code writes it, as superuser.
        self.sudo().write({"state": "blocked", "block_reason": reason, "hold_until": False, "hold_token": False})

    def action_unblock(self):
        require_group(self.env, RECEPTIONIST)
        blocked = self.filtered(lambda s: s.state == "blocked")
        blocked.write({"state": "free", "block_reason": False})
        self.env["clinic.waitlist"]._offer_slots(blocked)

    def action_book_from_grid(self):
        """A free cell of the day grid clicked: the booking window, set to this very time."""
        require_group(self.env, RECEPTIONIST)
        self.ensure_one()
        if self.state not in ("free", "held") or self.start <= fields.Datetime.now():
            raise UserError(self.env._("This time is no longer free: refresh the grid and choose another one."))
        return self.env["clinic.booking.wizard"]._open_window(
            {"slot_id": self.id, "employee_id": self.employee_id.id, "week_start": self._local_start().date()},
            title=self.env._("Book an appointment"),
        )

    def action_book_from_window(self):
        """The «Book» button on a free time in the booking window."""
        require_group(self.env, RECEPTIONIST)
        wizard = self.env["clinic.booking.wizard"].browse(self.env.context.get("booking_wizard_id")).exists()
        if not wizard:
            raise UserError(self.env._("Open the booking window again: it has expired."))
        return wizard.book(self)

    @api.private
    def hold(self, minutes=None):
        """Hold free slots for a short time (website form, waiting-list offer); returns the token."""
        minutes = minutes or int(self.env["ir.config_parameter"].sudo().get_param(HOLD_PARAM, DEFAULT_HOLD))
        self._lock()
        now = fields.Datetime.now()
        unavailable = self.filtered(lambda s: not s._is_available(now))
        if unavailable:
            raise UserError(self.env._("This time has just been taken: choose another one."))
        token = uuid.uuid4().hex
        self.sudo().write({"state": "held", "hold_until": now + timedelta(minutes=minutes), "hold_token": token})
        return token

    def _hold_from(self, minutes, hold_minutes=None, token=None):
        """Hold this slot and the ones right after it, enough for a booking of ``minutes``, in one conditional
        UPDATE: all of them or none, only when they follow each other without a gap and each is free (or held
        past its hold, as _is_available decides, or held under ``token``: a holder extends its own hold). Returns
        the token, or None when the run cannot be held. A concurrent hold of one of them makes PostgreSQL refuse
        this one (a serialization failure, retried), so one slot is never held twice."""
        self.ensure_one()
        hold_minutes = hold_minutes or int(self.env["ir.config_parameter"].sudo().get_param(HOLD_PARAM, DEFAULT_HOLD))
        now = fields.Datetime.now()
        token = token or uuid.uuid4().hex
        self.env.flush_all()
        reset = SQL("").join(SQL(", %s = NULL", SQL.identifier(column)) for column in self._hold_reset_columns())
        self.env.cr.execute(
            SQL(
                """
                WITH run AS (
                    SELECT id, start, stop, state, hold_until, hold_token FROM clinic_slot
                     WHERE employee_id = %(employee)s AND start >= %(start)s AND start < %(end)s
                ), ok AS (
                    SELECT min(start) = %(start)s AND max(stop) >= %(end)s
                           AND sum(stop - start) = max(stop) - min(start)
                           AND bool_and(state = 'free' OR (state = 'held'
                                        AND (hold_until < %(now)s OR hold_token = %(token)s))) AS ok
                      FROM run
                )
                UPDATE clinic_slot SET state = 'held', hold_until = %(until)s, hold_token = %(token)s,
                       write_uid = %(uid)s, write_date = %(now)s %(reset)s
                  FROM ok WHERE ok.ok AND clinic_slot.id IN (SELECT id FROM run)
                RETURNING clinic_slot.id
                """,
                employee=self.employee_id.id,
                start=self.start,
                end=self.start + timedelta(minutes=minutes),
                now=now,
                until=now + timedelta(minutes=hold_minutes),
                token=token,
                uid=self.env.uid,
                reset=reset,
            ),
            log_exceptions=False,  # a lost race is retried by Odoo, not a bad query
        )
        held = self.browse(row[0] for row in self.env.cr.fetchall())
        held.invalidate_recordset(["state", "hold_until", "hold_token", "write_uid", "write_date",
                                   *self._hold_reset_columns()])  # fmt: skip
        return token if held else None

    def _hold_reset_columns(self):
        """Columns a new hold empties (what the previous holder left on the slot)."""
        return []

    @api.private
    def release(self, token=None):
        """Let go of a hold (the patient left the form, an offer was declined)."""
        held = self.filtered(lambda s: s.state == "held" and (token is None or s.sudo().hold_token == token))
        held.sudo().write({"state": "free", "hold_until": False, "hold_token": False})
        return held

    def _run_from(self, minutes):
        """This slot and the ones right after it, enough for a booking of ``minutes``."""
        self.ensure_one()
        return self.search(
            [
                ("employee_id", "=", self.employee_id.id),
                ("start", ">=", self.start),
                ("start", "<", self.start + timedelta(minutes=minutes)),
            ],
            order="start",
        )

    def _is_available(self, now, token=None):
        if self.state == "free":
            return True
        if self.state == "held":
            return (self.hold_until and self.hold_until < now) or (token and self.sudo().hold_token == token)
        return False

    def _lock(self):
        """Row locks held until commit: two front desks cannot take one slot."""
        if self:
            self.env.flush_all()
            # A lost race is expected here and reported to the user, not logged as a bad query.
            self.env.cr.execute(
                "SELECT id FROM clinic_slot WHERE id = ANY(%s) FOR UPDATE", [self.ids], log_exceptions=False
            )
            self.invalidate_recordset(["state", "hold_until", "hold_token", "appointment_id"])

    @api.model
    def _horizon(self):
        return int(self.env["ir.config_parameter"].sudo().get_param(HORIZON_PARAM, DEFAULT_HORIZON))

    @api.model
    def _generate(self, employees, date_from=None, date_to=None):
        """Bring the slots of these practitioners in line with their schedules.

        Missing slots are created, free ones no longer in the schedule go,
        booked ones that fall outside it are kept and marked as conflicts
        for the front desk: a schedule change never drops a booking.
        Returns the new slots (the waiting list gets a look at them).
        """
        today = self.env.company._clinic_today()
        date_from = date_from or today
        date_to = date_to or today + timedelta(days=self._horizon())
        created = self.browse()
        for employee in employees.filtered(lambda e: e.is_practitioner and e.resource_calendar_id):
            wanted = employee._clinic_slot_plan(date_from, date_to)
            start_utc, stop_utc = employee._clinic_utc_bounds(date_from, date_to)
            existing = self.search(
                [("employee_id", "=", employee.id), ("start", ">=", start_utc), ("start", "<", stop_utc)]
            )
            by_start = {slot.start: slot for slot in existing}
            gone = existing.filtered(lambda s, plan=wanted: s.start not in plan)
            kept = gone.filtered(lambda s: s.state == "booked")
            staying = existing - gone
            (gone - kept).unlink()
            kept.filtered(lambda s: not s.conflict).write({"conflict": True})
            staying.filtered("conflict").write({"conflict": False})
            for slot in staying.filtered(lambda s: s.state != "booked"):
                stop, cabinet_id = wanted[slot.start]
                if (slot.stop, slot.cabinet_id.id) != (stop, cabinet_id):
                    slot.write({"stop": stop, "cabinet_id": cabinet_id})
            booked = [(slot.start, slot.stop) for slot in kept | staying if slot.state == "booked"]
            new_vals = [
                {"employee_id": employee.id, "start": start, "stop": stop, "cabinet_id": cabinet_id}
                for start, (stop, cabinet_id) in sorted(wanted.items())
                if start not in by_start and not any(b0 < stop and start < b1 for b0, b1 in booked)
            ]
            created |= self.create(new_vals)
        if created:
            self.env["clinic.waitlist"]._offer_slots(created)
        return created

    @api.model
    def _cron_generate(self):
        practitioners = self.env["hr.employee"].search([("is_practitioner", "=", True)])
        self._generate(practitioners)
        self._cron_expire_holds()

    @api.model
    def _cron_expire_holds(self):
        """Holds that ran out free their slots; expired waiting-list offers pass to the next patient."""
        self.env["clinic.waitlist.offer"]._expire_due()
        expired = self.search([("state", "=", "held"), ("hold_until", "<", fields.Datetime.now())])
        expired.release()
        self.env["clinic.waitlist"]._offer_slots(expired)

    @api.private
    @api.model
    def find_free(self, employees=None, date_from=None, date_to=None, duration=None, limit=None, exclude=None):
        """Free starts, as lists of consecutive slots long enough for ``duration`` minutes.

        One query for the period; the grouping into runs is done in Python.
        Returns a list of slot recordsets (each the run for one booking), ordered by start.
        """
        now = fields.Datetime.now()
        domain = [("start", ">=", max(date_from or now, now)), ("state", "in", ("free", "held"))]
        if date_to:
            domain.append(("start", "<", date_to))
        if employees is not None:
            domain.append(("employee_id", "in", employees.ids))
        if exclude:
            domain.append(("id", "not in", exclude.ids))
        slots = self.search(domain, order="employee_id, start")
        runs = []
        by_employee = {}
        for slot in slots:
            if slot._is_available(now):
                by_employee.setdefault(slot.employee_id.id, []).append(slot)
        for employee_slots in by_employee.values():
            for i, first in enumerate(employee_slots):
                run = [first]
                need = duration or first.employee_id.slot_duration
                covered = (first.stop - first.start).total_seconds() / 60
                j = i + 1
                while covered < need and j < len(employee_slots) and employee_slots[j].start == run[-1].stop:
                    run.append(employee_slots[j])
                    covered += (employee_slots[j].stop - employee_slots[j].start).total_seconds() / 60
                    j += 1
                if covered >= need:
                    runs.append(self.browse([s.id for s in run]))
        runs.sort(key=lambda r: (r[0].start, r[0].employee_id.id))
        return runs[:limit] if limit else runs
