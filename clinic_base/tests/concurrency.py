"""Real concurrent transactions for the suite's race tests: each racer on its own database connection."""

import threading

from odoo import SUPERUSER_ID, api
from odoo.api import Transaction


def race(registry, count, work, context=None, timeout=60):
    """Run ``work(env, index)`` in ``count`` transactions that start together and commit on success.

    Every racer takes its snapshot before the start line, so all of them see the same committed state
    and only PostgreSQL (locks, unique indexes) decides who wins. Returns one outcome per racer, in
    index order: what ``work`` returned, or the exception it raised (that racer rolled back).
    """
    barrier = threading.Barrier(count)
    outcomes = [None] * count

    def racer(index):
        with registry.cursor() as cr:
            cr.transaction = Transaction(registry)  # the test runner holds the registry lock
            env = api.Environment(cr, SUPERUSER_ID, dict(context or {}))
            cr.execute("SELECT 1")
            barrier.wait(timeout=30)
            try:
                outcomes[index] = work(env, index)
                cr.commit()  # pylint: disable=invalid-commit
            except Exception as exc:  # noqa: BLE001  # the caller asserts on the outcome
                cr.rollback()
                outcomes[index] = exc

    threads = [threading.Thread(target=racer, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    return outcomes
