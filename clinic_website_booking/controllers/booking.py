"""The booking flow on the website: (1) what, (2) when, (3) who; then the portal page of the appointment."""

from collections import defaultdict
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

import pytz

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.http import request

from ..models.clinic_online_booking import DAYPARTS, MAX_AHEAD_DAYS, OnlineBookingError
from .website import browse_param, fetch_services, page_values, param_id, refused, visit_funnel

DAYS_SHOWN = 7
MAX_DAYS = 14
TYPED_BACK = 100
PERSON_KEYS = ("surname", "first_name", "patronymic", "birth_date")
REPRESENTATIVE_KEYS = ("surname", "first_name", "patronymic", "kinship")


def typed_back(kw):
    """What the visitor typed, to show in the form again with the error: each value cut to a sane length, so that
    a huge input is not sent back whole."""
    return {key: str(value)[:TYPED_BACK] for key, value in kw.items()}


def parse_date(value):
    """A YYYY-MM-DD request parameter as a date; None when absent or not a date."""
    try:
        return fields.Date.to_date(str(value)[:10]) if value else None
    except ValueError:
        return None


class ClinicBooking(http.Controller):
    # ------------------------------------------------------------------ steps

    @http.route("/booking", type="http", auth="public", website=True, sitemap=True)
    def booking_what(self, **kw):
        """Step 1: specialty, doctor or service, for an adult or a child."""
        booking = request.env["clinic.online.booking"]
        choice = self._choice(kw)
        return request.render(
            "clinic_website_booking.booking_what",
            page_values(
                **choice,
                specialties=booking.specialties(),
                all_practitioners=booking.practitioners(),
                all_services=booking.services(),
            ),
        )

    @http.route("/booking/slots", type="http", auth="public", website=True, sitemap=False)
    def booking_when(self, **kw):
        """Step 2: live free times of the chosen practitioners, filtered by dates, part of day and doctor."""
        visit_funnel(create=True)
        return self._render_when(self._choice(kw))

    @http.route("/booking/hold", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def booking_hold(self, slot_id=None, token=None, **kw):
        """A free time was picked: hold it for the form, or say it is gone and show the nearest ones."""
        booking = request.env["clinic.online.booking"]
        choice = self._choice(kw)
        if token:
            booking.release(token)
        slot = request.env["clinic.slot"]._by_public_ref(slot_id)
        try:
            booking._check_visitor(request.httprequest.remote_addr)
            booking._check_visitor(request.httprequest.remote_addr, "hold")
            token = booking.hold(slot, choice["service"])
        except OnlineBookingError as error:
            return self._render_when(choice, error=error)
        visit_funnel()._step("form")
        query = {**choice["query"], "slot_id": slot.public_ref, "token": token}
        return request.redirect(f"/booking/details?{urlencode(query)}")

    @http.route("/booking/release", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def booking_release(self, token=None, **kw):
        """«Choose another time»: give the held slot back at once."""
        request.env["clinic.online.booking"].release(token)
        return request.redirect(f"/booking/slots?{urlencode(self._choice(kw)['query'])}")

    @http.route("/booking/details", type="http", auth="public", website=True, sitemap=False)
    def booking_who(self, slot_id=None, token=None, **kw):
        """Step 3: who comes, the phone and the consents, while the slot is held."""
        booking = request.env["clinic.online.booking"]
        choice = self._choice(kw)
        slot = request.env["clinic.slot"]._by_public_ref(slot_id)
        held = booking.held_run(token)
        error = None
        try:
            booking.check_available(slot, held, choice["service"])
        except OnlineBookingError as exc:
            error = exc
        return self._render_who(choice, slot, token, error=error, form=self._prefill(), held=held)

    @http.route("/booking/confirm", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def booking_confirm(self, slot_id=None, token=None, **kw):
        booking = request.env["clinic.online.booking"]
        choice = self._choice(kw)
        slot = request.env["clinic.slot"]._by_public_ref(slot_id)
        held = booking.held_run(token)
        if token and not (held & slot):
            held.release(token)  # the patient picked one of the alternatives offered instead
            token, held = None, held.browse()
        funnel = visit_funnel()
        try:
            booking._check_visitor(request.httprequest.remote_addr)
            self._check_captcha()
            values = self._who_values(kw)
            intake = request.env["clinic.online.booking.request"]
            intake._attach_phone(held, values["phone"])
            reservation = intake.reserve(
                {
                    **values,
                    "slot": slot,
                    "hold_token": token,
                    "service": choice["service"],
                    "booking_started_at": funnel.first_view_at or None,
                    "funnel": funnel,
                }
            )
        except OnlineBookingError as error:
            return self._render_who(
                choice, slot, token, error=error, form=typed_back(kw), identity_challenge=kw.get("identity_challenge")
            )
        return request.redirect(self._booked_url(reservation))

    @http.route("/booking/booked/<string:ref>", type="http", auth="public", website=True, sitemap=False)
    def booking_booked(self, ref, access_token=None, **kw):
        """The booking's last step: what was booked, as the visitor typed it, whether or not its follow-up has made
        the appointment yet; the link of this page manages the booking."""
        reservation = request.env["clinic.online.reservation"]._by_ref(ref, access_token)
        if not reservation:
            return request.redirect("/my")
        # the few fields the page shows, not every column of hr.employee and clinic.slot
        reservation.employee_id.fetch(["name"])
        reservation.slot_id.fetch(["cabinet_id"])
        return request.render(
            "clinic_website_booking.booking_done",
            page_values(reservation=reservation, services=fetch_services(reservation.service_id),
                        access_token=access_token, page_name="clinic_appointment"),
        )  # fmt: skip

    @http.route("/booking/booked/<string:ref>/manage", type="http", auth="public", website=True, sitemap=False)
    def booking_manage(self, ref, access_token=None, then=None, **kw):
        """Move, cancel or add to a calendar: the appointment's own pages, the appointment made first if its
        follow-up has not come yet."""
        reservation = request.env["clinic.online.reservation"]._by_ref(ref, access_token)
        appointment = reservation._materialize() if reservation else None
        if not appointment:
            return request.redirect(self._booked_url(reservation) if reservation else "/my")
        suffix = {"ics": "/calendar.ics", "reschedule": "/reschedule"}.get(then, "")
        return request.redirect(f"{appointment.access_url}{suffix}?{urlencode({'access_token': access_token})}")

    @http.route("/booking/identity", type="http", auth="public", website=True, methods=["POST"], sitemap=False)
    def booking_identity(self, slot_id=None, token=None, **kw):
        """«I have a card»: a one-time code goes to the phone of the card of the typed person, if there is one (the
        page says the same either way); the form comes back with a field for the code."""
        booking = request.env["clinic.online.booking"]
        choice = self._choice(kw)
        slot = request.env["clinic.slot"]._by_public_ref(slot_id)
        challenge = error = None
        try:
            booking._check_visitor(request.httprequest.remote_addr)
            values = self._who_values(kw)
            if not values["person"]:
                raise OnlineBookingError(
                    "invalid_field", request.env._("A code confirms a person typed in the form."), "who"
                )
            intake = request.env["clinic.online.booking.request"]
            intake._attach_phone(booking.held_run(token), values["phone"])
            challenge = intake._request_identity_code(values["person"], values["phone"])
        except OnlineBookingError as exc:
            error = exc
        return self._render_who(choice, slot, token, error=error, form=typed_back(kw), identity_challenge=challenge)

    @http.route("/booking/waitlist", type="http", auth="public", website=True, sitemap=False)
    def booking_waitlist(self, **kw):
        """Nothing fits: leave a name and a phone, the clinic offers the first time that frees up."""
        booking = request.env["clinic.online.booking"]
        choice = self._choice(kw)
        error = entry = None
        if request.httprequest.method == "POST":
            try:
                booking._check_visitor(request.httprequest.remote_addr)
                self._check_captcha()
                entry = request.env["clinic.online.booking.request"].join_waitlist(
                    {
                        **self._who_values(kw),
                        "practitioner": choice["employee"],
                        "specialty": choice["specialty"],
                        "service": choice["service"],
                        "date_from": choice["date_from"],
                        "date_to": parse_date(kw.get("date_to")),
                        "hours": DAYPARTS.get(choice["daypart"]),
                    }
                )
            except OnlineBookingError as exc:
                error = exc
        return refused(
            request.render(
                "clinic_website_booking.booking_waitlist",
                page_values(**choice, **self._who_options(), error=error, entry=entry,
                            form=typed_back(kw) if request.httprequest.method == "POST" else self._prefill()),
            ),
            error,
        )  # fmt: skip

    # ------------------------------------------------------------------ helpers

    def _booked_url(self, reservation):
        query = urlencode({"access_token": reservation.sudo().access_token})
        return f"/booking/booked/{reservation.online_ref}?{query}"

    def _choice(self, kw):
        """What the visitor chose so far, read from the request, only among published records."""
        booking = request.env["clinic.online.booking"]
        age = "child" if kw.get("age") == "child" else "adult"
        specialty_id, service_id, practitioner_ids = booking._published_choice(
            age, param_id(kw.get("specialty_id")), param_id(kw.get("service_id"))
        )
        specialty = request.env["clinic.nsi.specialty"].sudo().browse(specialty_id)
        service = fetch_services(request.env["product.product"].sudo().browse(service_id))
        practitioners = request.env["hr.employee"].sudo().browse(practitioner_ids)
        employee = browse_param("hr.employee", kw.get("employee_id"), practitioners)
        tz = pytz.timezone(booking.clinic_tz())
        today = datetime.now(tz).date()
        # Dates outside the schedule's reach are brought into it, never computed with (9999-12-31 + 7 days).
        date_from = min(max(parse_date(kw.get("date_from")) or today, today), today + timedelta(days=MAX_AHEAD_DAYS))
        date_to = parse_date(kw.get("date_to")) or date_from + timedelta(days=DAYS_SHOWN - 1)
        date_to = min(max(date_to, date_from), date_from + timedelta(days=MAX_DAYS - 1))
        daypart = kw.get("daypart") if kw.get("daypart") in DAYPARTS else ""
        query = {
            "age": age,
            "specialty_id": specialty.id or "",
            "employee_id": employee.id or "",
            "service_id": service.id or "",
            "date_from": fields.Date.to_string(date_from),
            "date_to": fields.Date.to_string(date_to),
            "daypart": daypart,
            "day": kw.get("day") or "",
        }
        return {
            "age": age,
            "specialty": specialty,
            "service": service,
            "employee": employee,
            "practitioners": practitioners,
            "today": today,
            "date_from": date_from,
            "date_to": date_to,
            "daypart": daypart,
            "tz": tz,
            "query": {key: value for key, value in query.items() if value},
        }

    def _render_when(self, choice, error=None):
        """A strip of the days asked for with their numbers of free times, and the times of one day by doctor."""
        booking = request.env["clinic.online.booking"]
        first, last = choice["date_from"], choice["date_to"]
        practitioners = choice["employee"] or choice["practitioners"]
        # the page's few fields of the practitioners, not every column of hr.employee (see clinic.slot._by_public_ref)
        choice["practitioners"].fetch(["name", "slot_duration"])
        hours = DAYPARTS.get(choice["daypart"])
        counts = booking.free_counts(practitioners, *self._utc_bounds(choice, first, last), choice["tz"].zone, hours)
        span = last - first + timedelta(days=1)
        days = [first + timedelta(days=n) for n in range(span.days)]
        day = parse_date(choice["query"].get("day"))
        if not counts.get(day):
            day = next((d for d in days if counts.get(d)), None)
        by_doctor = defaultdict(list)
        if day:
            runs = booking.search_runs(practitioners, choice["service"], *self._utc_bounds(choice, day, day), hours)
            for run, moment in booking.localized(runs):
                by_doctor[run.employee_id].append((run, moment))
        earlier = {"date_from": max(first - span, choice["today"]), "date_to": first - timedelta(days=1)}
        return refused(
            request.render(
                "clinic_website_booking.booking_when",
                page_values(
                    **dict(choice, query={key: value for key, value in choice["query"].items() if key != "day"}),
                    strip=[(d, counts.get(d, 0)) for d in days],
                    day=day,
                    by_doctor=by_doctor,
                    error=error,
                    previous_range=earlier if first > choice["today"] else None,
                    next_range={"date_from": last + timedelta(days=1), "date_to": last + span},
                ),
            ),
            error,
        )

    def _utc_bounds(self, choice, first, last):
        """Local midnight before ``first`` and after ``last`` as naive UTC."""
        return tuple(
            choice["tz"].localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
            for day in (first, last + timedelta(days=1))
        )

    def _render_who(self, choice, slot, token, error=None, form=None, identity_challenge=None, held=None):
        """The form of step 3; ``held``: the run held under ``token`` when the caller has just read it."""
        booking = request.env["clinic.online.booking"]
        slot = slot.sudo()
        if error and error.field == "slot" and error.code != "slot_taken":
            slot = slot.browse()  # a time not offered (any more) is not described
        if held is None:
            held = booking.held_run(token)
        if slot not in held:
            held = held.browse()
        run = held or (slot._run_from(booking.duration(slot.employee_id, choice["service"])) if slot else slot)
        response = request.render(
            "clinic_website_booking.booking_who",
            page_values(
                **choice,
                slot=slot,
                run=run,
                token=token if held else "",
                hold_until=pytz.utc.localize(held[0].hold_until).astimezone(choice["tz"]) if held else None,
                error=error,
                form=form or {},
                identity_challenge=str(identity_challenge or "")[:32],
                **self._who_options(),
            ),
        )
        return refused(response, error)

    def _account(self):
        """The logged-in visitor's own contact, empty for an anonymous one."""
        user = request.env.user
        return request.env["res.partner"] if user._is_public() else user.partner_id.sudo()

    def _who_options(self):
        account = self._account()
        return {
            "account": account,
            "children": request.env["clinic.online.booking.request"].represented(account),
            "can_book_self": bool(account.is_patient and account.birth_date),
        }

    def _prefill(self):
        """A logged-in patient finds their own details already in the form."""
        options = self._who_options()
        account = options["account"]
        if not account:
            return {}
        return {
            "who": "self" if options["can_book_self"] else "new",
            "surname": account.surname or "",
            "first_name": account.first_name or "",
            "patronymic": account.patronymic or "",
            "birth_date": account.birth_date.strftime("%d.%m.%Y") if account.birth_date else "",
            "phone": account.phone or account.mobile or "",
            "email": account.email or "",
        }

    def _who_values(self, kw):
        """The «who» part of the form as clinic.online.booking expects it."""
        options = self._who_options()
        account = options["account"]
        who = kw.get("who") or "new"
        patient = request.env["res.partner"]
        if who == "self" and options["can_book_self"]:
            patient = account
        elif who.isdigit():
            patient = browse_param("res.partner", who, options["children"])
            if not patient:
                raise OnlineBookingError(
                    "invalid_field", request.env._("Choose who comes among the people offered in the form."), "who"
                )
        representative = None
        if kw.get("representative_surname") or kw.get("representative_first_name"):
            representative = {key: kw.get(f"representative_{key}") for key in REPRESENTATIVE_KEYS}
        return {
            "account": account,
            "patient": patient,
            "person": None if patient else {key: kw.get(key) for key in PERSON_KEYS},
            "representative": representative,
            "phone": kw.get("phone"),
            "email": kw.get("email"),
            "consent_personal_data": bool(kw.get("consent_personal_data")),
            "consent_messages": bool(kw.get("consent_messages")),
            "identity": {"challenge": kw["identity_challenge"], "code": kw["identity_code"]}
            if kw.get("identity_challenge") and kw.get("identity_code")
            else None,
        }

    def _check_captcha(self):
        """Odoo's reCAPTCHA when the google_recaptcha module is installed and keys are set; a no-op otherwise."""
        ir_http = request.env["ir.http"]
        if not hasattr(ir_http, "_verify_request_recaptcha_token"):
            return
        try:
            human = ir_http._verify_request_recaptcha_token("clinic_booking")
        except UserError as error:
            raise OnlineBookingError("captcha_failed", str(error)) from None
        if not human:
            raise OnlineBookingError(
                "captcha_failed", request.env._("The anti-robot check failed: reload the page and try again.")
            )
