import hashlib
import hmac
import re
from datetime import timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html2plaintext

from odoo.addons.clinic_base.tools.access import MANAGER, require_group, require_one

TEMPLATE_EVENTS = [
    ("booked", "Booked"),
    ("rescheduled", "Rescheduled"),
    ("cancelled", "Cancelled"),
    ("reminder_24h", "First reminder"),
    ("reminder_2h", "Second reminder"),
    ("waitlist_offer", "Waiting-list offer"),
    ("done", "Visit done, documents ready"),
    ("marketing", "Promotion"),
]
# messages written for one patient, without a template
EVENTS = [*TEMPLATE_EVENTS, ("free_times", "Free times offered"), ("answer", "Front desk answer")]
REMINDER_HOURS = {"reminder_24h": 24.0, "reminder_2h": 2.0}
VARIABLES = (
    "patient_name",
    "doctor",
    "specialty",
    "date",
    "time",
    "address",
    "cabinet",
    "clinic",
    "preparation",
    "doctor_changed",
    "expires",
)
REPLY_ACTIONS = ("CONFIRM", "CANCEL")
PROMOTION_VALID = timedelta(days=3)  # a promotion not sent within three days is stale


class _Missing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


class ClinicMessageTemplate(models.Model):
    """The text of one event's message; on WhatsApp the approved template of the same name."""

    _name = "clinic.message.template"
    _description = "Message template"
    _order = "event, id"

    name = fields.Char(string="Name", required=True)
    event = fields.Selection(TEMPLATE_EVENTS, string="Event", required=True, index=True)
    active = fields.Boolean(string="Active", default=True)
    body = fields.Text(
        string="Text",
        required=True,
        help="Variables in braces: {patient_name} (name and patronymic), {doctor}, {specialty}, {date}, {time} "
        "(in the clinic's time zone), {address}, {cabinet}, {clinic}, {preparation} (how to prepare, from the "
        "services), {doctor_changed} (a sentence naming the previous doctor when a move changed the doctor), "
        "{expires} (until when a waiting-list offer is held).",
    )
    hours_before = fields.Float(
        string="Hours before the visit",
        help="Reminders: how long before the start of the visit the message is due.",
    )
    wa_template_name = fields.Char(string="WhatsApp template", help="Name of the template approved by Meta.")
    wa_language = fields.Char(string="Template language", default="ru")
    wa_params = fields.Char(
        string="Template parameters",
        help="Variables filling the WhatsApp template's body {{1}}, {{2}}... in order, comma-separated.",
    )
    with_buttons = fields.Boolean(
        string="Confirm / cancel buttons", help="Quick replies «Подтвердить» and «Отменить» under the message."
    )
    preview_appointment_id = fields.Many2one("clinic.appointment", string="Preview for")
    preview = fields.Text(string="Preview", compute="_compute_preview")
    company_id = fields.Many2one("res.company", string="Clinic", required=True, default=lambda self: self.env.company)

    @api.depends("body", "event", "preview_appointment_id")
    def _compute_preview(self):
        """The text as the patient of the chosen appointment (else the next one ahead) would read it."""
        for template in self:
            appointment = template.preview_appointment_id or template._sample_appointment()
            template.preview = template._render(appointment)["body"] if appointment else template.body

    def _sample_appointment(self):
        return (
            self.env["clinic.appointment"]
            .sudo()
            .search([("start", ">", fields.Datetime.now()), ("state", "in", ("booked", "confirmed"))], limit=1)
        )

    @api.constrains("body", "wa_params")
    def _check_variables(self):
        for template in self:
            names = [n.strip() for n in (template.wa_params or "").split(",") if n.strip()]
            unknown = [n for n in names if n not in VARIABLES]
            if unknown:
                raise ValidationError(
                    self.env._(
                        "Template «%(name)s»: unknown parameters %(unknown)s; use %(known)s.",
                        name=template.name,
                        unknown=", ".join(unknown),
                        known=", ".join(VARIABLES),
                    )
                )

    def action_send_promotion(self):
        """Managers: queue this promotion for every patient with a marketing consent on one of the channels.

        Each patient gets it once a day, on the first channel (in the clinic's order) their marketing
        consent covers; patients without such a consent get nothing. Consent and the stricter quiet
        hours are checked again when the message leaves.
        """
        require_group(self.env, MANAGER, message=self.env._("Only managers send promotions."))
        require_one(self)
        self.check_access("read")
        if self.event != "marketing":
            raise UserError(
                self.env._("Template «%(name)s» is not a promotion: set its event to Promotion.", name=self.name)
            )
        queued = self.env["clinic.message"]._enqueue_promotion(self.sudo())
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._("The promotion is queued for %(count)s patients.", count=len(queued)),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _for_event(self, event, company):
        return self.sudo().search([("event", "=", event), ("company_id", "=", company.id)], limit=1)

    def _render(self, record):
        """Body text, WhatsApp parameters and button payloads for an appointment, an offer or a patient."""
        self.ensure_one()
        values = self._variables(record)
        names = [n.strip() for n in (self.wa_params or "").split(",") if n.strip()]
        appointment = record if record._name == "clinic.appointment" else None
        body = re.sub(r" {2,}", " ", self.body.format_map(_Missing(values)))  # an empty variable leaves no gap
        if self.event == "marketing":
            lang_env = self.with_context(
                lang=_patient_lang(record if record._name == "res.partner" else record.patient_id)
            ).env
            body += "\n" + lang_env._("To unsubscribe from promotions, reply STOP.")
        return {
            "body": body,
            "template_name": self.wa_template_name,
            "language": self.wa_language,
            "params": [values[name] for name in names],
            "buttons": [_button_payload(self.env, appointment, a) for a in REPLY_ACTIONS]
            if self.with_buttons and appointment
            else [],
        }

    @api.model
    def _variables(self, record):
        """Values of the variables: from an appointment, a waiting-list offer, or only the patient (promotions)."""
        record = record.sudo()
        if record._name == "res.partner":
            patient, company = record, record.company_id or self.env.company
            return {**dict.fromkeys(VARIABLES, ""), **_patient_values(patient, company)}
        offer = record if record._name == "clinic.waitlist.offer" else None
        patient, employee = record.patient_id, record.employee_id
        company = record.company_id if not offer else employee.company_id or self.env.company
        tz = pytz.timezone(employee._clinic_tz())
        local = pytz.utc.localize(record.start).astimezone(tz)
        cabinet = offer.slot_ids[:1].cabinet_id if offer else record.cabinet_id
        services = offer.waitlist_id.service_id if offer else record.service_ids
        return {
            **_patient_values(patient, company),
            "doctor": employee.name or "",
            "specialty": ", ".join(employee.specialty_ids.mapped("name")),
            "date": local.strftime("%d.%m.%Y"),
            "time": local.strftime("%H:%M"),
            "cabinet": cabinet.name or "",
            "preparation": " ".join(
                html2plaintext(text).strip() for text in services.mapped("description") if text
            ).strip(),
            "doctor_changed": self._doctor_changed(record) if not offer else "",
            "expires": pytz.utc.localize(offer.expires_at).astimezone(tz).strftime("%d.%m.%Y %H:%M") if offer else "",
        }

    @api.model
    def _doctor_changed(self, appointment):
        """«Обратите внимание: врач изменился (был …).» after a move to another practitioner, else empty."""
        last_move = appointment.event_ids.filtered("old_start").sorted(lambda e: (e.at, e.id))[-1:]
        if not last_move.old_employee_id:
            return ""
        return self.with_context(lang=_patient_lang(appointment.patient_id)).env._(
            "Please note: your doctor has changed (previously %(doctor)s).", doctor=last_move.old_employee_id.name
        )


