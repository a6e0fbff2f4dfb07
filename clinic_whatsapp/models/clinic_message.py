import logging
import re
from datetime import datetime, time, timedelta

import psycopg2
import pytz
from psycopg2 import errorcodes

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from odoo.addons.clinic_base.tools import phone as phone_tools
from odoo.addons.clinic_base.tools.access import MANAGER, RECEPTIONIST, require_group

from ..providers import Outcome
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
BACKOFF_SECONDS = 30  # 30 s, 2 min, 8 min, 32 min...
STALE_AFTER = timedelta(minutes=10)  # a send never takes this long: the worker died
REPLY_WORDS = {
    "CONFIRM": {"1", "да", "подтверждаю", "подтвердить", "подтверждено", "приду", "ок", "ok", "yes"},
    "CANCEL": {"2", "нет", "отмена", "отменить", "отменяю", "не приду", "не смогу", "cancel"},
    "RESCHEDULE": {"3", "перенести", "перенос", "перенесите", "перезапишите"},
    "STOP": {"стоп", "stop", "отписка", "отписаться"},
}
_PUNCTUATION = re.compile(r"[^\w\s]+")


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
        """Stop a queued message (front desk)."""
        require_group(
            self.env, RECEPTIONIST, MANAGER, message=self.env._("Only the front desk and managers can stop messages.")
        )
        self.check_access("write")
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

    def _claim(self):
        """Atomically move a queued row to «sending»: PostgreSQL lets one worker win; returns the attempt number.

        A row locked by another worker is skipped; a row another worker changed since this
        transaction began is a serialization failure, which means the same: not ours.
        """
        self.env.flush_all()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "UPDATE clinic_message SET state = 'sending', attempts = COALESCE(attempts, 0) + 1, "
                    "write_date = %s WHERE id = (SELECT id FROM clinic_message WHERE id = %s AND state = 'queued' "
                    "FOR UPDATE SKIP LOCKED) RETURNING attempts",
                    [fields.Datetime.now(), self.id],
                )
                row = self.env.cr.fetchone()
        except psycopg2.errors.SerializationFailure:
            row = None
        self.invalidate_recordset(["state", "attempts"])
        return row[0] if row else 0

    @api.model
    def _requeue_stale(self):
        """A worker died between its claim and the provider's answer: queue the message again.

        The SMS gateway gets the same ``id`` and keeps one message; WhatsApp has no idempotency key,
        so a message that did leave may arrive twice (logged on the row).
        """
        now = fields.Datetime.now()
        stale = self.sudo().search([("state", "=", "sending"), ("write_date", "<", now - STALE_AFTER)])
        stale.write({"state": "queued", "scheduled_at": now, "error": self.env._("The sending worker stopped.")})
        stale._schedule()
        return stale

    def _send(self):
        """The job: gates (state, consent, quiet hours), one provider call, then retry, fallback or done."""
        self.ensure_one()
        message = self.sudo()
        attempt = message._claim()
        if not attempt:
            return "already handled"
        now = fields.Datetime.now()
        if message._obsolete(now):
            message.write({"state": "skipped", "error": self.env._("The appointment no longer needs this message.")})
            return "skipped"
        channel = message.channel_id
        if not message.phone or not message.partner_id.clinic_may_contact(
            message._purpose(), channel.contact_channel, now
        ):
            message.write({"state": "skipped", "error": self.env._("No consent or no phone for this channel.")})
            message._fallback()
            return "no consent"
        morning = message._quiet_until(now)
        if morning:
            if morning >= message.deadline:
                message.write({"state": "skipped", "error": self.env._("Quiet hours last past the deadline.")})
                return "skipped"
            message.write({"state": "queued", "scheduled_at": morning})
            message._schedule()
            return "deferred"
        rendered = message.template_id._render(message._subject()) if message.template_id else {"body": message.body}
        if not message.template_id:
            rendered["free_text"] = True
        message.body = rendered["body"]
        result = channel._provider().send(message, rendered)
        return message._apply_result(result, now, attempt)

    def _apply_result(self, result, now, attempt):
        if result.outcome == Outcome.SENT:
            self.write({"state": "sent", "provider_message_id": result.provider_message_id, "sent_at": now})
            self._post_chatter()
            return "sent"
        vals = {"error_code": result.error_code, "error": (result.error or "")[:250]}
        if result.outcome == Outcome.RETRY:
            retry_at = now + timedelta(seconds=BACKOFF_SECONDS * 4 ** (attempt - 1))
            if retry_at < self.deadline:
                self.write({**vals, "state": "queued", "scheduled_at": retry_at})
                self._schedule()
                return "retry"
        self.write({**vals, "state": "failed"})
        if result.outcome == Outcome.GIVE_UP:
            self.env["clinic.reception"].notify(
                "messaging", self.env._("Message refused"), f"{self.phone}: {result.error_code}", self.appointment_id
            )
            return "failed"
        self._fallback()
        return "failed"

    def _fallback(self):
        """The next channel takes the message; after the last one the appointment goes to the call list."""
        self.ensure_one()
        following = self.channel_id._next()
        if not following:
            if self.appointment_id:
                self.appointment_id._clinic_messaging_call_list()
            return self.browse()
        copy = self.create(
            {
                "appointment_id": self.appointment_id.id,
                "offer_id": self.offer_id.id,
                "option_slot_ids": [(6, 0, self.option_slot_ids.ids)],
                "partner_id": self.partner_id.id,
                "channel_id": following.id,
                "template_id": self.template_id.id,
                "event": self.event,
                "direction": "out",
                "phone": self.phone,
                "body": self.body,
                "scheduled_at": fields.Datetime.now(),
                "deadline": self.deadline,
                "key": f"{self.key}>{following.id}",
                "parent_id": self.id,
            }
        )
        copy._schedule()
        return copy

    def _quiet_until(self, now):
        """The end of quiet hours when now is inside them (naive UTC), else None."""
        company = self.company_id or self.env.company
        start, end = self._quiet_hours(company)
        zone = self.partner_id.tz or (self.appointment_id.employee_id._clinic_tz() if self.appointment_id else None)
        tz = pytz.timezone(zone) if zone else company._clinic_tzinfo()
        local = pytz.utc.localize(now).astimezone(tz)
        hour = local.hour + local.minute / 60
        if not (hour >= start or hour < end):
            return None
        day = local.date() + timedelta(days=1) if hour >= start else local.date()
        wake = tz.localize(datetime.combine(day, time(int(end), int(round(end % 1 * 60)))))
        return wake.astimezone(pytz.utc).replace(tzinfo=None)

    # ------------------------------------------------------------------ webhooks

    @api.model
    def _process_webhook(self, channel, events):
        """Apply a provider's statuses and replies once each, whatever their order or repetition."""
        for event in events:
            if event.kind == "status":
                self._apply_status(channel, event)
            else:
                self._receive(channel, event)

    @api.model
    def _apply_status(self, channel, event):
        Message = self.sudo()
        message = Message.search(
            [
                ("channel_id", "=", channel.id),
                ("direction", "=", "out"),
                ("provider_message_id", "=", event.provider_message_id),
            ],
            limit=1,
        )
        if not message and event.reference.isdigit():
            message = Message.browse(int(event.reference)).exists().filtered(lambda m: m.channel_id == channel)
        if not message:
            _logger.info("clinic_whatsapp: status %s for unknown message %s", event.status, event.provider_message_id)
            return
        if message.state not in STATUS_RANK:
            return  # failed, cancelled, skipped: final
        if event.status == "failed":
            if message.state in ("delivered", "read"):
                return  # another device of the patient has it already
            message.write({"state": "failed", "error_code": event.error_code})
            message._refresh_chatter()
            message._fallback()
        elif STATUS_RANK[event.status] > STATUS_RANK[message.state]:
            # a status may overtake our own commit of the provider's id: take it from the status
            message.write({"state": event.status, "provider_message_id": event.provider_message_id})
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
        partner = (
            appointment.patient_id or last.partner_id or Message.search([("phone", "=", phone)], limit=1).partner_id
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
