import hmac
import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools import phone as phone_tools
from odoo.addons.clinic_scheduling.models.clinic_appointment import SlotTakenError

from .clinic_online_booking import ACTIVE_ONLINE_STATES, OnlineBookingError

ICS_DATE = "%Y%m%dT%H%M%SZ"
PARAM_TOKEN_DAYS = "clinic_website_booking.token_days_after_visit"
DEFAULT_TOKEN_DAYS = 30


def ics_text(value):
    """Text escaped for an iCalendar property value (RFC 5545, 3.3.11)."""
    return (
        str(value or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r", "")
        .replace("\n", "\\n")
    )  # fmt: skip


def ics_fold(line):
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545, 3.1)."""
    data = line.encode()
    parts = []
    while len(data) > (74 if parts else 75):
        cut = 74 if parts else 75
        while cut and (data[cut] & 0xC0) == 0x80:  # never split a UTF-8 character
            cut -= 1
        parts.append(data[:cut])
        data = data[cut:]
    parts.append(data)
    return b"\r\n ".join(parts).decode()


class ClinicAppointment(models.Model):
    _name = "clinic.appointment"
    _inherit = ["clinic.appointment", "portal.mixin"]

    api_consumer_id = fields.Many2one(
        "clinic.api.consumer",
        string="Booked through",
        readonly=True,
        index=True,
        help="The outside site or aggregator that booked it through the exchange API.",
    )
    contact_phone = fields.Char(
        string="Phone given online",
        readonly=True,
        index=True,
        help="Normalized number typed when booking online; the limits of online bookings per phone count it.",
    )
    contact_email = fields.Char(string="E-mail given online", readonly=True)
    online_ref = fields.Char(
        string="Online reference",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="Random reference of an online booking that the exchange API answers with instead of a database id.",
    )

    _sql_constraints = [
        ("online_ref_unique", "UNIQUE(online_ref)", "Two appointments cannot share an online reference.")
    ]

    def _compute_access_url(self):
        for appointment in self:
            appointment.access_url = f"/my/appointments/{appointment.id}"

    @api.private
    def get_portal_url(self, suffix=None, report_type=None, download=None, query_string=None, anchor=None):
        """The link carries the patient's key to the appointment: the server builds it for the patient, it is never
        handed out over RPC (whoever may read an appointment would otherwise act in the portal as its patient)."""
        return super().get_portal_url(suffix, report_type, download, query_string, anchor)

    @api.private
    @api.model
    def action_share(self):
        """Sharing the portal link of an appointment by e-mail is not offered: the link acts as the patient."""
        return super().action_share()

    @api.model
    def _portal_domain(self, partner):
        """Appointments a portal user manages: their own and those of the children they legally represent."""
        represented = [("relative_id", "=", partner.id), ("is_legal_representative", "=", True)]
        return ["|", ("patient_id", "=", partner.id), ("patient_id.relation_ids", "any", represented)]

    def _portal_owned_by(self, partner):
        """The appointment is ``partner``'s own or a child's they legally represent."""
        self.ensure_one()
        return bool(partner) and bool(self.sudo().filtered_domain(self._portal_domain(partner)))

    def _portal_token_valid(self, token):
        """``token`` opens this appointment: it is its access token (compared in constant time), the appointment
        is not cancelled, and its visit ended less than the configured days ago."""
        self.ensure_one()
        stored = self.sudo().access_token
        if not (token and stored) or self.state == "cancelled":
            return False
        if not hmac.compare_digest(str(token).encode(), stored.encode()):
            return False
        return self._link_alive(self.stop)

    @api.model
    def _link_alive(self, visit_end):
        """A patient's link to a visit ending at ``visit_end`` still opens it: the configured days have not passed."""
        days = int(self.env["ir.config_parameter"].sudo().get_param(PARAM_TOKEN_DAYS, DEFAULT_TOKEN_DAYS))
        return fields.Datetime.now() <= visit_end + timedelta(days=days)

    @api.model
    def _new_online_ref(self):
        return f"A-{secrets.token_urlsafe(12)}"

    def _is_manageable_online(self):
        self.ensure_one()
        return self.state in ACTIVE_ONLINE_STATES and self.start > fields.Datetime.now()

    def _check_manageable_online(self):
        if not self._is_manageable_online():
            raise OnlineBookingError(
                "invalid_state",
                self.env._("%(name)s is %(state)s: only an upcoming booked or confirmed appointment can be changed "
                           "online.", name=self.display_name, state=dict(self._fields["state"].selection)[self.state]),
                "state",
            )  # fmt: skip

    def _portal_cancel(self, reason=None):
        """Cancellation by the patient online: the slot is free at once and offered to the waiting list; the
        front desk hears of it as of every cancellation, the reason saying it came online."""
        self.ensure_one()
        self._check_manageable_online()
        self.action_cancel(reason=reason or self.env._("Cancelled online by the patient"), by="patient")
        return True

    def _portal_reschedule(self, slot):
        """Move to another free start of the same practitioner, chosen by the patient online."""
        self.ensure_one()
        self._check_manageable_online()
        slot = slot.sudo().exists()
        if not slot or slot.employee_id != self.employee_id or slot.start <= fields.Datetime.now():
            raise OnlineBookingError(
                "slot_unavailable",
                self.env._("Choose a free time of %(doctor)s ahead to move %(name)s to.",
                           doctor=self.employee_id.name, name=self.name),
                "slot",
            )  # fmt: skip
        old = self._format_start(self.start)
        try:
            self.action_reschedule(slot)
        except SlotTakenError:
            raise OnlineBookingError(
                "slot_taken",
                self.env._("%(slot)s has just been taken by someone else: choose another time.",
                           slot=slot.display_name),
                "slot",
                alternatives=self._reschedule_options(limit=5),
            ) from None  # fmt: skip
        except UserError as error:
            raise OnlineBookingError("slot_unavailable", str(error), "slot") from None
        self.env["clinic.reception"].notify(
            "website_reschedule",
            self.env._("Moved online"),
            self.env._("%(patient)s moved %(doctor)s from %(old)s to %(new)s.", patient=self.patient_id.name,
                       doctor=self.employee_id.name, old=old, new=self._format_start(self.start)),
            self,
        )  # fmt: skip
        return True

    def _reschedule_options(self, days=14, limit=None):
        """Free starts of the same practitioner, long enough for this appointment."""
        self.ensure_one()
        now = fields.Datetime.now()
        return self.env["clinic.slot"].sudo().find_free(
            employees=self.employee_id, date_from=now, date_to=now + timedelta(days=days), duration=self.duration,
            limit=limit,
        )  # fmt: skip

    @api.model
    def _cron_sync_calendar(self, batch=500):
        """The reservations taken online become appointments first; their follow-up comes in the same run."""
        made = self.env["clinic.online.reservation"].with_context(clinic_following_up=True)._cron_follow_up(batch)
        result = super()._cron_sync_calendar(batch)
        if made == batch:
            self._trigger_follow_up()
        return result

    def _follow_up_booking(self):
        """The front desk's pop-ups of the bookings made online come with their follow-up, after the patient's
        request."""
        result = super()._follow_up_booking()
        for appointment in self.filtered(lambda a: a.source == "website"):
            appointment._notify_front_desk_online()
        return result

    def _notify_front_desk_online(self):
        """The receptionists' pop-up for a booking made online; a flagged one stays until closed and says why."""
        self.ensure_one()
        message = self.env._(
            "%(patient)s (%(birth)s, %(phone)s) booked %(doctor)s for %(when)s through %(where)s.",
            patient=self.patient_id.name,
            birth=self.patient_id.birth_date.strftime("%d.%m.%Y") if self.patient_id.birth_date else "?",
            phone=phone_tools.format_ru(self.contact_phone),
            doctor=self.employee_id.name,
            when=self._format_start(self.start),
            where=self.api_consumer_id.name or self.env._("the website"),
        )
        if self.needs_attention and self.attention_reason:
            message = f"{message} {self.env._('Check: %(what)s', what=self.attention_reason)}"
        self.env["clinic.reception"].notify(
            "website_booking", self.env._("Online booking"), message, self, sticky=self.needs_attention
        )

    def _ics(self):
        """The appointment as an iCalendar file for the patient's calendar (times in UTC)."""
        self.ensure_one()
        company = self.company_id
        address = ", ".join(filter(None, (company.name, company.street, company.city)))
        lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Clinic suite//Online booking//RU",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            f"UID:clinic-appointment-{self.id}@{self.env['ir.config_parameter'].sudo().get_param('database.uuid')}",
            f"DTSTAMP:{fields.Datetime.now().strftime(ICS_DATE)}",
            f"DTSTART:{self.start.strftime(ICS_DATE)}",
            f"DTEND:{self.stop.strftime(ICS_DATE)}",
            f"SUMMARY:{ics_text(self.env._('Appointment: %(doctor)s', doctor=self.employee_id.name))}",
            f"LOCATION:{ics_text(address)}",
            f"DESCRIPTION:{ics_text(', '.join([self.name, *self.service_ids.mapped('name')]))}",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:-PT2H",
            f"DESCRIPTION:{ics_text(self.employee_id.name)}",
            "END:VALARM",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
        return ("\r\n".join(ics_fold(line) for line in lines) + "\r\n").encode()
