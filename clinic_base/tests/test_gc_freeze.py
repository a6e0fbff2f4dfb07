import gc
from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools import config


@tagged("post_install", "-at_install")
class TestRegistryFrozenForWorkers(TransactionCase):
    """A multi-worker server keeps its registry out of the garbage collector's full collections (see
    clinic_base/models/ir_http.py); the threaded server is left alone."""

    def tearDown(self):
        gc.unfreeze()  # this test process keeps collecting as before
        super().tearDown()

    def scanned(self, obj):
        """``obj`` is among the objects a full collection scans."""
        return any(tracked is obj for tracked in gc.get_objects(generation=2))

    def test_prefork_freezes_the_loaded_registry(self):
        gc.unfreeze()
        gc.collect()
        registry = self.env.registry
        self.assertTrue(self.scanned(registry))
        with patch.dict(config.options, {"workers": 5}):
            self.env["ir.http"]._register_hook()
        self.assertGreater(gc.get_freeze_count(), 10000, "the registry's models, fields and caches are frozen")
        self.assertFalse(self.scanned(registry), "a full collection no longer scans the registry")

    def test_threaded_server_is_left_alone(self):
        gc.unfreeze()
        with patch.dict(config.options, {"workers": 0}):
            self.env["ir.http"]._register_hook()
        self.assertEqual(gc.get_freeze_count(), 0)
        self.assertTrue(self.scanned(self.env.registry))
