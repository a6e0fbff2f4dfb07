from contextlib import nullcontext
from datetime import timedelta

import odoo
import odoo.http
from odoo import api, fields, models
from odoo.tools import SQL

# Buckets outlive their longest window (an hour for phones) by a margin; the cron removes older hits.
KEEP_HITS = timedelta(days=1)


class ClinicRateLimit(models.Model):
    """One counted request of a website visitor, an API consumer or a phone number, for rate limits.

    A hit is counted in a short transaction of its own, under an advisory transaction lock of its bucket and in
    READ COMMITTED: parallel requests of one bucket count one after the other and each sees the hits committed
    before it, so a burst cannot slip through between insert and count (the request's own REPEATABLE READ
    snapshot would not see them). Refused and failed attempts stay counted whatever the request does next.
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
    def _hit(self, bucket, limit, window_seconds=60):
        """Count one request in ``bucket``; returns the seconds to wait when it goes over ``limit``, else 0.

        A refused request is counted too: hammering a closed door keeps it closed. An HTTP request that Odoo
        replays after a serialization failure is one attempt, counted once.
        """
        replayed = self._counted_in_request()
        if bucket in replayed:
            return replayed[bucket]
        with self._counting_cursor() as cr:
            own = cr is not self.env.cr
            # One round trip: the lock is held from the count to the commit, so the fewer trips the shorter
            # the queue of a busy bucket. A hit lost in a database crash is harmless, so its commit does not
            # wait for the disk (synchronous_commit off: seen by the next transaction all the same).
            cr.execute(
                SQL(
                    "%s SELECT pg_advisory_xact_lock(hashtextextended(%s, 0)); "
                    "INSERT INTO clinic_rate_limit (bucket, at) VALUES (%s, now() AT TIME ZONE 'UTC'); "
                    "SELECT count(*), min(at), bounds.since FROM clinic_rate_limit, "
                    "(SELECT now() AT TIME ZONE 'UTC' - make_interval(secs => %s) AS since) bounds "
                    "WHERE bucket = %s AND at > bounds.since GROUP BY bounds.since",
                    SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED; SET LOCAL synchronous_commit TO OFF;")
                    if own
                    else SQL(""),
                    f"clinic.rate.limit:{bucket}",
                    bucket,
                    window_seconds,
                    bucket,
                )
            )
            count, oldest, since = cr.fetchone()
        wait = 0 if count <= limit else max(1, int((oldest - since).total_seconds()) + 1)
        replayed[bucket] = wait
        return wait

    def _counted_in_request(self):
        """The buckets already counted by the current HTTP request, with their answers (empty outside one)."""
        if not odoo.http.request:
            return {}
        return odoo.http.request.__dict__.setdefault("clinic_rate_limit_hits", {})

    def _counting_cursor(self):
        """A transaction of its own, committed at once; inside a test's transaction (rolled back at its end,
        or shared with the test's HTTP requests) that transaction itself."""
        test = odoo.modules.module.current_test
        if self.env.registry.in_test_mode() or (test is not None and getattr(test, "cr", None) is self.env.cr):
            return nullcontext(self.env.cr)
        return self.env.registry.cursor()

    @api.model
    def _cron_purge(self):
        self.env.cr.execute("DELETE FROM clinic_rate_limit WHERE at < %s", [fields.Datetime.now() - KEEP_HITS])
