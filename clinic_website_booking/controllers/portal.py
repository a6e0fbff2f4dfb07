"""«My appointments» in the portal: upcoming and past visits of the patient and their children, cancel,
move, add to a calendar; the waiting list. An appointment's page also opens with its access token, so a
patient who booked without an account manages the booking from the confirmation link."""

from collections import defaultdict
from urllib.parse import urlencode

from odoo import fields, http
from odoo.http import content_disposition, request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

from ..models.clinic_online_booking import ACTIVE_ONLINE_STATES, OnlineBookingError
from .website import browse_param, fetch_services, page_values, refused

PAGE_SIZE = 20


class ClinicPortal(CustomerPortal):
    def _appointment_domain(self, upcoming):
        Appointment = request.env["clinic.appointment"]
        now = fields.Datetime.now()
        domain = Appointment._portal_domain(request.env.user.partner_id)
        if upcoming:
            return [*domain, ("start", ">=", now), ("state", "in", ACTIVE_ONLINE_STATES)]
        return [*domain, "|", ("start", "<", now), ("state", "not in", ACTIVE_ONLINE_STATES)]

    def _waitlist_domain(self):
        return [
            ("state", "in", ("waiting", "offered")),
            *request.env["clinic.appointment"]._portal_domain(request.env.user.partner_id),
        ]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "clinic_appointment_count" in counters:
            values["clinic_appointment_count"] = request.env["clinic.appointment"].search_count(
                self._appointment_domain(upcoming=True)
            )
        if "clinic_waitlist_count" in counters:
            values["clinic_waitlist_count"] = request.env["clinic.waitlist"].search_count(self._waitlist_domain())
        return values

    @http.route(["/my/appointments", "/my/appointments/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_appointments(self, page=1, filterby="upcoming", **kw):
        Appointment = request.env["clinic.appointment"]
        upcoming = filterby != "past"
        domain = self._appointment_domain(upcoming)
        pager = portal_pager(
            url="/my/appointments",
            url_args={"filterby": "upcoming" if upcoming else "past"},
            total=Appointment.search_count(domain),
            page=page,
            step=PAGE_SIZE,
        )
        appointments = Appointment.search(
            domain, order="start asc" if upcoming else "start desc", limit=PAGE_SIZE, offset=pager["offset"]
        )
        values = self._prepare_portal_layout_values()
        values.update(
            page_values(
                appointments=appointments.sudo(),
                pager=pager,
                filterby="upcoming" if upcoming else "past",
                page_name="clinic_appointments",
                default_url="/my/appointments",
            )
        )
        return request.render("clinic_website_booking.portal_my_appointments", values)

    @http.route("/my/appointments/<int:appointment_id>", type="http", auth="public", website=True)
    def portal_appointment(self, appointment_id, access_token=None, **kw):
        appointment = self._appointment_or_none(appointment_id, access_token)
        if not appointment:
            return request.redirect("/my")
        return self._render_appointment(appointment, access_token, message=kw.get("message"))

    @http.route(
        "/my/appointments/<int:appointment_id>/cancel", type="http", auth="public", website=True, methods=["POST"]
    )
    def portal_appointment_cancel(self, appointment_id, access_token=None, **kw):
        appointment = self._appointment_or_none(appointment_id, access_token)
        if not appointment:
            return request.redirect("/my")
        try:
            request.env["clinic.online.booking"]._check_visitor(request.httprequest.remote_addr)
            appointment._portal_cancel()
        except OnlineBookingError as error:
            return self._render_appointment(appointment, access_token, error=error)
        if access_token and not appointment._portal_owned_by(self._visitor_partner()):
            # The token died with the booking: the visitor sees the outcome once, with no link left to follow.
            return self._render_appointment(appointment, "", message="cancelled")
        return request.redirect(self._appointment_url(appointment, access_token, message="cancelled"))

    @http.route(
        "/my/appointments/<int:appointment_id>/reschedule",
        type="http",
        auth="public",
        website=True,
        methods=["GET", "POST"],
    )
    def portal_appointment_reschedule(self, appointment_id, access_token=None, slot_id=None, **kw):
        """Another free time of the same doctor; the old one goes back to the schedule and the waiting list."""
        appointment = self._appointment_or_none(appointment_id, access_token)
        if not appointment:
            return request.redirect("/my")
        error = None
        if request.httprequest.method == "POST":
            try:
                request.env["clinic.online.booking"]._check_visitor(request.httprequest.remote_addr)
                appointment._portal_reschedule(request.env["clinic.slot"]._by_public_ref(slot_id))
                return request.redirect(self._appointment_url(appointment, access_token, message="moved"))
            except OnlineBookingError as exc:
                error = exc
        runs = error.alternatives if error and error.alternatives else appointment._reschedule_options()
        booking = request.env["clinic.online.booking"]
        days = defaultdict(list)
        for run, moment in booking.localized(runs):
            days[moment.date()].append((run, moment))
        values = self._prepare_portal_layout_values()
        values.update(
            page_values(
                appointment=appointment,
                access_token=access_token or "",
                days=days,
                error=error,
                page_name="clinic_appointment",
            )
        )
        return refused(request.render("clinic_website_booking.portal_appointment_reschedule", values), error)

    @http.route("/my/appointments/<int:appointment_id>/calendar.ics", type="http", auth="public", readonly=True)
    def portal_appointment_ics(self, appointment_id, access_token=None, **kw):
        """Add to calendar: the appointment as an .ics file."""
        appointment = self._appointment_or_none(appointment_id, access_token)
        if not appointment:
            raise request.not_found()
        return request.make_response(
            appointment._ics(),
            headers=[
                ("Content-Type", "text/calendar; charset=utf-8"),
                ("Content-Disposition", content_disposition(f"{appointment.name}.ics")),
            ],
        )

    @http.route("/my/waitlist", type="http", auth="user", website=True)
    def portal_my_waitlist(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(
            page_values(
                entries=request.env["clinic.waitlist"].search(self._waitlist_domain()).sudo(),
                page_name="clinic_waitlist",
            )
        )
        return request.render("clinic_website_booking.portal_my_waitlist", values)

    @http.route("/my/waitlist/<int:entry_id>/cancel", type="http", auth="user", website=True, methods=["POST"])
    def portal_waitlist_cancel(self, entry_id, **kw):
        entry = request.env["clinic.waitlist"].search([*self._waitlist_domain(), ("id", "=", entry_id)])
        entry.sudo().action_cancel()
        return request.redirect("/my/waitlist")

    # ------------------------------------------------------------------ helpers

    def _visitor_partner(self):
        user = request.env.user
        return request.env["res.partner"] if user._is_public() else user.partner_id

    def _appointment_or_none(self, appointment_id, access_token):
        """The appointment (sudo) when the visitor may manage it: their own, their represented child's, or a
        valid token of it. Read rights of an employee are no way in: the pages act for the patient."""
        appointment = browse_param("clinic.appointment", appointment_id)
        if appointment and (
            appointment._portal_owned_by(self._visitor_partner()) or appointment._portal_token_valid(access_token)
        ):
            return appointment
        return None

    def _appointment_url(self, appointment, access_token, **params):
        if access_token:
            params["access_token"] = access_token
        return f"/my/appointments/{appointment.id}?{urlencode(params)}"

    def _render_appointment(self, appointment, access_token, **extra):
        # the few fields the page shows, not every column of hr.employee, res.partner and the products
        appointment.employee_id.fetch(["name"])
        appointment.patient_id.fetch(["name"])
        # the services booked, archived since or not, read without the active filter (which fetches every column)
        services = fetch_services(appointment.with_context(active_test=False).service_ids)
        values = self._prepare_portal_layout_values()
        values.update(
            page_values(
                appointment=appointment,
                services=services,
                access_token=access_token or "",
                manageable=appointment._is_manageable_online(),
                page_name="clinic_appointment",
                **extra,
            )
        )
        return refused(request.render("clinic_website_booking.portal_appointment_page", values), extra.get("error"))
