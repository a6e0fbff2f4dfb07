import hashlib
import json
from datetime import timedelta

from odoo import api, fields, models

from .clinic_online_booking import OnlineBookingError

KEEP_DAYS = 7


class ClinicApiIdempotency(models.Model):
    """The answer given to one Idempotency-Key of one consumer, replayed when the same request comes again.

    Only requests that went through are stored (as payment APIs do): a refused request changes
    nothing, so it may be fixed and sent again under the same key.
    """

    _name = "clinic.api.idempotency"
    _description = "API idempotency key"
    _order = "create_date desc, id desc"

    consumer_id = fields.Many2one(
        "clinic.api.consumer", string="Consumer", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="consumer_id.company_id", string="Clinic", store=True)
    key = fields.Char(string="Idempotency key", required=True, help="The Idempotency-Key header of the request.")
    request_hash = fields.Char(string="Request hash", required=True, help="SHA-256 of the request body.")
    status = fields.Integer(string="HTTP status", help="Status of the stored answer.")
    response = fields.Text(string="Answer", help="The JSON body returned, replayed as is.")
    appointment_id = fields.Many2one("clinic.appointment", string="Appointment", ondelete="set null")

    _sql_constraints = [
        ("consumer_key_unique", "UNIQUE(consumer_id, key)", "An idempotency key is used once per consumer.")
    ]

    @api.model
    def _run_once(self, consumer, key, body, run):
        """Answer ``(status, payload)`` of ``run()``, computed once per ``key``.

        ``run`` returns ``(status, payload, appointment)``. The same key with the same body gets the
        stored answer again; with another body it is refused.
        """
        digest = hashlib.sha256(body).hexdigest()
        stored = self.sudo().search([("consumer_id", "=", consumer.id), ("key", "=", key)], limit=1)
        if stored:
            if stored.request_hash != digest:
                raise OnlineBookingError(
                    "idempotency_key_reused",
                    self.env._("Idempotency-Key «%(key)s» was already used with another request body.", key=key),
                    field="Idempotency-Key",
                )
            return stored.status, json.loads(stored.response)
        with self.env.cr.savepoint():
            # A concurrent request with the same key makes this insert wait for its end; when it went
            # through, PostgreSQL (repeatable read) reports a serialization failure instead of skipping the
            # row, and Odoo replays the whole request, which then finds the stored answer above. Such a
            # failure is expected, not a bad query.
            self.env.cr.execute(
                "INSERT INTO clinic_api_idempotency (consumer_id, company_id, key, request_hash, create_uid, "
                "create_date, write_uid, write_date) VALUES (%(consumer)s, %(company)s, %(key)s, %(hash)s, %(uid)s, "
                "now() at time zone 'utc', %(uid)s, now() at time zone 'utc') "
                "ON CONFLICT (consumer_id, key) DO NOTHING RETURNING id",
                {"consumer": consumer.id, "company": consumer.company_id.id, "key": key, "hash": digest,
                 "uid": self.env.uid},
                log_exceptions=False,
            )  # fmt: skip
            stored = self.sudo().browse(self.env.cr.fetchone()[0])
            status, payload, appointment = run()
            stored.write({"status": status, "response": json.dumps(payload), "appointment_id": appointment.id})
        return status, payload

    @api.model
    def _cron_purge(self):
        self.sudo().search([("create_date", "<", fields.Datetime.now() - timedelta(days=KEEP_DAYS))]).unlink()
