import dataclasses
import json
import logging
from datetime import timedelta

from psycopg2 import errors as pg_errors

from odoo import api, fields, models

from odoo.addons.queue_job.exception import RetryableJobError

from ..providers.base import WebhookEvent
from .clinic_message import STATUS_RANK, SendInFlight
from .clinic_message_sending import _param

_logger = logging.getLogger(__name__)

APPLY_IDENTITY = "clinic.message.webhook:apply"
APPLY_CHUNK = 500  # stored events one job applies in its transaction; the rest go to the next job
DEFER_SECONDS = 5  # a status for a message still being sent waits this long before the next try
KEEP_APPLIED_DAYS = 30  # applied events dropped after this: providers redeliver for a week at most (Meta: 7 days)


class ClinicMessageWebhook(models.Model):
    """What the providers told us by webhook, stored before it is applied (spec §1.10).

    The webhook request checks the signature, parses the delivery and stores each event it holds in one
    INSERT; the unique key (provider's message id, and the status for a status) drops a redelivery there.
    A queue_job job, one pending at a time, applies the stored events in the order they came through
    ``clinic.message._process_webhook``: statuses never move back, replies drive the appointment.
    Nothing is lost between the two: an event stays «pending» until the transaction applying it commits.
    """

    _name = "clinic.message.webhook"
    _description = "Messaging webhook event"
    _order = "id"

    channel_id = fields.Many2one("clinic.messaging.channel", string="Channel", required=True, ondelete="cascade")
    key = fields.Char(string="Event key", required=True, help="The provider's message id, and the status for one.")
    event = fields.Json(string="Event", help="The event as the provider's parser read it from the delivery.")
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Applied"), ("error", "Error")],
        string="Status",
        required=True,
        default="pending",
    )
    error = fields.Char(string="Error", help="Why the event could not be applied (it is kept for a manager).")

    _sql_constraints = [
        ("key_unique", "UNIQUE(channel_id, key)", "The provider delivered this event already."),
    ]

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS clinic_message_webhook_pending_idx ON clinic_message_webhook (id)"
            " WHERE state = 'pending'"
        )

    # ------------------------------------------------------------------ the request's part

    @api.model
    def _store(self, channel_id, events):
        """Store a delivery's events and make sure a job will apply them; the webhook request's only write.

        Plain SQL rather than ``create``: the request is the hot path of the provider's traffic (Meta
        sends about three statuses per message), and one ``INSERT … ON CONFLICT DO NOTHING`` that also
        tells whether an applying job is already waiting is one round trip instead of the ORM's
        several (defaults, sequence, create_uid, then the queue_job lookup). Returns the number of new
        events (a redelivery stores none).
        """
        if not events:
            return 0
        rows = [(channel_id, _key(event), json.dumps(dataclasses.asdict(event))) for event in events]
        values = ", ".join(["(%s, %s, %s::jsonb, 'pending', now() at time zone 'UTC')"] * len(rows))
        self.env.cr.execute(
            f"""WITH stored AS (
                    INSERT INTO clinic_message_webhook (channel_id, key, event, state, create_date)
                    VALUES {values}
                    ON CONFLICT (channel_id, key) DO NOTHING
                    RETURNING 1)
                SELECT (SELECT count(*) FROM stored),
                       EXISTS(SELECT 1 FROM queue_job WHERE identity_key = %s AND state = 'pending')""",  # noqa: S608
            [value for row in rows for value in row] + [APPLY_IDENTITY],
        )
        stored, waiting = self.env.cr.fetchone()
        if stored and not waiting:
            self._schedule_apply(_param(self.env, "webhook_delay", 1))
        return stored

    @api.model
    def _schedule_apply(self, delay):
        self.sudo().with_delay(
            eta=fields.Datetime.now() + timedelta(seconds=float(delay)) if float(delay) > 0 else None,
            identity_key=APPLY_IDENTITY,
            description="Apply stored messaging webhooks",
        )._apply_pending()

    # ------------------------------------------------------------------ the job

    @api.model
    def _apply_pending(self):
        """The job: apply the stored events in order, each once; a crash leaves them «pending» for the next.

        The rows are taken ``FOR UPDATE SKIP LOCKED`` so that two jobs (the cron's and the requests') never
        apply the same event. A status for a message whose provider request is still in flight stays
        pending and a later job takes it. An event that cannot be applied is marked «error» (logged)
        instead of holding back the others.
        """
        cr = self.env.cr
        cr.execute(
            "SELECT id, channel_id, event FROM clinic_message_webhook WHERE state = 'pending'"
            " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED",
            [APPLY_CHUNK],
        )
        rows = cr.fetchall()
        Channel = self.env["clinic.messaging.channel"].sudo()
        Message = self.env["clinic.message"].sudo()
        done, errors, deferred = [], [], 0
        for event_id, channel_id, data in rows:
            try:
                with cr.savepoint():
                    Message._process_webhook(Channel.browse(channel_id), [WebhookEvent(**data)])
                    self.env.flush_all()
                done.append(event_id)
            except SendInFlight:
                deferred += 1
            except (pg_errors.SerializationFailure, pg_errors.LockNotAvailable, pg_errors.DeadlockDetected) as exc:
                raise RetryableJobError(f"concurrent update: {exc}", seconds=DEFER_SECONDS) from exc
            except Exception as exc:  # noqa: BLE001 - one bad event must not hold back the provider's others
                _logger.exception("clinic_whatsapp: webhook event %s could not be applied", event_id)
                errors.append((event_id, str(exc)[:200]))
            self.env.invalidate_all()
        if done:
            cr.execute(
                "UPDATE clinic_message_webhook SET state = 'done', write_date = now() at time zone 'UTC'"
                " WHERE id = ANY(%s)",
                [done],
            )
        for event_id, error in errors:
            cr.execute(
                "UPDATE clinic_message_webhook SET state = 'error', error = %s, write_date = now() at time zone 'UTC'"
                " WHERE id = %s",
                [error, event_id],
            )
        if deferred or len(rows) == APPLY_CHUNK:
            self._schedule_apply(DEFER_SECONDS if deferred and len(rows) < APPLY_CHUNK else 0)
        return f"applied {len(done)}, deferred {deferred}, errors {len(errors)}"

    @api.model
    def _take_sent_statuses(self, messages):
        """{outbox id: the best stored «sent/delivered/read» event} of these rows, the events marked applied.

        For the sending job about to retry a row after a timeout: the provider may have taken it and
        said so by a webhook the applying job has not reached yet.
        """
        if not messages:
            return {}
        self.env.cr.execute(
            "UPDATE clinic_message_webhook SET state = 'done', write_date = now() at time zone 'UTC'"
            " WHERE id IN (SELECT id FROM clinic_message_webhook WHERE state = 'pending'"
            " AND channel_id = ANY(%s) AND event->>'kind' = 'status'"
            " AND event->>'status' IN ('sent', 'delivered', 'read') AND event->>'reference' = ANY(%s)"
            " FOR UPDATE SKIP LOCKED) RETURNING event",
            [messages.channel_id.ids, [str(message_id) for message_id in messages.ids]],
        )
        best = {}
        for (event,) in self.env.cr.fetchall():
            message_id = int(event["reference"])
            if STATUS_RANK[event["status"]] > STATUS_RANK[best.get(message_id, {}).get("status", "sending")]:
                best[message_id] = event
        return best

    @api.model
    def _apply_forgotten(self):
        """Cron: events still pending a while after they came (no job waiting for them): schedule one."""
        self.env.cr.execute(
            "SELECT 1 FROM clinic_message_webhook WHERE state = 'pending'"
            " AND create_date < now() at time zone 'UTC' - interval '1 minute' LIMIT 1"
        )
        if self.env.cr.fetchone():
            self._schedule_apply(0)

    @api.autovacuum
    def _gc_applied(self):
        """Daily (Odoo's autovacuum): applied events are kept only while a provider may still redeliver them,
        which their unique key then drops; errors stay for a manager to read."""
        self.env.cr.execute(
            "DELETE FROM clinic_message_webhook WHERE state = 'done'"
            " AND create_date < now() at time zone 'UTC' - make_interval(days => %s)",
            [KEEP_APPLIED_DAYS],
        )


def _key(event):
    """The idempotency key of one event: inbound by the provider's message id, a status by id and status."""
    if event.kind == "status":
        return f"status:{event.provider_message_id or event.reference}:{event.status}"
    return f"in:{event.provider_message_id}"
