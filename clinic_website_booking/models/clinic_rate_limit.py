from datetime import timedelta

from odoo import api, fields, models

# Buckets outlive their longest window (an hour for phones) by a margin; the cron removes older hits.
KEEP_HITS = timedelta(days=1)


class ClinicRateLimit(models.Model):
    """One counted request of a website visitor, an API consumer or a phone number, for rate limits.

    Hits are only ever inserted (no hot counter row to fight over under load) in the request's own
    transaction; callers turn failures into answers instead of rolling back, so refused and failed
    attempts count too. A sliding window is a COUNT over the bucket's recent hits.
    """

    _name = "clinic.rate.limit"
    _description = "Rate limit hit"
    _order = "at desc, id desc"
    _log_access = False

    bucket = fields.Char(
        string="Bucket", required=True, index=True, help="What is counted: «ip:…», «key:…» (API consumer), «phone:…»."
    )
    at = fields.Datetime(string="At", required=True, index=True, default=fields.Datetime.now)

    def init(self):
        self.env.cr.execute(
            "CREATE INDEX IF NOT EXISTS clinic_rate_limit_bucket_at_idx ON clinic_rate_limit (bucket, at)"
        )

    @api.model
    def hit(self, bucket, limit, window_seconds=60):
        """Count one request in ``bucket``; returns the seconds to wait when it goes over ``limit``, else 0.

        A refused request is counted too: hammering a closed door keeps it closed.
        """
        now = fields.Datetime.now()
        since = now - timedelta(seconds=window_seconds)
        cr = self.env.cr
        cr.execute("INSERT INTO clinic_rate_limit (bucket, at) VALUES (%s, %s)", [bucket, now])
        cr.execute("SELECT count(*), min(at) FROM clinic_rate_limit WHERE bucket = %s AND at > %s", [bucket, since])
        count, oldest = cr.fetchone()
        if count <= limit:
            return 0
        return max(1, int((oldest - since).total_seconds()))

    @api.model
    def _cron_purge(self):
        self.env.cr.execute("DELETE FROM clinic_rate_limit WHERE at < %s", [fields.Datetime.now() - KEEP_HITS])