def _patient_values(patient, company):
    address = ", ".join(p for p in (company.city, company.street, company.street2) if p)
    return {
        "patient_name": " ".join(p for p in (patient.first_name, patient.patronymic) if p) or patient.name,
        "address": address,
        "clinic": company.name,
    }


def _patient_lang(patient):
    """The language the patient reads: theirs when set, else Russian, the language of the templates."""
    return patient.lang if patient.lang and patient.lang != "en_US" else "ru_RU"


def _secret(env):
    return env["ir.config_parameter"].sudo().get_param("database.secret", "")


def _button_payload(env, appointment, action):
    """``A:<id>:<ACTION>:<hmac>``: a reply can act on its own appointment only."""
    base = f"A:{appointment.id}:{action}"
    return f"{base}:{hmac.new(_secret(env).encode(), base.encode(), hashlib.sha256).hexdigest()[:10]}"


def parse_button_payload(env, payload):
    """(appointment id, action) of a genuine payload, else None."""
    parts = (payload or "").split(":")
    if len(parts) != 4 or parts[0] != "A" or not parts[1].isdigit() or parts[2] not in REPLY_ACTIONS:
        return None
    appointment = env["clinic.appointment"].browse(int(parts[1]))
    if not hmac.compare_digest(_button_payload(env, appointment, parts[2]), payload):
        return None
    return int(parts[1]), parts[2]
