import logging
import re
from concurrent.futures import ThreadPoolExecutor
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
BACKOFF_SECONDS = 30  # 30 s, 2 min, 8 min, 32 min... (parameter clinic_whatsapp.backoff)
RECONCILE_SECONDS = 120  # after a timeout without idempotency key, wait this long for a status before resending
BATCH = 50  # due rows of one channel a job claims and sends together (clinic_whatsapp.batch)
SENDING_THREADS = 8  # provider requests of a batch in flight at once (clinic_whatsapp.threads)
STALE_AFTER = timedelta(minutes=10)  # a send never takes this long: the worker died
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

    def _claim_due(self, limit):
        """Claim up to ``limit`` more due rows of this row's channel, skipping rows another worker holds.

        Their own jobs, still pending, are marked done: the job runner does not start them for nothing.
        """
        if limit <= 0:
            return self.browse()
        now = fields.Datetime.now()
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(
                    "UPDATE clinic_message SET state = 'sending', attempts = COALESCE(attempts, 0) + 1, "
                    "write_date = %s WHERE id IN (SELECT id FROM clinic_message WHERE channel_id = %s "
                    "AND direction = 'out' AND state = 'queued' AND scheduled_at <= %s AND id != %s "
                    "ORDER BY scheduled_at, id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id, attempts",
                    [now, self.channel_id.id, now, self.id, limit],
                )
                rows = self.env.cr.fetchall()
        except psycopg2.errors.SerializationFailure:
            rows = []
        others = self.browse([row[0] for row in rows])
        others.invalidate_recordset(["state", "attempts"])
        if rows:
            keys = [f"clinic.message:{message_id}:{attempts - 1}" for message_id, attempts in rows]
            self.env["queue.job"].sudo().search([("identity_key", "in", keys), ("state", "=", "pending")]).write(
                {"state": "done", "date_done": now, "result": f"Sent with clinic message {self.id}"}
            )
        return others

    @api.model
    def _requeue_stale(self):
        """A worker died between its claim and the provider's answer: queue the message again.

        The claim was committed before the request left, so the row says «sending» until then; a status
        webhook that came meanwhile (the Cloud API echoes our outbox id) has already moved it on. The SMS
        gateway and Wazzup get the same idempotency key and keep one message; a Cloud API or MAX message
        that left without any status since may arrive twice (logged on the row).
        """
        now = fields.Datetime.now()
        stale = self.sudo().search([("state", "=", "sending"), ("write_date", "<", now - STALE_AFTER)])
        stale.write({"state": "queued", "scheduled_at": now, "error": self.env._("The sending worker stopped.")})
        stale._schedule()
        return stale

    def _send(self):
        """The job: claim this row and a batch of other due rows of its channel, send them, record the answers.

        The claim is committed, in a cursor of its own, before any request leaves: a worker killed
        while sending leaves its rows «sending» for ``_requeue_stale``, never re-sent by a blind re-run.
        """
        self.ensure_one()
        self.env.flush_all()
        with self.env.registry.cursor() as cr:
            message = self.with_env(self.env(cr=cr, su=True))
            if not message._claim():
                return "already handled"
            batch = message | message._claim_due(_param(message.env, "batch", BATCH) - 1)
            cr.commit()  # pylint: disable=invalid-commit - the claim must be durable before sending
            outcomes = batch._deliver()
        self.env.invalidate_all()
        return outcomes[self.id]

    def _deliver(self):
        """Gates, then the provider requests of the batch in parallel threads, then each answer applied."""
        now = fields.Datetime.now()
        outcomes, ready, providers = {}, [], {}
        for message in self:
            outcome = message._gate(now)
            if outcome:
                outcomes[message.id] = outcome
                continue
            appointment = message.appointment_id
            rendered = message.template_id._render(appointment) if message.template_id else {"body": message.body}
            if not message.template_id:
                rendered["free_text"] = True
            message.body = rendered["body"]
            provider = providers.get(message.channel_id.id) or message.channel_id._provider()
            providers[message.channel_id.id] = provider
            ready.append((message, provider, provider.outgoing(message, rendered)))
        threads = min(len(ready), _param(self.env, "threads", SENDING_THREADS))
        if threads > 1:
            with ThreadPoolExecutor(threads) as pool:
                results = list(pool.map(lambda item: item[1].send(item[2]), ready))
        else:
            results = [provider.send(outgoing) for _message, provider, outgoing in ready]
        for (message, provider, _outgoing), result in zip(ready, results, strict=True):
            outcomes[message.id] = message._apply_result(result, now, message.attempts, provider)
        return outcomes

    def _gate(self, now):
        """Why this row does not leave now (its outcome, the row updated), or None when it goes."""
        appointment = self.appointment_id
        if appointment and (appointment.state not in ("booked", "confirmed", "cancelled") or now >= self.deadline):
            self.write({"state": "skipped", "error": self.env._("The appointment no longer needs this message.")})
            return "skipped"
        channel = self.channel_id
        if not self.phone or not self.partner_id.clinic_may_contact("service_messages", channel.contact_channel, now):
            self.write({"state": "skipped", "error": self.env._("No consent or no phone for this channel.")})
            self._fallback()
            return "no consent"
        if self.env["clinic.partner.phone"]._messenger_unreachable(self.phone, channel.contact_channel, now):
            self.write({"state": "skipped", "error": self.env._("The number is not on this messenger.")})
            self._fallback()
            return "unreachable"
        morning = self._quiet_until(now)
        if morning:
            if morning >= self.deadline:
                self.write({"state": "skipped", "error": self.env._("Quiet hours last past the deadline.")})
                return "skipped"
            self.write({"state": "queued", "scheduled_at": morning})
            self._schedule()
            return "deferred"
        return None

    def _apply_result(self, result, now, attempt, provider):
        if result.reachable is not None:
            self.env["clinic.partner.phone"]._set_messenger_reachable(
                self.phone, self.channel_id.contact_channel, result.reachable, now
            )
        if result.outcome == Outcome.SENT:
            self.write({"state": "sent", "provider_message_id": result.provider_message_id, "sent_at": now})
            self._post_chatter()
            return "sent"
        vals = {"error_code": result.error_code, "error": (result.error or "")[:250]}
        if result.outcome == Outcome.RETRY:
            retry_at = now + timedelta(
                seconds=max(_param(self.env, "backoff", BACKOFF_SECONDS) * 4 ** (attempt - 1), result.retry_after)
            )
            if result.error_code == "timeout" and not provider.idempotent:
                # the request may have gone through: give its status webhook the time to say so first
                retry_at = max(retry_at, now + timedelta(seconds=_param(self.env, "reconcile", RECONCILE_SECONDS)))
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
        start, end = company.clinic_quiet_start, company.clinic_quiet_end
        zone = self.partner_id.tz or (self.appointment_id.employee_id._clinic_tz() if self.appointment_id else None)
        tz = pytz.timezone(zone) if zone else company._clinic_tzinfo()
        local = pytz.utc.localize(now).astimezone(tz)
        hour = local.hour + local.minute / 60
        if not (hour >= start or hour < end):
            return None
        day = local.date() + timedelta(days=1) if hour >= start else local.date()
        wake = tz.localize(datetime.combine(day, time(int(end), int(round(end % 1 * 60)))))
        return wake.astimezone(pytz.utc).replace(tzinfo=None)

    def _post_chatter(self):
        for message in self:
            arrow = "→" if message.direction == "out" else "←"
            body = f"{arrow} {message.channel_id.name}: {message.body or ''}"
            author = message.partner_id.id if message.direction == "in" else False
            for record in (message.appointment_id, message.partner_id):
                if record:
                    record.sudo().message_post(
                        body=body, author_id=author, message_type="comment", subtype_xmlid="mail.mt_note"
                    )

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
        """A patient shared their number with a messenger bot that addresses people by user id: keep the id."""
        if channel.provider != "max_bot":
            return
        lines = self.env["clinic.partner.phone"].sudo().search([("number", "=", "+" + event.phone.lstrip("+"))])
        lines.filtered(lambda line: line.max_user_id != event.user_ref).write({"max_user_id": event.user_ref})

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
        if event.status in ("delivered", "read"):
            Phone._set_messenger_reachable(message.phone, channel.contact_channel, True)
        elif event.status == "failed" and event.error_code in channel._provider().unreachable_codes():
            Phone._set_messenger_reachable(message.phone, channel.contact_channel, False)
        # a status may overtake our own commit of the provider's id (or bring the real one): take it
        vals = {"provider_message_id": event.provider_message_id} if by_reference else {}
        if event.status == "failed":
            if message.state in ("delivered", "read"):
                return  # another device of the patient has it already
            message.write({**vals, "state": "failed", "error_code": event.error_code})
            message._fallback()
            return
        if STATUS_RANK[event.status] > STATUS_RANK[message.state]:
            vals["state"] = event.status
        if vals:
            message.write(vals)

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
        if button:
            appointment = self.env["clinic.appointment"].sudo().browse(button[0])
        else:
            last = Message.search(
                [("direction", "=", "out"), ("phone", "=", phone), ("appointment_id", "!=", False)],
                order="id desc",
                limit=1,
            )
            appointment = last.appointment_id
        partner = appointment.patient_id or Message.search([("phone", "=", phone)], limit=1).partner_id
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

    def _act(self, action):
        """What a patient's reply does; repeated replies change nothing the second time."""
        appointment = self.appointment_id.with_context(clinic_channel=self.channel_id.contact_channel)
        if action == "STOP" and self.partner_id:
            Consent = self.env["clinic.consent"].sudo()
            for purpose in ("service_messages", "marketing"):
                Consent.create(
                    {
                        "partner_id": self.partner_id.id,
                        "purpose": purpose,
                        "channel": self.channel_id.contact_channel,
                        "action": "withdrawn",
                        "source": "message",
                        "note": self.env._(
                            "Reply «%(text)s» on %(channel)s", text=self.body, channel=self.channel_id.name
                        ),
                    }
                )
        elif action == "CONFIRM" and appointment.state in ("booked", "confirmed"):
            if appointment.state == "booked":
                appointment.action_confirm()
        elif action == "CANCEL" and appointment.state in ("booked", "confirmed", "cancelled"):
            if appointment.state != "cancelled":
                appointment.action_cancel(
                    reason=self.env._("Cancelled by the patient's reply on %(channel)s", channel=self.channel_id.name),
                    by="patient",
                )
        else:
            self.env["clinic.reception"].notify(
                "message",
                self.env._("Patient's message"),
                f"{self.partner_id.display_name or self.phone}: {self.body}",
                appointment or self.partner_id or None,
                sticky=True,
            )


def _e164(partner):
    for raw in (partner.mobile, partner.phone):
        if raw:
            try:
                return phone_tools.normalize(raw)["e164"]
            except phone_tools.PhoneError:
                continue
    return False


def _param(env, name, default):
    """A tuning figure from the system parameter ``clinic_whatsapp.<name>`` (the benchmark compresses time)."""
    value = env["ir.config_parameter"].sudo().get_param(f"clinic_whatsapp.{name}")
    try:
        return type(default)(value) if value else default
    except ValueError:
        return default
