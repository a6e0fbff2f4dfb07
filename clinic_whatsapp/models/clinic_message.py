import logging
import re

import psycopg2
from psycopg2 import errorcodes

from odoo import api, fields, models
from odoo.exceptions import UserError

from odoo.addons.clinic_base.tools import phone as phone_tools
from odoo.addons.clinic_base.tools.access import MANAGER, RECEPTIONIST, require_group

from .clinic_message_template import EVENTS, parse_button_payload

_logger = logging.getLogger(__name__)

STATES = [
    ("queued", "Queued"),
    ("sending", "Sending"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("read", "Read"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
    ("skipped", "Skipped"),
    ("received", "Received"),
]
STATUS_RANK = {"queued": 0, "sending": 0, "sent": 1, "delivered": 2, "read": 3}
PENDING = ("queued", "sending")
REPLY_WORDS = {
    "CONFIRM": {"1", "да", "подтверждаю", "подтвердить", "подтверждено", "приду", "ок", "ok", "yes"},
    "CANCEL": {"2", "нет", "отмена", "отменить", "отменяю", "не приду", "не смогу", "cancel"},
    "RESCHEDULE": {"3", "перенести", "перенос", "перенесите", "перезапишите"},
    "STOP": {"стоп", "stop", "отписка", "отписаться"},
}
_PUNCTUATION = re.compile(r"[^\w\s]+")


class SendInFlight(Exception):
    """A status for a row whose request is still in flight: the webhook asks the provider to redeliver it."""


def reply_action(text):
    """CONFIRM / CANCEL / RESCHEDULE / STOP for a patient's free-text answer, else None."""
    words = " ".join(_PUNCTUATION.sub(" ", (text or "").lower().replace("ё", "е")).split())
    return next((action for action, known in REPLY_WORDS.items() if words in known), None)


class ClinicMessage(models.Model):
    """The outbox and inbox: one row per message, written in the transaction of the event causing it.

    A queue_job job sends a row after claiming it with an atomic UPDATE from «queued»: a row is
    sent once even when two workers pick it up, and the unique key keeps an event from queueing
    the same message twice.
    """

    _name = "clinic.message"
    _description = "Patient message"
    _order = "id desc"

    appointment_id = fields.Many2one("clinic.appointment", string="Appointment", index=True, ondelete="cascade")
    partner_id = fields.Many2one("res.partner", string="Patient", index=True, ondelete="cascade")
    channel_id = fields.Many2one("clinic.messaging.channel", string="Channel", required=True, ondelete="restrict")
    template_id = fields.Many2one("clinic.message.template", string="Template", ondelete="set null")
    event = fields.Selection(EVENTS, string="Event")
    direction = fields.Selection([("out", "Outgoing"), ("in", "Incoming")], string="Direction", required=True)
    phone = fields.Char(string="Phone")
    body = fields.Text(string="Text")
    state = fields.Selection(STATES, string="Status", required=True, default="queued", index=True)
    scheduled_at = fields.Datetime(string="Due", help="Not sent before this time.")
    deadline = fields.Datetime(string="Deadline", help="No attempt after this time: the message is useless then.")
    attempts = fields.Integer(string="Attempts", readonly=True, default=0)
    key = fields.Char(string="Identity key", readonly=True, help="One message per appointment, event and channel.")
    provider_message_id = fields.Char(string="Provider's id", index=True)
    error_code = fields.Char(string="Error code")
    error = fields.Char(string="Error")
    parent_id = fields.Many2one("clinic.message", string="Fallback of", ondelete="set null")
    sent_at = fields.Datetime(string="Sent at")
    company_id = fields.Many2one("res.company", string="Clinic", related="channel_id.company_id", store=True)

    _sql_constraints = [
        ("key_unique", "UNIQUE(key)", "This message is already in the outbox."),
        (
            "provider_id_unique",
            "UNIQUE(channel_id, direction, provider_message_id)",
            "The provider's message id is already recorded on this channel.",
        ),
        (
            "sent_has_provider_id",
            "CHECK(direction = 'in' OR state NOT IN ('sent', 'delivered', 'read') OR provider_message_id IS NOT NULL)",
            "A sent message carries the provider's id.",
        ),
    ]

    # ------------------------------------------------------------------ actions

    def action_cancel(self):
        """Stop a queued message (front desk): the only change a user makes to a message (no write access:
        what a message says and to whom is the system's, so it is written as superuser after these checks)."""
        require_group(
            self.env, RECEPTIONIST, MANAGER, message=self.env._("Only the front desk and managers can stop messages.")
        )
        self.check_access("read")
        waiting = self.filtered(lambda m: m.state == "queued")
        if waiting != self:
            raise UserError(
                self.env._(
                    "%(names)s already left: only queued messages can be stopped.",
                    names=", ".join((self - waiting).mapped("display_name")),
                )
            )
        waiting.sudo().write({"state": "cancelled"})
        return True

    # ------------------------------------------------------------------ outbox

    @api.model
    def _enqueue(self, appointment, event, due, deadline, tag=None):
        """Queue one event's message on the first channel; nothing when no channel or template exists.

        ``tag`` tells apart messages sent by hand from the automatic one of the same event.
        """
        if due >= deadline:
            return self.browse()  # too late (or a visit from the past being imported): nothing to look up
        appointment = appointment.sudo()
        template = self.env["clinic.message.template"]._for_event(event, appointment.company_id)
        channel = self.env["clinic.messaging.channel"]._ordered(appointment.company_id)[:1]
        if not template or not channel:
            return self.browse()
        key = f"{appointment.id}:{event}:{appointment.reschedule_count}:{channel.id}" + (f":{tag}" if tag else "")
        if self.sudo().search_count([("key", "=", key)]):
            return self.browse()
        message = self.sudo().create(
            {
                "appointment_id": appointment.id,
                "partner_id": appointment.patient_id.id,
                "channel_id": channel.id,
                "template_id": template.id,
                "event": event,
                "direction": "out",
                "phone": _e164(appointment.patient_id),
                "scheduled_at": due,
                "deadline": deadline,
                "key": key,
            }
        )
        message._schedule()
        return message

    def _schedule(self):
        for message in self:
            message.with_delay(
                eta=message.scheduled_at,
                identity_key=f"clinic.message:{message.id}:{message.attempts}",
                max_retries=1,
                description=f"Send clinic message {message.id}",
            )._send()

    # ------------------------------------------------------------------ webhooks

    @api.model
    def _process_webhook(self, channel, events):
        """Apply a provider's statuses and replies once each, whatever their order or repetition."""
        for event in events:
            if event.user_ref and event.phone:
                self._link_messenger_user(channel, event)
            if event.kind == "status":
                self._apply_status(channel, event)
            else:
                self._receive(channel, event)

    @api.model
    def _link_messenger_user(self, channel, event):
        """A patient shared their own number with a messenger bot that addresses people by user id: keep the id.

        The event's number is one the provider vouches for as the sender's (MAX: the sender's own contact
        card, or the line already linked to them), never a number found in a message's content."""
        if channel.provider != "max_bot":
            return
        lines = self.env["clinic.partner.phone"].sudo().search([("number", "=", "+" + event.phone.lstrip("+"))])
        lines.filtered(lambda line: line.max_user_id != event.user_ref).write({"max_user_id": event.user_ref})

    @api.model
    def _apply_status(self, channel, event):
        Message = self.sudo()
        message = Message.search_fetch(
            [
                ("channel_id", "=", channel.id),
                ("direction", "=", "out"),
                ("provider_message_id", "=", event.provider_message_id),
            ],
            ["state", "phone", "provider_message_id"],
            limit=1,
        )
        by_reference = not message and event.reference.isdigit()
        if by_reference:
            message = Message.browse(int(event.reference)).exists().filtered(lambda m: m.channel_id == channel)
        if not message:
            _logger.info("clinic_whatsapp: status %s for unknown message %s", event.status, event.provider_message_id)
            return
        if message.state == "sending":
            raise SendInFlight(message.id)
        if message.state not in STATUS_RANK:
            return  # failed, cancelled, skipped: final
        Phone = self.env["clinic.partner.phone"]
        if event.status in ("delivered", "read") and message.state not in ("delivered", "read"):
            Phone._set_messenger_reachable(message.phone, channel.contact_channel, True)
        elif event.status == "failed" and event.error_code in channel._provider().unreachable_codes():
            Phone._set_messenger_reachable(message.phone, channel.contact_channel, False)
        # a status may overtake our own commit of the provider's id (or bring the real one): take it
        vals = {"provider_message_id": event.provider_message_id} if by_reference else {}
        if event.status == "failed":
            if message.state in ("delivered", "read"):
                return  # another device of the patient has it already
            message.write({**vals, "state": "failed", "error_code": event.error_code})
            message._refresh_chatter()
            message._fallback()
            return
        if STATUS_RANK[event.status] > STATUS_RANK[message.state]:
            vals["state"] = event.status
        if vals:
            message.write(vals)
            message._refresh_chatter()

    @api.model
    def _receive(self, channel, event):
        Message = self.sudo()
        domain = [
            ("channel_id", "=", channel.id),
            ("direction", "=", "in"),
            ("provider_message_id", "=", event.provider_message_id),
        ]
        if Message.search_count(domain):
            return Message.browse()
        phone = "+" + event.phone.lstrip("+") if event.phone else ""
        button = parse_button_payload(self.env, event.payload)
        last = Message.browse()
        if button:
            appointment = self.env["clinic.appointment"].sudo().browse(button[0])
        else:
            last = Message._reply_context(phone)
            appointment = last.appointment_id
        # no number (a messenger user who never shared theirs) is nobody: not the patients without a number
        partner = (
            appointment.patient_id
            or last.partner_id
            or (phone and Message.search([("phone", "=", phone)], limit=1).partner_id)
            or self.env["res.partner"]
        )
        try:
            with self.env.cr.savepoint():
                inbound = Message.create(
                    {
                        "appointment_id": appointment.id,
                        "partner_id": partner.id,
                        "channel_id": channel.id,
                        "direction": "in",
                        "phone": phone,
                        "body": event.text or event.payload,
                        "state": "received",
                        "provider_message_id": event.provider_message_id,
                        "reply_to_id": last.id,
                        "offer_id": last.offer_id.id,
                    }
                )
                self.env.flush_all()
        except psycopg2.IntegrityError as exc:
            if exc.pgcode != errorcodes.UNIQUE_VIOLATION:
                raise
            return Message.browse()  # the same reply delivered twice at once
        inbound._post_chatter()
        # a button whose payload does not check out acts on nothing, whatever its label says
        action = button[1] if button else (None if event.payload else reply_action(event.text))
        inbound._act(action)
        return inbound


def _e164(partner):
    for raw in (partner.mobile, partner.phone):
        if raw:
            try:
                return phone_tools.normalize(raw)["e164"]
            except phone_tools.PhoneError:
                continue
    return False
