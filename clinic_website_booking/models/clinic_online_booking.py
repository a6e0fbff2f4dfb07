"""What online booking offers, shared by the website and the exchange API: the published choices, the free times
and their alternatives, holds, and the visitors' rate limits. The booking request itself (the form cleaned, the
patient, consents, the booking) is clinic.online.booking.request."""

from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import api, fields, models, tools
from odoo.exceptions import UserError

# HTTP status of every error code the website and the API can answer (documented in static/api/openapi.json).
ERROR_STATUS = {
    "invalid_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "missing_field": 422,
    "invalid_field": 422,
    "invalid_phone": 422,
    "invalid_email": 422,
    "invalid_birth_date": 422,
    "missing_consent": 422,
    "missing_representative": 422,
    "age_mismatch": 422,
    "unknown_practitioner": 422,
    "unknown_service": 422,
    "slot_in_past": 422,
    "slot_unavailable": 422,
    "captcha_failed": 422,
    "idempotency_key_reused": 422,
    "slot_taken": 409,
    "booking_limit_reached": 409,
    "invalid_state": 409,
    "rate_limited": 429,
}
PARAM_MAX_ACTIVE = "clinic_website_booking.max_active_per_phone"
DEFAULT_MAX_ACTIVE = 3
PARAM_PHONE_RATE = "clinic_website_booking.phone_attempts_per_hour"
DEFAULT_PHONE_RATE = 10
PARAM_IP_RATE = "clinic_website_booking.ip_actions_per_minute"
DEFAULT_IP_RATE = 30
PARAM_API_IP_RATE = "clinic_website_booking.api_ip_requests_per_minute"
DEFAULT_API_IP_RATE = 600
PARAM_IP_HOLDS = "clinic_website_booking.holds_per_address"
DEFAULT_IP_HOLDS = 5
PARAM_PHONE_HOLDS = "clinic_website_booking.holds_per_phone"
DEFAULT_PHONE_HOLDS = 2
HOLD_WINDOW = 10 * 60
# What a visitor's address is counted for: (limit parameter, default limit, window in seconds). «hold» caps the
# slots one address may keep held at a time (a hold lasts minutes, the window outlasts it).
VISITOR_LIMITS = {
    "site": (PARAM_IP_RATE, DEFAULT_IP_RATE, 60),
    "api": (PARAM_API_IP_RATE, DEFAULT_API_IP_RATE, 60),
    "hold": (PARAM_IP_HOLDS, DEFAULT_IP_HOLDS, HOLD_WINDOW),
}
# Local hours [from, to) of the parts of the day the website filters by.
DAYPARTS = {"morning": (0, 12), "day": (12, 17), "evening": (17, 24)}
ALTERNATIVES = 5
# How much of a refused typed value an error message quotes back.
ECHO_CHARS = 40
# How far ahead the website and the API look for free times, in days.
MAX_AHEAD_DAYS = 366
ACTIVE_ONLINE_STATES = ("booked", "confirmed")


def echo(value):
    """A typed value quoted in an error message: cut short, so that a huge input is never sent back whole."""
    text = str(value)
    return text if len(text) <= ECHO_CHARS else f"{text[:ECHO_CHARS]}…"


class OnlineBookingError(UserError):
    """A refusal the website shows next to the field and the API returns as ``{"error": {"code", "message"}}``."""

    def __init__(self, code, message, field=None, alternatives=None, retry_after=None):
        super().__init__(message)
        self.code = code
        self.field = field
        self.alternatives = alternatives or []
        self.retry_after = retry_after

    @property
    def status(self):
        return ERROR_STATUS[self.code]


