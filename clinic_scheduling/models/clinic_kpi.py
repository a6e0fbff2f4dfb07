"""The clinic's measured results (no-shows, confirmations, refilled holes, channels, time to book),
computed from its own records with SQL aggregates."""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from .clinic_appointment import ACTIVE_STATES

ONLINE_SOURCES = ("website", "messenger")
DESK_SOURCES = ("front_desk", "phone")
CONFIRM_AHEAD = timedelta(hours=24)
# SQL templates, filled with the columns named next to them.
MEDIAN = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %s)"
SECONDS_BETWEEN = "EXTRACT(EPOCH FROM %s - %s)"
MINUTES = "COALESCE(SUM(EXTRACT(EPOCH FROM %s - %s)), 0)::float / 60"


def _flag_domain(records, operator, value, subquery, fnames):
    """Domain of a boolean that only SQL can decide: ``subquery`` selects the ids where it is true from the
    columns ``fnames``, flushed first."""
    if operator not in ("=", "!="):
        raise UserError(records.env._("This field can only be searched as set or not set."))
    records.flush_model(fnames)
    positive = (operator == "=") == bool(value)
    return [("id", "in" if positive else "not in", SQL("(%s)", subquery))]


class ClinicAppointment(models.Model):
    _inherit = "clinic.appointment"

    cancelled_before_start = fields.Boolean(
        string="Cancelled in advance",
        compute="_compute_kpi_flags",
        search="_search_cancelled_before_start",
        help="Cancelled before its start: the time could still go to another patient. Such an appointment "
        "counts neither as a visit nor as a no-show.",
    )
    confirmed_day_ahead = fields.Boolean(
        string="Confirmed a day ahead",
        compute="_compute_kpi_flags",
        search="_search_confirmed_day_ahead",
        help="Confirmed at least 24 hours before its start.",
    )

    @api.depends("state", "start", "cancelled_at", "confirmed_at")
    def _compute_kpi_flags(self):
        for appointment in self:
            start = appointment.start
            cancelled_at, confirmed_at = appointment.cancelled_at, appointment.confirmed_at
            appointment.cancelled_before_start = bool(
                appointment.state == "cancelled" and start and cancelled_at and cancelled_at < start
            )
            appointment.confirmed_day_ahead = bool(start and confirmed_at and confirmed_at <= start - CONFIRM_AHEAD)

    def _search_cancelled_before_start(self, operator, value):
        return _flag_domain(
            self,
            operator,
            value,
            SQL("SELECT id FROM clinic_appointment WHERE state = 'cancelled' AND cancelled_at < start"),
            ["state", "cancelled_at", "start"],
        )

    def _search_confirmed_day_ahead(self, operator, value):
        return _flag_domain(
            self,
            operator,
            value,
            SQL("SELECT id FROM clinic_appointment WHERE confirmed_at <= start - %s", CONFIRM_AHEAD),
            ["confirmed_at", "start"],
        )


class ClinicWaitlistOffer(models.Model):
    _inherit = "clinic.waitlist.offer"

    first_for_freed_time = fields.Boolean(
        string="First offer",
        compute="_compute_first_for_freed_time",
        search="_search_first_for_freed_time",
        help="The first offer made for time freed by one cancellation or no-show (same practitioner, same "
        "moment of freeing); offers passed on after a refusal are not first.",
    )

    @api.depends("employee_id", "freed_at", "offered_at")
    def _compute_first_for_freed_time(self):
        stored = self.filtered("id")
        firsts = stored.search([("id", "in", stored.ids), ("first_for_freed_time", "=", True)])
        for offer in self:
            offer.first_for_freed_time = offer in firsts

    def _search_first_for_freed_time(self, operator, value):
        return _flag_domain(
            self,
            operator,
            value,
            SQL(
                "SELECT DISTINCT ON (employee_id, freed_at) id FROM clinic_waitlist_offer "
                "WHERE freed_at IS NOT NULL ORDER BY employee_id, freed_at, offered_at, id"
            ),
            ["employee_id", "freed_at", "offered_at"],
        )


