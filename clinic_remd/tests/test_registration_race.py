import base64
import uuid
import zlib

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name
from odoo.tools import mute_logger

from odoo.addons.clinic_base.tests.concurrency import race

from .fake_remd import CLIENT_ENTITY_ID, FakeRemd, make_certificate
from .remd_common import FRMO_OID, SAMPLE_XML

WORKERS = 2
SETTINGS = (
    "frmo_oid",
    "remd_transport",
    "remd_endpoint_url",
    "remd_client_entity_id",
    "remd_callback_url",
    "remd_transport_certificate",
    "remd_transport_key",
    "remd_timeout",
)


@tagged("post_install", "-at_install")
class TestRegistrationRace(BaseCase):
    """Two job workers, each in its own committed transaction, register the same document; and REMD's
    result arrives twice at once. REMD gets one request; the result is applied once.

    The data is committed (other connections must see it) and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        key, cert = make_certificate("Клиника «Здоровье+»")
        cls.fake = FakeRemd(cert).start()
        cls.addClassCleanup(cls.fake.stop)
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.company
            cls.saved = company.read(SETTINGS)[0]
            company.write(
                {
                    "frmo_oid": FRMO_OID,
                    "remd_transport": "soap",
                    "remd_endpoint_url": f"{cls.fake.url}/remd",
                    "remd_client_entity_id": CLIENT_ENTITY_ID,
                    "remd_callback_url": "http://127.0.0.1:9/clinic_remd/soap",
                    "remd_transport_certificate": cert,
                    "remd_transport_key": key,
                    "remd_timeout": 5.0,
                }
            )
            patient = env["res.partner"].create({"is_patient": True, "surname": "Гонкина", "first_name": "Вера"})
            employee = env["hr.employee"].create({"name": "Гонкин Олег", "is_practitioner": True})
            visit = env["clinic.visit"].create({"patient_id": patient.id, "employee_id": employee.id})
            document = env["clinic.semd.document"].create(
                {
                    "name": "ПК-гонка",
                    "visit_id": visit.id,
                    "kind_code": "119",
                    "local_uid": str(uuid.uuid4()),
                    "state": "sending",
                    "xml_content": base64.b64encode(SAMPLE_XML),
                    "checksum": str(zlib.crc32(SAMPLE_XML)),
                    "doctor_signature": base64.b64encode(b"doctor"),
                    "org_signature": base64.b64encode(b"clinic"),
                }
            )
            cls.ids = {"patient": patient.id, "employee": employee.id, "visit": visit.id, "document": document.id}
            cls.local_uid = document.local_uid
        cls.addClassCleanup(cls._remove)

    @classmethod
    def _remove(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            env["clinic.remd.exchange"].search([("document_id", "=", cls.ids["document"])]).unlink()
            env["queue.job"].search([("model_name", "=", "clinic.semd.document")]).filtered(
                lambda job: cls.ids["document"] in job.records.ids
            ).unlink()
            env["clinic.semd.document"].browse(cls.ids["document"]).unlink()
            env["clinic.visit"].browse(cls.ids["visit"]).unlink()
            env["hr.employee"].browse(cls.ids["employee"]).unlink()
            env["res.partner"].browse(cls.ids["patient"]).unlink()
            env.company.write({k: v for k, v in cls.saved.items() if k != "id"})

    def _race(self, work):
        return sorted(race(self.registry, WORKERS, lambda env, _i: work(env)), key=str)

    def test_two_workers_one_request_then_one_result(self):
        document_id = self.ids["document"]
        with mute_logger("odoo.sql_db"):
            outcomes = self._race(lambda env: env["clinic.semd.document"].browse(document_id)._remd_register())
        self.assertEqual(outcomes, ["not ours", "sent"])
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            document = env["clinic.semd.document"].browse(document_id)
            self.assertEqual(document.state, "sent")
            self.assertEqual(document.remd_attempts, 1)
            message_id = document.remd_message_id
        self.assertEqual(
            [c for c in self.fake.calls if c[0] == "registerDocument"], [("registerDocument", self.local_uid)]
        )

        result = {
            "status": "success",
            "emdrId": "16.62.23.09.000000042",
            "registrationDateTime": "2026-12-07T10:00:00+05:00",
        }

        def apply(env):
            # Odoo's HTTP layer replays a request that hit a serialization failure: so does this worker
            for _try in range(3):
                try:
                    with env.cr.savepoint():
                        return env["clinic.semd.document"]._remd_apply_result(message_id, result)
                except Exception as exc:  # noqa: BLE001
                    if getattr(exc, "pgcode", None) != "40001":
                        raise
                    env.cr.rollback()
                    env.invalidate_all()
            return "gave up"

        # mute_logger is process-wide: the workers' own muting would race, so the test mutes for both
        with mute_logger("odoo.sql_db"):
            outcomes = self._race(apply)
        self.assertEqual(outcomes, ["duplicate", "registered"])
        with self.registry.cursor() as cr:
            cr.execute("SELECT state, remd_registry_number FROM clinic_semd_document WHERE id = %s", [document_id])
            self.assertEqual(cr.fetchone(), ("registered", "16.62.23.09.000000042"))
