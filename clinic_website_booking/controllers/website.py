"""Public pages: published doctors (adults / children), a doctor's page, services by specialty."""

from datetime import timedelta
from urllib.parse import urlencode

import pytz

from odoo import fields, http
from odoo.http import request
from odoo.tools import format_date

THOUSANDS = "\u00a0"  # «1 500 ₽»: a no-break space between thousands
NEXT_SLOTS = 8
NEXT_SLOTS_DAYS = 21
MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger id in a URL names nothing


def param_id(value):
    """A record id given as a request parameter; 0 when absent or not a possible id."""
    try:
        record_id = int(value or 0)
    except (TypeError, ValueError):
        return 0
    return record_id if 0 < record_id <= MAX_ID else 0


def browse_param(model, value, records=None):
    """The record named by a request parameter (its id), read with sudo; empty when absent or unknown.

    ``records`` restricts the answer to those (e.g. the published ones).
    """
    record_id = param_id(value)
    if not record_id:
        return request.env[model].sudo()
    if records is not None:  # one of the records given exists: no query needed
        return records.sudo().filtered(lambda record: record.id == record_id)
    return request.env[model].sudo().browse(record_id).exists()


# What the pages and the booking steps read of a service: reading one field of a product otherwise fetches every
# column of product.product and of product.template (about a hundred, translations included) on every step.
SERVICE_FIELDS = ("name", "list_price", "currency_id", "duration_minutes", "age_group", "is_medical_service",
                  "clinic_published")  # fmt: skip


def fetch_services(services):
    """Read the few fields of ``services`` the booking pages use, in two narrow queries; returns them (``active``:
    an appointment's create filters its services by it)."""
    services.fetch(["product_tmpl_id", "active"])
    services.product_tmpl_id.fetch(SERVICE_FIELDS)
    return services


def format_price(amount, currency):
    """Whole amounts without decimals, thousands apart: «1 500 ₽»."""
    digits = 0 if float(amount).is_integer() else currency.decimal_places
    number = f"{amount:,.{digits}f}".replace(",", THOUSANDS).replace(".", ",")
    if currency.position == "before":
        return f"{currency.symbol}{THOUSANDS}{number}"
    return f"{number}{THOUSANDS}{currency.symbol}"


def years_ru(count):
    """Russian plural of «год»: 1 год, 2 года, 5 лет, 21 год."""
    if count % 10 == 1 and count % 100 != 11:
        return "год"
    if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14):
        return "года"
    return "лет"


def format_day(day):
    """«понедельник, 1 декабря» in the visitor's language."""
    return format_date(request.env, day, date_format="EEEE, d MMMM")


def format_short_day(day):
    """«пн, 1 дек.» for the strip of days."""
    return format_date(request.env, day, date_format="EEE, d MMM")


def local_time(record):
    """The start of an appointment or a reservation in the clinic's time zone: «понедельник, 1 декабря, 09:30»."""
    moment = pytz.utc.localize(record.start).astimezone(record.company_id._clinic_tzinfo())
    return f"{format_day(moment.date())}, {moment:%H:%M}"


def page_values(**values):
    """Values every page of the module renders with: the formatting helpers."""
    return {
        "format_price": format_price,
        "years_ru": years_ru,
        "local_start": request.env["clinic.online.booking"].local_start,
        "localized": request.env["clinic.online.booking"].localized,
        "local_time": local_time,
        "format_day": format_day,
        "format_short_day": format_short_day,
        "slug": request.env["ir.http"]._slug,
        "url_encode": urlencode,
        **values,
    }


def refused(response, error):
    """A page answering a refusal: over a rate limit it says so with 429 and Retry-After, as the API does."""
    if error is not None and error.code == "rate_limited":
        response.status_code = 429
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def visit_funnel(create=False):
    """This visitor's way to a booking (kept in the session); a new one after each booking. ``create`` when
    the visitor is looking at free times; robots are not counted."""
    Funnel = request.env["clinic.booking.funnel"].sudo()
    funnel_id = param_id(request.session.get("clinic_funnel_id"))
    # One query for the record and the fields the steps read (exists() and a read would be two).
    funnel = (
        Funnel.search_fetch([("id", "=", funnel_id)], ["first_view_at", "form_started_at", "booked_at"])
        if funnel_id
        else Funnel
    )
    if funnel.booked_at:
        funnel = Funnel
    if not funnel and create and not request.env["ir.http"].is_a_bot():
        funnel = Funnel.create(
            # the stage given, so that the new record needs no update for its computed fields
            {"website_id": request.website.id, "company_id": request.website.company_id.id, "stage": "viewed",
             "seconds_to_book": 0}
        )  # fmt: skip
        request.session["clinic_funnel_id"] = funnel.id
    return funnel


def sitemap_doctors(env, rule, qs):
    """The published doctors' pages for search engines."""
    for doctor in env["clinic.online.booking"].practitioners():
        loc = f"/doctors/{env['ir.http']._slug(doctor)}"
        if not qs or qs.lower() in loc:
            yield {"loc": loc}


class ClinicWebsite(http.Controller):
    @http.route("/doctors", type="http", auth="public", website=True, sitemap=True)
    def doctors(self, age="adult", **kw):
        booking = request.env["clinic.online.booking"]
        age = "child" if age == "child" else "adult"
        return request.render(
            "clinic_website_booking.doctors_page",
            page_values(age=age, adults=booking.practitioners("adult"), children=booking.practitioners("child")),
        )

    @http.route("/doctors/<string:slug>", type="http", auth="public", website=True, sitemap=sitemap_doctors)
    def doctor(self, slug, **kw):
        booking = request.env["clinic.online.booking"]
        doctor = browse_param("hr.employee", request.env["ir.http"]._unslug(slug)[1], booking.practitioners())
        if not doctor:
            raise request.not_found()
        visit_funnel(create=True)
        now = fields.Datetime.now()
        runs = booking.search_runs(doctor, date_from=now, date_to=now + timedelta(days=NEXT_SLOTS_DAYS))[:NEXT_SLOTS]
        return request.render(
            "clinic_website_booking.doctor_page",
            page_values(doctor=doctor, services=booking.services(practitioner=doctor), items=booking.localized(runs)),
        )

    @http.route("/doctors/<int:doctor_id>/photo", type="http", auth="public", sitemap=False, readonly=True)
    def doctor_photo(self, doctor_id, **kw):
        """A published doctor's photo (employees are not readable by visitors, so it is served from here)."""
        doctor = browse_param("hr.employee", doctor_id, request.env["clinic.online.booking"].practitioners())
        if not doctor:
            raise request.not_found()
        stream = request.env["ir.binary"]._get_image_stream_from(doctor, "avatar_512")
        return stream.get_response(max_age=3600)

    @http.route("/services", type="http", auth="public", website=True, sitemap=True)
    def services(self, age=None, **kw):
        booking = request.env["clinic.online.booking"]
        age = age if age in ("adult", "child") else None
        services = booking.services(age)
        by_specialty = [
            (specialty, services.filtered(lambda s, sp=specialty: sp in s.specialty_ids))
            for specialty in services.specialty_ids.sorted("name")
        ]
        return request.render("clinic_website_booking.services_page", page_values(age=age, by_specialty=by_specialty))
