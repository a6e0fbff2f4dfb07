from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.clinic_base.tests.concurrency import race

WORKERS = 4


@tagged("post_install", "-at_install")
class TestClaimRace(BaseCase):
    """Several job workers, each in its own transaction, pick up one queued message: one sends it.

    The data is committed (other connections must see it) and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            channel = env["clinic.messaging.channel"].create(
                {"name": "Гонка SMS", "provider": "sms_smsc", "base_url": "http://127.0.0.1:9", "sequence": 999}
            )
            message = env["clinic.message"].create(
                {"channel_id": channel.id, "direction": "out", "key": "race:claim", "body": "Тест"}
            )
            cls.channel_id, cls.message_id = channel.id, message.id
        cls.addClassCleanup(cls._remove)

    @classmethod
    def _remove(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["clinic.message"].browse(cls.message_id).unlink()
            env["clinic.messaging.channel"].browse(cls.channel_id).unlink()

    def test_one_worker_wins_the_claim(self):
        # the losers' serialization failures are expected: ``_claim`` mutes them, but mute_logger restores
        # the logger on exit, so a worker leaving its mute would unmute one still inside it
        with mute_logger("odoo.sql_db"):
            attempts = race(
                self.registry, WORKERS, lambda env, _i: env["clinic.message"].browse(self.message_id)._claim()
            )
        self.assertEqual(sorted(attempts), [0] * (WORKERS - 1) + [1])
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, attempts FROM clinic_message WHERE id = %s", [self.message_id])
            self.assertEqual(cr.fetchone(), ("sending", 1))
