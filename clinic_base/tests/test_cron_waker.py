import select
import time

import psycopg2

from odoo.sql_db import connection_info_for
from odoo.tests import TransactionCase, tagged

from odoo.addons.clinic_base.models import ir_cron


@tagged("post_install", "-at_install")
class TestCronWaker(TransactionCase):
    """A scheduled action triggered now wakes the cron workers (NOTIFY cron_trigger on the «postgres» database)
    through one connection the process keeps, not a new PostgreSQL backend for each trigger."""

    def setUp(self):
        super().setUp()
        _dbname, info = connection_info_for("postgres")
        self.listener = psycopg2.connect(**info)
        self.listener.autocommit = True
        self.addCleanup(self.listener.close)
        with self.listener.cursor() as cursor:
            cursor.execute("LISTEN cron_trigger")

    def woken(self, count):
        """The next ``count`` notifications of this database: the process ids of the backends that sent them."""
        pids, deadline = [], time.monotonic() + 10
        while len(pids) < count and time.monotonic() < deadline:
            select.select([self.listener], [], [], 0.5)
            self.listener.poll()
            while self.listener.notifies:
                notify = self.listener.notifies.pop(0)
                if notify.payload == self.env.cr.dbname:
                    pids.append(notify.pid)
        self.assertEqual(len(pids), count, "every trigger wakes the cron workers")
        return pids

    def test_triggers_share_one_connection_and_survive_its_loss(self):
        Cron = self.env["ir.cron"]
        for _trigger in range(3):
            Cron._notifydb()
        pids = self.woken(3)
        self.assertEqual(len(set(pids)), 1, "one backend sent the three notifications")
        with self.listener.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pids[0]])
        time.sleep(0.2)
        Cron._notifydb()  # the connection is gone: the next trigger opens another one and still wakes them
        [again] = self.woken(1)
        self.assertNotEqual(again, pids[0])

    def test_a_forked_worker_opens_its_own_connection(self):
        self.env["ir.cron"]._notifydb()
        [parent] = self.woken(1)
        inherited = ir_cron._WAKER["connection"]
        self.addCleanup(inherited.close)
        ir_cron._WAKER["pid"] = -1  # as in a worker forked after the parent had opened it
        self.env["ir.cron"]._notifydb()
        [child] = self.woken(1)
        self.assertNotEqual(child, parent)
        self.assertFalse(inherited.closed, "the parent's connection is left open for the parent")
        self.assertIn(inherited, ir_cron._WAKER["inherited"])
