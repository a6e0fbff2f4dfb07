"""Exchange API for the clinic's own outside site and aggregators: ``/api/booking/v1``.

JSON over HTTP, a key per consumer (``Authorization: Bearer <key>`` or ``X-Api-Key``), rate limits per
key and per address, times in ISO 8601 with the clinic's offset, errors as
``{"error": {"code", "message", "field"}}``. The contract is static/api/openapi.json, served below.
"""

import functools
import json
import re
from datetime import datetime, time, timedelta

import pytz

from odoo import fields, http
from odoo.http import request
from odoo.tools import file_open

from ..models.clinic_identity_code import VALID_MINUTES
from ..models.clinic_online_booking import MAX_AHEAD_DAYS, OnlineBookingError, echo
from .website import MAX_ID

PREFIX = "/api/booking/v1"
VERSION = "1.0.0"
MAX_DAYS = 31
DEFAULT_DAYS = 7
MAX_BODY = 64 * 1024
MAX_REASON = 500
# How long before a booking request its visitor may have started looking (booking_started_at).
MAX_BOOKING_TIME = timedelta(days=30)
REF_NUMBER = re.compile(r"[0-9]{1,10}")  # ASCII digits, no longer than PostgreSQL's largest id
ID_PREFIXES = {
    "hr.employee": "D",
    "product.product": "S",
    "clinic.nsi.specialty": "SP",
}
STATUS = {
    "booked": "booked",
    "confirmed": "confirmed",
    "arrived": "arrived",
    "in_progress": "in_progress",
    "done": "completed",
    "no_show": "no_show",
}


def api_route(path, methods=("GET",), public=False, books=False):
    """An API endpoint: address rate limit, then (unless ``public``) the key and its own rate limit; every
    OnlineBookingError becomes its JSON error answer. ``books``: the consumer must be allowed to book."""

    def decorate(func):
        @http.route(
            f"{PREFIX}{path}",
            type="http",
            auth="public",
            methods=list(methods),
            csrf=False,
            save_session=False,
            sitemap=False,
        )
        @functools.wraps(func)
        def endpoint(self, **kw):
            booking = request.env["clinic.online.booking"]
            try:
                booking._check_visitor(request.httprequest.remote_addr, "api")
                if public:
                    return func(self, **kw)
                consumer = self._consumer()
                booking._check_rate(f"key:{consumer.id}", consumer.rate_limit, 60)
                if books and not consumer.can_book:
                    raise OnlineBookingError(
                        "forbidden", request.env._("This key may read the schedule but not book or cancel.")
                    )
                return func(self, consumer.with_company(consumer.company_id), **kw)
            except OnlineBookingError as error:
                return error_response(error)

        return endpoint

    return decorate


def json_response(payload, status=200):
    return request.make_json_response(payload, status=status)


def error_response(error):
    body = {"code": error.code, "message": str(error)}
    if error.field:
        body["field"] = error.field
    if error.alternatives:
        body["alternatives"] = slots_payload(error.alternatives)
    headers = [("Retry-After", str(error.retry_after))] if error.retry_after else None
    return request.make_json_response({"error": body}, headers=headers, status=error.status)


def ref(record):
    """Public id of a record: «D-17» for a practitioner, «S-204» for a service..."""
    return f"{ID_PREFIXES[record._name]}-{record.id}" if record else None


def parse_ref(value, model, field):
    """The record named by a public id («D-17» or 17), read with sudo; empty when not given."""
    if value in (None, ""):
        return request.env[model].sudo()
    text = str(value)
    prefix = f"{ID_PREFIXES[model]}-"
    number = text[len(prefix) :] if text.upper().startswith(prefix) else text
    if not REF_NUMBER.fullmatch(number):  # not str.isdigit(): «²» is a digit to it, and int() refuses it
        raise OnlineBookingError(
            "invalid_field",
            request.env._("%(field)s «%(value)s» is not an id like %(example)s.", field=field, value=echo(value),
                          example=f"{prefix}17"),
            field,
        )  # fmt: skip
    if int(number) > MAX_ID:
        return request.env[model].sudo()
    return request.env[model].sudo().browse(int(number)).exists()