class ClinicOnlineBooking(models.AbstractModel):
    """What is offered online and held; the website controller and the API only translate to it."""

    _name = "clinic.online.booking"
    _description = "Online booking"

    # ------------------------------------------------------------------ what is offered

    @api.model
    def _param(self, name, default):
        return int(self.env["ir.config_parameter"].sudo().get_param(name, default))

    @api.private
    @api.model
    def practitioners(self, age_group=None, specialty=None, service=None):
        """Published practitioners, optionally for adults or children, of a specialty, performing a service."""
        domain = [("is_practitioner", "=", True), ("clinic_published", "=", True)]
        if age_group in ("adult", "child"):
            domain.append(("age_group", "in", (age_group, "both")))
        if specialty:
            domain.append(("specialty_ids", "in", specialty.ids))
        if service:
            domain.append(("specialty_ids", "in", service.specialty_ids.ids))
            if service.age_group != "both":
                domain.append(("age_group", "in", (service.age_group, "both")))
        return self.env["hr.employee"].sudo().search(domain, order="name")

    @api.private
    @api.model
    def services(self, age_group=None, specialty=None, practitioner=None):
        """Published services a published practitioner performs (a shared specialty, a compatible age group)."""
        domain = [("is_medical_service", "=", True), ("clinic_published", "=", True), ("specialty_ids", "!=", False)]
        if age_group in ("adult", "child"):
            domain.append(("age_group", "in", (age_group, "both")))
        if specialty:
            domain.append(("specialty_ids", "in", specialty.ids))
        if practitioner:
            domain.append(("specialty_ids", "in", practitioner.specialty_ids.ids))
            if practitioner.age_group != "both":
                domain.append(("age_group", "in", (practitioner.age_group, "both")))
        return self.env["product.product"].sudo().search(domain, order="name")

    @api.model
    def _published_choice(self, age_group, specialty_id=0, service_id=0):
        """What a website visitor chose, checked against what is published (the website asks it on every step):
        ``(specialty id or None, service id or None, ids of the practitioners by name)``, worked out from the
        offer of ``age_group`` (_published_offer) without a query.

        The same rules as specialties(), services() and practitioners() (a test keeps them in step): the
        specialty is one of a published practitioner's for ``age_group``, the service is one of services(age_group,
        specialty), the practitioners are practitioners(age_group, specialty, service).
        """
        practitioners, services = self._published_offer(age_group)
        specialty = specialty_id if any(specialty_id in specs for _id, _age, specs in practitioners) else None
        service = service_id if service_id in services else None
        if service:
            service_age, service_specs = services[service]
            if not service_specs or (specialty and specialty not in service_specs):
                service = None
        chosen = []
        for employee_id, age, specs in practitioners:
            if specialty and specialty not in specs:
                continue
            if service and (not specs & service_specs or (service_age != "both" and age not in (service_age, "both"))):
                continue
            chosen.append(employee_id)
        return specialty, service, tuple(chosen)

    @tools.ormcache("age_group")
    def _published_offer(self, age_group):
        """What the website offers for ``age_group``, from the registry's cache shared by the requests of each
        worker (cleared when a practitioner, a service or a specialty changes: clinic.cache.source.mixin), so
        that no step of a booking queries it and no visitor's input is a key of the cache: the published
        practitioners ``((id, age group, active specialty ids), ...)`` by name, and the published services
        ``{id: (age group, active specialty ids)}``."""
        published = [("clinic_published", "=", True), ("age_group", "in", (age_group, "both"))]
        fields_read = ["age_group", "specialty_ids"]  # a many2many read as the ORM reads it: archived ones left out
        employees = (
            self.env["hr.employee"]
            .sudo()
            .search_fetch([("is_practitioner", "=", True), *published], fields_read, order="name, id")
        )
        services = (
            self.env["product.product"]
            .sudo()
            .search_fetch([("is_medical_service", "=", True), *published], fields_read)
        )
        return (
            tuple((employee.id, employee.age_group, frozenset(employee.specialty_ids.ids)) for employee in employees),
            {service.id: (service.age_group, frozenset(service.specialty_ids.ids)) for service in services},
        )

    @api.private
    @api.model
    def specialties(self, age_group=None):
        """Specialties of the published practitioners."""
        return self.practitioners(age_group).specialty_ids.sorted("name")

    @api.private
    @api.model
    def clinic_tz(self):
        """The time zone the website and the API speak in: the clinic's own."""
        return self.env.company._clinic_tz_name()

    @api.private
    @api.model
    def duration(self, practitioner, service=None):
        return max(practitioner.slot_duration, service.duration_minutes if service else 0)

    @api.private
    @api.model
    def search_runs(self, practitioners, service=None, date_from=None, date_to=None, hours=None):
        """Free starts of ``practitioners`` long enough for ``service``, as runs of slots ordered by start.

        A service that fits in one slot (the usual case) can start at every bookable slot: one query finds
        them. A longer one needs consecutive free slots, which clinic.slot.find_free assembles.
        ``hours`` ``(from, to)`` keeps the starts within those local hours (floats, 9.5 is 09:30; see DAYPARTS).
        """
        if not practitioners:
            return []
        Slot = self.env["clinic.slot"].sudo()
        duration = service.duration_minutes if service else 0
        if duration <= min(practitioners.mapped("slot_duration")):
            # One query for the slots and what the pages show of them.
            slots = Slot.search_fetch(
                self._bookable_domain(practitioners, date_from, date_to),
                ["employee_id", "start", "stop", "state", "hold_until", "public_ref"],
                order="start, id",
            )
            runs = sorted(slots, key=lambda slot: (slot.start, slot.employee_id.id))  # as find_free orders them
        else:
            runs = Slot.find_free(employees=practitioners, date_from=date_from, date_to=date_to, duration=duration)
        if hours:
            low, high = hours
            runs = [run for run, start in self.localized(runs) if low <= start.hour + start.minute / 60 < high]
        return runs

    @api.private
    @api.model
    def free_counts(self, practitioners, date_from, date_to, tz, hours=None):
        """Bookable slots of ``practitioners`` per day in the time zone ``tz`` (name) between ``date_from`` and
        ``date_to`` (naive UTC), for the website's strip of days; for a service longer than one slot a day
        may offer fewer starts than counted."""
        Slot = self.env["clinic.slot"].sudo().with_context(tz=tz)
        counts = defaultdict(int)
        domain = self._bookable_domain(practitioners, date_from, date_to)
        for hour, count in Slot._read_group(domain, ["start:hour"], ["__count"]):
            if not hours or hours[0] <= hour.hour < hours[1]:
                counts[hour.date()] += count
        return counts

    @api.model
    def _bookable_domain(self, practitioners, date_from=None, date_to=None):
        """Slots ahead that can be booked now, as clinic.slot._is_available decides: free, or held past its hold
        (a test keeps the two in step)."""
        now = fields.Datetime.now()
        domain = [("employee_id", "in", practitioners.ids), ("start", ">=", max(date_from or now, now))]
        if date_to:
            domain.append(("start", "<", date_to))
        return [*domain, "|", ("state", "=", "free"), "&", ("state", "=", "held"), ("hold_until", "<", now)]

    @api.private
    @api.model
    def local_start(self, slots):
        """Start of the first slot in the practitioner's time zone (aware datetime)."""
        return self.localized([slots])[0][1]

    @api.private
    @api.model
    def localized(self, runs):
        """``(run, its start in the clinic's time zone)`` for each run."""
        tz = self.env.company._clinic_tzinfo()
        return [(run, pytz.utc.localize(run[0].start).astimezone(tz)) for run in runs]

    @api.private
    @api.model
    def slot_at(self, practitioner, start):
        """The slot of a published ``practitioner`` starting at ``start`` (naive UTC) for a booking by time."""
        if not (practitioner.is_practitioner and practitioner.clinic_published):
            raise OnlineBookingError(
                "unknown_practitioner", self.env._("There is no practitioner taking online bookings with this id."),
                "practitioner_id",
            )  # fmt: skip
        if start <= fields.Datetime.now():
            raise OnlineBookingError(
                "slot_in_past", self.env._("%(start)s is in the past: choose a time ahead.", start=start), "start"
            )
        slot = self.env["clinic.slot"].sudo().search([("employee_id", "=", practitioner.id), ("start", "=", start)])
        if not slot:
            raise OnlineBookingError(
                "slot_unavailable",
                self.env._("%(name)s has no slot starting at %(start)s: take a start from the free slots.",
                           name=practitioner.name, start=start),
                "start",
            )  # fmt: skip
        return slot

    @api.private
    @api.model
    def alternatives(self, slot, service=None, limit=ALTERNATIVES):
        """The free starts nearest to ``slot``: its practitioner first, then colleagues of the same specialty."""
        practitioner = slot.employee_id
        colleagues = self.practitioners(specialty=practitioner.specialty_ids, service=service) - practitioner
        runs = []
        for employees in (practitioner, colleagues):
            runs += self.search_runs(
                employees, service, date_from=slot.start - timedelta(days=1), date_to=slot.start + timedelta(days=14)
            )
            runs = [run for run in runs if run[0] != slot]
            if len(runs) >= limit:
                break
        runs.sort(key=lambda run: (run[0].employee_id != practitioner, abs(run[0].start - slot.start)))
        return runs[:limit]

    # ------------------------------------------------------------------ holds

    @api.private
    @api.model
    def check_offer(self, slot, service=None):
        """The slot belongs to a published practitioner, lies ahead and the service is one they perform.

        One query answers all three (the booking steps ask it every time); the records are read only to word a
        refusal."""
        slot = slot.sudo()
        self.env.cr.execute(
            """
            SELECT e.is_practitioner AND e.clinic_published, s.start > %(now)s,
                   %(service)s IS NULL OR EXISTS (
                       SELECT 1 FROM product_product p JOIN product_template t ON t.id = p.product_tmpl_id
                        WHERE p.id = %(service)s AND p.active AND t.is_medical_service AND t.clinic_published
                          AND (e.age_group = 'both' OR t.age_group IN (e.age_group, 'both'))
                          AND EXISTS (SELECT 1 FROM clinic_nsi_specialty_product_template_rel r
                                        JOIN clinic_nsi_specialty_hr_employee_rel er
                                          ON er.clinic_nsi_specialty_id = r.clinic_nsi_specialty_id
                                        JOIN clinic_nsi_specialty sp ON sp.id = r.clinic_nsi_specialty_id AND sp.active
                                       WHERE r.product_template_id = t.id AND er.hr_employee_id = e.id))
              FROM clinic_slot s JOIN hr_employee e ON e.id = s.employee_id
             WHERE s.id = %(slot)s
            """,
            {"slot": slot.id or None, "service": service.id or None if service else None,
             "now": fields.Datetime.now()},
        )  # fmt: skip
        row = self.env.cr.fetchone() if len(slot) == 1 else None
        if not row:
            raise OnlineBookingError("slot_unavailable", self.env._("This time is no longer in the schedule."), "slot")
        published, ahead, performed = row
        if published and ahead and performed:
            return slot
        practitioner = slot.employee_id
        if not published:
            raise OnlineBookingError(
                "slot_unavailable",
                # Unpublished staff stay unnamed and unnumbered.
                self.env._("This time is not offered online: choose another one."),
                "slot",
            )
        if not ahead:
            raise OnlineBookingError(
                "slot_in_past",
                self.env._("%(slot)s has already begun: choose a later time.", slot=slot.display_name),
                "start",
            )
        raise OnlineBookingError(
            "unknown_service",
            self.env._("Service «%(service)s» is not booked online with %(name)s.",
                       service=service.name, name=practitioner.name),
            "service_id",
        )  # fmt: skip

    @api.private
    @api.model
    def check_available(self, slot, held, service=None):
        """The slot is still offered and either in the visitor's ``held`` run (see held_run) or free to take;
        otherwise the refusal names the nearest free times."""
        slot = self.check_offer(slot, service)
        if not (held & slot) and not slot._is_available(fields.Datetime.now()):
            raise self._taken(slot, service)
        return slot

    @api.private
    @api.model
    def hold(self, slot, service=None):
        """Hold the slots a booking from ``slot`` needs while the patient fills the form; returns the token."""
        slot = self.check_offer(slot, service)
        token = slot.sudo()._hold_from(self.duration(slot.employee_id, service))
        if not token:
            raise self._taken(slot, service)
        return token

    @api.private
    @api.model
    def held_run(self, token):
        """The slots still held under ``token`` (empty once the hold was used, released or taken over)."""
        if not token:
            return self.env["clinic.slot"]
        return (
            self.env["clinic.slot"]
            .sudo()
            .search_fetch(
                [("hold_token", "=", token), ("state", "=", "held")],
                ["employee_id", "start", "stop", "state", "hold_until", "hold_phone"],
                order="start, id",
            )
        )

    @api.private
    @api.model
    def release(self, token):
        return self.held_run(token).release(token)

    @api.model
    def _taken(self, slot, service):
        return OnlineBookingError(
            "slot_taken",
            self.env._("%(slot)s has just been taken by someone else: choose one of the nearest free times.",
                       slot=slot.display_name),
            "slot",
            alternatives=self.alternatives(slot, service),
        )  # fmt: skip

    # ------------------------------------------------------------------ limits

    @api.model
    def _check_visitor(self, ip, kind="site"):
        """Count one action of a visitor's address of ``kind`` (see VISITOR_LIMITS); refuse over its limit."""
        param, default, window = VISITOR_LIMITS[kind]
        self._check_rate(f"{kind}:{ip}", self._param(param, default), window)

    @api.model
    def _check_rate(self, bucket, limit, window):
        wait = self.env["clinic.rate.limit"]._hit(bucket, limit, window)
        if wait:
            raise OnlineBookingError(
                "rate_limited",
                self.env._("Too many requests: try again in %(seconds)s seconds.", seconds=wait),
                retry_after=wait,
            )
