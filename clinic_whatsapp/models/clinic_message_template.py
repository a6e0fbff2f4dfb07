import hashlib
import hmac

import pytz

from odoo import api, fields, models
from odoo.exceptions import ValidationError

EVENTS = [
    ("booked", "Booked"),
    ("rescheduled", "Rescheduled"),
    ("cancelled", "Cancelled"),
    ("reminder_24h", "Reminder 24 h before"),
    ("reminder_2h", "Reminder 2 h before"),
]
VARIABLES = ("patient_name", "doctor", "specialty", "date", "time", "address", "cabinet", "clinic")
REPLY_ACTIONS = ("CONFIRM", "CANCEL")


class _Missing(dict):
    def __missing__(self, key):
        return "{" + key + "}"


class ClinicMessageTemplate(models.Model):
    """The text of one event's message; on WhatsApp the approved template of the same name."""

    _name = "clinic.message.template"
    _description = "Message template"
    _order = "event, id"

    name = fields.Char(string="Name", required=True)
    event = fields.Selection(EVENTS, string="Event", required=True, index=True)
    active = fields.Boolean(string="Active", default=True)
    body = fields.Text(
        string="Text",
        required=True,
        help="Variables in braces: {patient_name}, {doctor}, {specialty}, {date}, {time}, {address}, "
        "{cabinet}, {clinic}.",
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

    @api.depends("body", "preview_appointment_id")
    def _compute_preview(self):
        for template in self:
            appointment = template.preview_appointment_id
            template.preview = template._render(appointment)["body"] if appointment else template.body

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

    @api.model
    def _for_event(self, event, company):
        return self.sudo().search([("event", "=", event), ("company_id", "=", company.id)], limit=1)

    def _render(self, appointment):
        """Body text, WhatsApp parameters and button payloads for one appointment."""
        self.ensure_one()
        values = self._variables(appointment)
        names = [n.strip() for n in (self.wa_params or "").split(",") if n.strip()]
        return {
            "body": self.body.format_map(_Missing(values)),
            "template_name": self.wa_template_name,
            "language": self.wa_language,
            "params": [values[name] for name in names],
            "buttons": [_button_payload(self.env, appointment, a) for a in REPLY_ACTIONS] if self.with_buttons else [],
        }

    @api.model
    def _variables(self, appointment):
        appointment = appointment.sudo()
        patient, employee, company = appointment.patient_id, appointment.employee_id, appointment.company_id
        tz = pytz.timezone(employee._clinic_tz())
        local = pytz.utc.localize(appointment.start).astimezone(tz)
        address = ", ".join(p for p in (company.city, company.street, company.street2) if p)
        return {
            "patient_name": " ".join(p for p in (patient.first_name, patient.patronymic) if p) or patient.name,
            "doctor": employee.name or "",
            "specialty": ", ".join(employee.specialty_ids.mapped("name")),
            "date": local.strftime("%d.%m.%Y"),
            "time": local.strftime("%H:%M"),
            "address": address,
            "cabinet": appointment.cabinet_id.name or "",
            "clinic": company.name,
        }


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