class ClinicKpi(models.AbstractModel):
    _name = "clinic.kpi"
    _description = "Clinic KPIs"

    @api.private
    @api.model
    def compute(self, date_from, date_to, employee_ids=None, specialty_ids=None, sources=None):
        """The clinic's figures for the days ``date_from`` to ``date_to`` (both included, clinic time zone).

        Filters: ``employee_ids`` (practitioners), ``specialty_ids`` (practitioners having any of these
        specialties) and ``sources`` (booking channels, keys of ``clinic.appointment.source``); empty means
        all. The period P runs from local midnight of ``date_from`` to local midnight after ``date_to``.

        Figures, each computed by SQL aggregates over the records of its domain:

        - ``no_show_rate``: no-shows / appointments held. Appointments held: start in P and already passed,
          not cancelled before their start (an appointment cancelled at or after its start stays in).
        - ``confirmed_ahead_rate``: appointments held (as above) confirmed at least 24 h before their start
          / appointments held.
        - ``freed_count``: appointments whose time went back to the schedule in P: cancelled in P before their
          start, or marked no-show in P. Moves are not counted (the appointment keeps its patient).
        - ``refilled_count``: appointments booked (created) in P on time freed by a cancellation, no-show or
          move (``refill_seconds`` > 0), whatever the period of the freeing.
        - ``refill_time``: median ``refill_seconds`` of those, in seconds.
        - ``offer_time``: median seconds from freeing to the first waiting-list offer, over first offers
          made in P (see ``first_for_freed_time``). Offers have no channel: ``sources`` does not apply.
        - ``utilization``: minutes of the slots generated for P (free, held, booked or blocked) covered by
          active appointments (booked, confirmed, arrived, in progress, done) starting in P / minutes of those
          slots. Time booked outside the schedule is not schedule time, so the figure never exceeds 100 %;
          ``sources`` restricts the appointments only.
        - ``online_share``: bookings made in P through the website or a messenger / all bookings made in P;
          a booking is an appointment created in P, imports excluded. ``by_source`` counts them per channel.
        - ``booking_time_desk`` / ``booking_time_online``: median ``booking_seconds`` of bookings made in P
          at the front desk or by phone / on the website or in a messenger, where the start of booking was
          recorded.

        Returns ``{figure: {...}}``; every figure has ``kind`` (``ratio``, ``count`` or ``seconds``),
        ``value`` (None when there is nothing to measure), and the records it counts as ``model``,
        ``domain`` and ``count``. A ratio also has ``numerator`` and ``denominator`` (records, or minutes
        for the utilization) and ``base``: ``model``, ``domain``, ``count`` of the records of its denominator.
        Domains hold plain values only, ready for a window action.
        """
        date_from, date_to = fields.Date.to_date(date_from), fields.Date.to_date(date_to)
        start, stop = self.env["hr.employee"]._clinic_utc_bounds(date_from, date_to + timedelta(days=1))
        reached = min(stop, fields.Datetime.now())
        staff = []
        if employee_ids:
            staff.append(("employee_id", "in", list(employee_ids)))
        if specialty_ids:
            staff.append(("employee_id.specialty_ids", "in", list(specialty_ids)))
        appointments = staff + ([("source", "in", list(sources))] if sources else [])

        held = [*appointments, *self._period("start", start, reached), ("cancelled_before_start", "=", False)]
        freed = expression.AND(
            [
                appointments,
                expression.OR(
                    [
                        [("cancelled_before_start", "=", True), *self._period("cancelled_at", start, stop)],
                        [("state", "=", "no_show"), *self._period("no_show_at", start, stop)],
                    ]
                ),
            ]
        )
        refilled = [*appointments, ("refill_seconds", ">", 0), *self._period("create_date", start, stop)]
        offers = [*staff, ("first_for_freed_time", "=", True), *self._period("offered_at", start, stop)]
        active = [*appointments, ("state", "in", ACTIVE_STATES), *self._period("start", start, stop)]
        slots = [*staff, *self._period("start", start, stop)]
        bookings = [*appointments, ("source", "!=", "import"), *self._period("create_date", start, stop)]
        timed = [*bookings, ("booking_started_at", "!=", False)]

        held_records = self._records("clinic.appointment", held)
        bookings_records = self._records("clinic.appointment", bookings)
        return {
            "no_show_rate": self._ratio(
                self._records("clinic.appointment", [*held, ("state", "=", "no_show")]), held_records
            ),
            "confirmed_ahead_rate": self._ratio(
                self._records("clinic.appointment", [*held, ("confirmed_day_ahead", "=", True)]), held_records
            ),
            "freed_count": self._count("clinic.appointment", freed),
            "refilled_count": self._count("clinic.appointment", refilled),
            "refill_time": self._median("clinic.appointment", refilled, "%s", "refill_seconds"),
            "offer_time": self._median("clinic.waitlist.offer", offers, SECONDS_BETWEEN, "offered_at", "freed_at"),
            "utilization": self._ratio(
                self._records("clinic.appointment", active),
                self._records("clinic.slot", slots),
                numerator=self._covered_minutes(slots, active),
                denominator=self._aggregate("clinic.slot", slots, MINUTES, "stop", "start"),
            ),
            "online_share": {
                **self._ratio(
                    self._records("clinic.appointment", [*bookings, ("source", "in", ONLINE_SOURCES)]),
                    bookings_records,
                ),
                "by_source": dict(self.env["clinic.appointment"]._read_group(bookings, ["source"], ["__count"])),
            },
            "booking_time_desk": self._median(
                "clinic.appointment", [*timed, ("source", "in", DESK_SOURCES)], "%s", "booking_seconds"
            ),
            "booking_time_online": self._median(
                "clinic.appointment", [*timed, ("source", "in", ONLINE_SOURCES)], "%s", "booking_seconds"
            ),
        }

    @api.model
    def _period(self, fname, start, stop):
        return [(fname, ">=", fields.Datetime.to_string(start)), (fname, "<", fields.Datetime.to_string(stop))]

    @api.model
    def _records(self, model, domain):
        return {"model": model, "domain": domain, "count": self.env[model].search_count(domain)}

    @api.model
    def _aggregate(self, model, domain, template, *fnames):
        """One SQL aggregate over the records of ``domain`` (record rules apply); ``template`` gets the
        columns ``fnames`` of the main table for its placeholders."""
        query = self.env[model]._search(domain)
        columns = [SQL.identifier(query.table, fname) for fname in fnames]
        self.env.cr.execute(query.select(SQL(template, *columns)))
        return self.env.cr.fetchone()[0]

    @api.model
    def _covered_minutes(self, slot_domain, appointment_domain):
        """Minutes of the slots of ``slot_domain`` that appointments of ``appointment_domain`` cover, each slot
        counted at most once and at most in full (record rules apply to both)."""
        slots = self.env["clinic.slot"]._search(slot_domain)
        appointments = self.env["clinic.appointment"]._search(appointment_domain)
        self.env.cr.execute(
            SQL(
                """
                SELECT COALESCE(SUM(LEAST(covered, EXTRACT(EPOCH FROM slot_stop - slot_start))), 0)::float / 60
                  FROM (
                        SELECT s.start AS slot_start, s.stop AS slot_stop,
                               SUM(EXTRACT(EPOCH FROM LEAST(a.stop, s.stop) - GREATEST(a.start, s.start))) AS covered
                          FROM clinic_slot s
                          JOIN clinic_appointment a
                            ON a.employee_id = s.employee_id AND a.start < s.stop AND a.stop > s.start
                         WHERE s.id IN %s AND a.id IN %s
                      GROUP BY s.id
                       ) AS slot_cover
                """,
                slots.subselect(),
                appointments.subselect(),
            )
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _count(self, model, domain):
        records = self._records(model, domain)
        return {**records, "kind": "count", "value": records["count"]}

    @api.model
    def _median(self, model, domain, seconds, *fnames):
        """Median over the records of a number of seconds: the template ``seconds`` over the columns ``fnames``."""
        median = self._aggregate(model, domain, MEDIAN % seconds, *fnames)
        return {**self._records(model, domain), "kind": "seconds", "value": median}

    @api.model
    def _ratio(self, records, base, numerator=None, denominator=None):
        """``numerator`` / ``denominator``: by default the counts of ``records`` and of ``base``."""
        numerator = records["count"] if numerator is None else numerator
        denominator = base["count"] if denominator is None else denominator
        return {
            **records,
            "kind": "ratio",
            "value": numerator / denominator if denominator else None,
            "numerator": numerator,
            "denominator": denominator,
            "base": base,
        }