def local_iso(moment, tz):
    return pytz.utc.localize(moment.replace(microsecond=0)).astimezone(tz).isoformat()


def slots_payload(runs, service=None):
    """Free starts as the API shows them, with their local times."""
    payload = []
    for run, start in request.env["clinic.online.booking"].localized(runs):
        length = run[-1].stop - run[0].start
        payload.append(
            {
                "id": run[0].public_ref,
                "practitioner_id": ref(run.employee_id),
                "start": start.isoformat(),
                "end": (start + length).isoformat(),
                "duration_min": int(length.total_seconds() // 60),
                "service_id": ref(service),
            }
        )
    return payload


def appointment_payload(appointment):
    tz = appointment.company_id._clinic_tzinfo()
    status = STATUS.get(appointment.state) or f"cancelled_by_{appointment.cancelled_by or 'clinic'}"
    return {
        "id": appointment.online_ref,
        "number": appointment.name,
        "status": status,
        "practitioner_id": ref(appointment.employee_id),
        "service_ids": [ref(service) for service in appointment.service_ids],
        "start": local_iso(appointment.start, tz),
        "end": local_iso(appointment.stop, tz),
        "created_at": local_iso(appointment.create_date, tz),
    }


class ClinicBookingApi(http.Controller):
    # ------------------------------------------------------------------ public

    @api_route("/openapi.json", public=True)
    def openapi(self, **kw):
        """The OpenAPI 3 description of this API, with this server's address."""
        with file_open("clinic_website_booking/static/api/openapi.json") as spec_file:
            spec = json.load(spec_file)
        spec["servers"] = [{"url": f"{request.httprequest.host_url.rstrip('/')}{PREFIX}"}]
        return json_response(spec)

    @api_route("/healthcheck", public=True)
    def healthcheck(self, **kw):
        return json_response({"status": "ok", "version": VERSION})

    @api_route("/<path:unknown>", methods=("GET", "POST", "PUT", "PATCH", "DELETE"), public=True)
    def unknown(self, unknown, **kw):
        raise OnlineBookingError(
            "not_found", request.env._("There is no %(path)s in this API: see openapi.json.", path=echo(unknown))
        )

    # ------------------------------------------------------------------ catalogue

    @api_route("/metadata")
    def metadata(self, consumer, **kw):
        company = consumer.company_id
        return json_response(
            {
                "version": VERSION,
                "clinic": company.name,
                "time_zone": request.env["clinic.online.booking"].clinic_tz(),
                "currency": company.currency_id.name,
                "age_groups": ["adult", "child"],
                "adult_age": 18,
            }
        )

    @api_route("/specialties")
    def specialties(self, consumer, age_group=None, **kw):
        booking = request.env["clinic.online.booking"]
        return json_response(
            {
                "specialties": [
                    {"id": ref(specialty), "code": specialty.code, "name": specialty.name}
                    for specialty in booking.specialties(self._age_group(age_group))
                ]
            }
        )

    @api_route("/practitioners")
    def practitioners(self, consumer, specialty_id=None, service_id=None, age_group=None, **kw):
        booking = request.env["clinic.online.booking"]
        practitioners = booking.practitioners(
            self._age_group(age_group),
            parse_ref(specialty_id, "clinic.nsi.specialty", "specialty_id"),
            self._service(service_id),
        )
        return json_response({"practitioners": [self._practitioner(p) for p in practitioners]})

    @api_route("/practitioners/<string:practitioner_id>")
    def practitioner(self, consumer, practitioner_id, **kw):
        return json_response(self._practitioner(self._published_practitioner(practitioner_id)))

    @api_route("/services")
    def services(self, consumer, specialty_id=None, practitioner_id=None, age_group=None, **kw):
        booking = request.env["clinic.online.booking"]
        practitioner = self._published_practitioner(practitioner_id) if practitioner_id else None
        services = booking.services(
            self._age_group(age_group), parse_ref(specialty_id, "clinic.nsi.specialty", "specialty_id"), practitioner
        )
        return json_response({"services": [self._service_payload(s) for s in services]})

    @api_route("/slots")
    def slots(self, consumer, practitioner_id=None, specialty_id=None, service_id=None, date_from=None,
              date_to=None, time_from=None, time_to=None, age_group=None, **kw):  # fmt: skip
        """Bookable starts: free now, long enough for the service, within the dates and hours asked."""
        booking = request.env["clinic.online.booking"]
        service = self._service(service_id)
        practitioners = booking.practitioners(
            self._age_group(age_group), parse_ref(specialty_id, "clinic.nsi.specialty", "specialty_id"), service
        )
        if practitioner_id:
            practitioners &= self._published_practitioner(practitioner_id)
        tz = pytz.timezone(booking.clinic_tz())
        start_day = self._date(date_from, "date_from") or datetime.now(tz).date()
        stop_day = self._date(date_to, "date_to") or start_day + timedelta(days=DEFAULT_DAYS - 1)
        if not 0 <= (stop_day - start_day).days < MAX_DAYS:
            raise OnlineBookingError(
                "invalid_field",
                request.env._("date_to must be on or after date_from, at most %(days)s days later.", days=MAX_DAYS - 1),
                "date_to",
            )
        start, stop = (
            tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
            for day in (start_day, stop_day + timedelta(days=1))
        )
        hours = (self._hour(time_from, "time_from", 0.0), self._hour(time_to, "time_to", 24.0))
        runs = booking.search_runs(practitioners, service, start, stop, hours if time_from or time_to else None)
        return json_response({"slots": slots_payload(runs, service)})

    # ------------------------------------------------------------------ appointments

    @api_route("/appointments", methods=("POST",), books=True)
    def create_appointment(self, consumer, **kw):
        """Book; the Idempotency-Key header makes a repeated request return the first answer."""
        key = request.httprequest.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 255:
            raise OnlineBookingError(
                "invalid_request", request.env._("Send an Idempotency-Key header (up to 255 characters)."),
                "Idempotency-Key",
            )  # fmt: skip
        body = request.httprequest.get_data()
        payload = self._json(body)

        def book():
            values = self._booking_values(consumer, payload)
            appointment = request.env["clinic.online.booking.request"].book_online(values)
            return 201, appointment_payload(appointment), appointment

        status, answer = request.env["clinic.api.idempotency"]._run_once(consumer, key, body, book)
        return json_response(answer, status=status)

    @api_route("/identity/challenges", methods=("POST",), books=True)
    def identity_challenge(self, consumer, **kw):
        """The patient says they are on file: a one-time code goes to the phone of their card, if the typed
        person has one with that phone; the answer is the same either way. The booking then carries
        ``identity: {challenge, code}`` and is made on that card."""
        payload = self._json(request.httprequest.get_data())
        if not isinstance(payload.get("patient"), dict):
            raise OnlineBookingError("missing_field", request.env._("Say who the patient is."), "patient")
        challenge = request.env["clinic.online.booking.request"]._request_identity_code(
            self._person(payload["patient"]), payload.get("contact_phone")
        )
        return json_response({"challenge": challenge, "expires_in": VALID_MINUTES * 60}, status=201)

    @api_route("/appointments/<string:appointment_id>")
    def appointment(self, consumer, appointment_id, **kw):
        return json_response(appointment_payload(self._own_appointment(consumer, appointment_id)))

    @api_route("/appointments/<string:appointment_id>/cancel", methods=("POST",), books=True)
    def cancel_appointment(self, consumer, appointment_id, **kw):
        appointment = self._own_appointment(consumer, appointment_id)
        payload = self._json(request.httprequest.get_data() or b"{}")
        reason = " ".join(str(part) for part in (payload.get("reason_code"), payload.get("reason")) if part)
        if len(reason) > MAX_REASON:
            raise OnlineBookingError(
                "invalid_field",
                request.env._("The reason is over %(chars)s characters.", chars=MAX_REASON),
                "reason",
            )
        appointment._portal_cancel(
            reason=request.env._("Cancelled through %(site)s: %(reason)s", site=consumer.name, reason=reason or "-")
        )
        return json_response(appointment_payload(appointment))

    # ------------------------------------------------------------------ helpers

    def _consumer(self):
        headers = request.httprequest.headers
        authorization = headers.get("Authorization", "")
        key = authorization[7:].strip() if authorization[:7].lower() == "bearer " else headers.get("X-Api-Key", "")
        consumer = request.env["clinic.api.consumer"]._authenticate(key)
        if not consumer:
            raise OnlineBookingError(
                "unauthorized", request.env._("Missing or unknown API key: send «Authorization: Bearer <key>».")
            )
        return consumer

    def _json(self, body):
        if len(body or b"") > MAX_BODY:
            raise OnlineBookingError(
                "invalid_request",
                request.env._("The request body is over %(size)s KB.", size=MAX_BODY // 1024),
                "body",
            )
        try:
            payload = json.loads(body or b"null")
        except (ValueError, RecursionError):
            payload = None
        if not isinstance(payload, dict):
            raise OnlineBookingError(
                "invalid_request", request.env._("The request body must be a JSON object."), "body"
            )
        return payload

    def _age_group(self, value):
        if value in (None, ""):
            return None
        if value not in ("adult", "child"):
            raise OnlineBookingError(
                "invalid_field", request.env._("age_group «%(value)s» is neither adult nor child.", value=echo(value)),
                "age_group",
            )  # fmt: skip
        return value

    def _date(self, value, field):
        """A date YYYY-MM-DD from yesterday to MAX_AHEAD_DAYS ahead (no schedule lies further)."""
        try:
            day = fields.Date.to_date(value) if value else None
        except (ValueError, TypeError):
            raise OnlineBookingError(
                "invalid_field", request.env._("%(field)s «%(value)s» is not a date YYYY-MM-DD.", field=field,
                                               value=echo(value)), field,
            ) from None  # fmt: skip
        today = fields.Date.context_today(request.env.user)
        if day and not today - timedelta(days=1) <= day <= today + timedelta(days=MAX_AHEAD_DAYS):
            raise OnlineBookingError(
                "invalid_field",
                request.env._("%(field)s must lie between yesterday and %(days)s days ahead.", field=field,
                              days=MAX_AHEAD_DAYS),
                field,
            )  # fmt: skip
        return day

    def _hour(self, value, field, default):
        if not value:
            return default
        try:
            moment = time.fromisoformat(value)
        except ValueError:
            raise OnlineBookingError(
                "invalid_field",
                request.env._("%(field)s «%(value)s» is not a time HH:MM.", field=field, value=echo(value)),
                field,
            ) from None  # fmt: skip
        return moment.hour + moment.minute / 60

    def _published_practitioner(self, value):
        practitioner = parse_ref(value, "hr.employee", "practitioner_id")
        if not practitioner or practitioner not in request.env["clinic.online.booking"].practitioners():
            raise OnlineBookingError(
                "unknown_practitioner",
                request.env._(
                    "Practitioner «%(value)s» does not exist or takes no online bookings.", value=echo(value)
                ),
                "practitioner_id",
            )
        return practitioner

    def _service(self, value):
        service = parse_ref(value, "product.product", "service_id")
        if value and service not in request.env["clinic.online.booking"].services():
            raise OnlineBookingError(
                "unknown_service",
                request.env._("Service «%(value)s» does not exist or is not booked online.", value=echo(value)),
                "service_id",
            )
        return service

    def _practitioner(self, practitioner):
        booking = request.env["clinic.online.booking"]
        return {
            "id": ref(practitioner),
            "name": practitioner.name,
            "position": practitioner.job_title or None,
            "age_group": practitioner.age_group,
            "specialties": [{"id": ref(s), "code": s.code, "name": s.name} for s in practitioner.specialty_ids],
            "experience_years": practitioner.experience_years or None,
            "slot_duration_min": practitioner.slot_duration,
            "service_ids": [ref(s) for s in booking.services(practitioner=practitioner)],
            "photo_url": f"{request.httprequest.host_url.rstrip('/')}/doctors/{practitioner.id}/photo",
        }

    def _service_payload(self, service):
        return {
            "id": ref(service),
            "code_804n": service.service_code_id.code or service.default_code or None,
            "name": service.name,
            "price": service.list_price,
            "currency": service.currency_id.name,
            "duration_min": service.duration_minutes,
            "age_group": service.age_group,
            "specialty_ids": [ref(s) for s in service.specialty_ids],
        }

    def _booking_values(self, consumer, payload):
        """The JSON body as clinic.online.booking expects it; the slot is named by practitioner and start."""
        slot_part = payload.get("slot") or {}
        if not isinstance(slot_part, dict) or not slot_part.get("start"):
            raise OnlineBookingError(
                "missing_field", request.env._("Say which slot: slot.practitioner_id and slot.start."), "slot.start"
            )
        practitioner = parse_ref(slot_part.get("practitioner_id"), "hr.employee", "slot.practitioner_id")
        if not practitioner:
            raise OnlineBookingError(
                "unknown_practitioner",
                request.env._("Practitioner «%(value)s» does not exist.", value=echo(slot_part.get("practitioner_id"))),
                "slot.practitioner_id",
            )
        now = fields.Datetime.now()
        service_part = payload.get("service") or {}
        patient = payload.get("patient") or {}
        representative = payload.get("representative") or None
        consents = payload.get("consents") or {}
        if not all(isinstance(part, dict) for part in (service_part, patient, representative or {}, consents)):
            raise OnlineBookingError(
                "invalid_request", request.env._("service, patient, representative and consents are JSON objects.")
            )
        return {
            "slot": request.env["clinic.online.booking"].slot_at(practitioner, self._moment(slot_part["start"])),
            "service": self._service(service_part.get("id")),
            "person": self._person(patient),
            "representative": dict(self._person(representative), kinship=representative.get("kinship"))
            if representative
            else None,
            "phone": payload.get("contact_phone"),
            "email": payload.get("email"),
            "consent_personal_data": consents.get("personal_data") is True,
            "consent_messages": consents.get("service_messages") is True,
            "consumer": consumer,
            "identity": self._identity(payload.get("identity")),
            "booking_started_at": self._moment(
                payload["booking_started_at"], "booking_started_at", now - MAX_BOOKING_TIME, now
            )
            if payload.get("booking_started_at")
            else None,
        }

    def _identity(self, part):
        if part in (None, {}):
            return None
        if not isinstance(part, dict) or not part.get("challenge") or not part.get("code"):
            raise OnlineBookingError(
                "invalid_field", request.env._("identity needs the challenge and the code received."), "identity"
            )
        return {"challenge": str(part["challenge"])[:64], "code": str(part["code"])[:16]}

    def _person(self, part):
        return {
            "surname": part.get("last_name"),
            "first_name": part.get("first_name"),
            "patronymic": part.get("patronymic"),
            "birth_date": part.get("birth_date"),
        }

    def _moment(self, value, field="slot.start", earliest=None, latest=None):
        """An ISO 8601 time with its offset, as naive UTC, between ``earliest`` and ``latest`` (naive UTC; by
        default yesterday and MAX_AHEAD_DAYS ahead)."""
        now = fields.Datetime.now()
        earliest = earliest or now - timedelta(days=1)
        latest = latest or now + timedelta(days=MAX_AHEAD_DAYS)
        try:
            moment = datetime.fromisoformat(str(value)[:40])
            moment = moment.astimezone(pytz.utc).replace(tzinfo=None) if moment.tzinfo else None
        except (ValueError, OverflowError):
            moment = None
        if not moment:
            raise OnlineBookingError(
                "invalid_field",
                request.env._("%(field)s «%(value)s» is not an ISO 8601 time with an offset, e.g. "
                              "2025-03-11T10:30:00+03:00.", field=field, value=echo(value)),
                field,
            )  # fmt: skip
        if not earliest <= moment <= latest:
            raise OnlineBookingError(
                "invalid_field",
                request.env._("%(field)s «%(value)s» is outside the possible times.", field=field, value=echo(value)),
                field,
            )  # fmt: skip
        return moment

    def _own_appointment(self, consumer, value):
        appointment = request.env["clinic.appointment"].sudo()
        if len(value) <= 40:
            appointment = appointment.search([("online_ref", "=", value)], limit=1)
        if not appointment or appointment.api_consumer_id != consumer:
            raise OnlineBookingError(
                "not_found", request.env._("Appointment «%(value)s» was not booked with this key.", value=echo(value))
            )
        return appointment
