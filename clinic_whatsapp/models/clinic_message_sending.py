import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, time, timedelta

import psycopg2
import pytz

from odoo import api, fields, models
from odoo.tools import mute_logger

from ..providers import Outcome

_logger = logging.getLogger(__name__)

BACKOFF_SECONDS = 30  # 30 s, 2 min, 8 min, 32 min... (parameter clinic_whatsapp.backoff)
RECONCILE_SECONDS = 120  # after a timeout without idempotency key, wait this long for a status (.reconcile)
BATCH = 50  # due rows of one channel a job claims and sends together (clinic_whatsapp.batch)
SENDING_THREADS = 8  # provider requests of a batch in flight at once (clinic_whatsapp.threads)
STALE_AFTER = timedelta(minutes=10)  # a send never takes this long: the worker died


class ClinicMessage(models.Model):
    """Sending the outbox: claim, gates, provider requests by batch, then retry, fallback or done.

    A job claims its row and a batch of other due rows of the same channel (SKIP LOCKED) and commits
    the claim before any request leaves; the batch's requests go out in parallel threads, their
    answers are applied in the job's thread. Every guarantee stays per row: the claim from «queued»,
    the unique keys, the consent and quiet-hours gates, the deadline.
    """

    _inherit = "clinic.message"

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
            try:
                # the runner may be dispatching some of them right now: those are skipped and run for nothing
                with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                    self.env.cr.execute(
                        "UPDATE queue_job SET state = 'done', date_done = %s, result = %s WHERE id IN ("
                        "SELECT id FROM queue_job WHERE identity_key = ANY(%s) AND state = 'pending' "
                        "FOR UPDATE SKIP LOCKED)",
                        [now, f"Sent with clinic message {self.id}", keys],
                    )
            except psycopg2.errors.SerializationFailure:
                _logger.debug("clinic_whatsapp: jobs of batch %s left to the runner", self.id)
            self.env["queue.job"].invalidate_model(["state", "date_done", "result"])
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
            # the claim must be durable before any request leaves
            cr.commit()  # pylint: disable=invalid-commit
            outcomes = batch._deliver()
        self.env.invalidate_all()
        return outcomes[self.id]

    def _deliver(self):
        """Gates, then the provider requests of the batch in parallel threads, then each answer applied."""
        now = fields.Datetime.now()
        outcomes, ready, providers = {}, [], {}
        allowed, unreachable = self._reachability(now)
        settled = self._settle_from_stored_statuses(now)
        for message in self:
            outcome = "sent before" if message in settled else message._gate(now, allowed, unreachable)
            if outcome:
                outcomes[message.id] = outcome
                continue
            if message.template_id:
                rendered = message.template_id._render(message._subject())
            else:
                rendered = {"body": message.body, "free_text": True}
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
            outcomes[message.id] = message._apply_result(result, message.attempts, provider)
        self.filtered(lambda m: outcomes[m.id] == "sent")._post_chatter()
        return outcomes

    def _settle_from_stored_statuses(self, now):
        """Rows whose last attempt timed out but which the provider took after all: its status webhook is
        stored and not applied yet (the applying job waits behind the sending ones). They are recorded
        as sent from that status instead of being sent a second time."""
        late = self.filtered(lambda m: m.error_code == "timeout")
        statuses = self.env["clinic.message.webhook"]._take_sent_statuses(late)
        settled = self.browse()
        for message in late:
            status = statuses.get(message.id)
            if status:
                message.write(
                    {"state": status["status"], "provider_message_id": status["provider_message_id"], "sent_at": now}
                )
                settled |= message
        settled._post_chatter()
        return settled

    def _reachability(self, now):
        """For the whole batch at once: (partner, purpose, consent channel) allowed, (phone, channel) unreachable.

        Each row is checked for its own purpose: a promotion needs the marketing consent.
        """
        allowed, unreachable = set(), set()
        for channel in self.channel_id:
            rows = self.filtered_domain([("channel_id", "=", channel.id)])
            contact = channel.contact_channel
            for purpose in {row._purpose() for row in rows}:
                partners = rows.filtered(lambda row, purpose=purpose: row._purpose() == purpose).partner_id
                allowed |= {
                    (partner_id, purpose, contact)
                    for partner_id in self.env["clinic.consent"]._may_contact_many(partners, purpose, contact, now)
                }
            numbers = self.env["clinic.partner.phone"]._messenger_unreachable(rows.mapped("phone"), contact, now)
            unreachable |= {(number, contact) for number in numbers}
        return allowed, unreachable

    def _gate(self, now, allowed, unreachable):
        """Why this row does not leave now (its outcome, the row updated), or None when it goes."""
        if self._obsolete(now):
            self.write({"state": "skipped", "error": self.env._("The appointment no longer needs this message.")})
            return "skipped"
        contact = self.channel_id.contact_channel
        if not self.phone or (self.partner_id.id, self._purpose(), contact) not in allowed:
            self.write({"state": "skipped", "error": self.env._("No consent or no phone for this channel.")})
            self._fallback()
            return "no consent"
        if (self.phone, contact) in unreachable:
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

    def _apply_result(self, result, attempt, provider):
        """Record one answer; a retry counts its wait from now, when the answer came, not from the batch's start."""
        now = fields.Datetime.now()
        if result.reachable is not None:
            self.env["clinic.partner.phone"]._set_messenger_reachable(
                self.phone, self.channel_id.contact_channel, result.reachable, now
            )
        if result.outcome == Outcome.SENT:
            self.write({"state": "sent", "provider_message_id": result.provider_message_id, "sent_at": now})
            return "sent"
        vals = {"error_code": result.error_code, "error": (result.error or "")[:250]}
        if result.outcome == Outcome.RETRY and not self.channel_id.demo:
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
        self._post_chatter()  # the front desk sees the failure, then what the next channel did with it
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


def _param(env, name, default):
    """A tuning figure from the system parameter ``clinic_whatsapp.<name>`` (the benchmark compresses time)."""
    value = env["ir.config_parameter"].sudo().get_param(f"clinic_whatsapp.{name}")
    try:
        return type(default)(value) if value else default
    except ValueError:
        return default
