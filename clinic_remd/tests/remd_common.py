import base64
import uuid
import zlib
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, new_test_user

from odoo.addons.clinic_base.tests.queue_jobs import run_queued_jobs
from odoo.addons.clinic_scheduling.tests.common import SchedulingCase

from .fake_remd import CLIENT_ENTITY_ID, PLATFORM_SECRET, PLATFORM_TOKEN, FakeRemd, Plan, make_certificate

SAMPLE_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><ClinicalDocument xmlns="urn:hl7-org:v3">'
    "<title>Протокол консультации</title></ClinicalDocument>"
).encode()
FRMO_OID = "1.2.643.5.1.13.13.12.2.66.99999"


class FakeRemdMixin:
    """The clinic connected to a fake REMD on 127.0.0.1, and the queue_job worker's part; for an ``HttpCase``."""

    @classmethod
    def _connect_fake_remd(cls, frmo_oid=FRMO_OID):
        cls.clinic_key, cls.clinic_cert = make_certificate("Клиника «Здоровье+», Екатеринбург")
        cls.fake = FakeRemd(cls.clinic_cert).start()
        cls.addClassCleanup(cls.fake.stop)
        cls.company = cls.env.company
        cls.company.write(
            {
                "frmo_oid": frmo_oid,
                "remd_transport": "soap",
                "remd_endpoint_url": f"{cls.fake.url}/remd",
                "remd_client_entity_id": CLIENT_ENTITY_ID,
                "remd_callback_url": f"{cls.base_url()}/clinic_remd/soap",
                "remd_transport_certificate": cls.clinic_cert,
                "remd_transport_key": cls.clinic_key,
                "remd_server_certificate": cls.fake.certificate,
                "remd_platform_url": f"{cls.fake.url}/platform",
                "remd_platform_token": PLATFORM_TOKEN,
                "remd_platform_secret": PLATFORM_SECRET,
                "remd_platform_callback_url": f"{cls.base_url()}/clinic_remd/platform/result",
                "remd_timeout": 1.0,
                "remd_max_attempts": 4,
                "remd_retry_seconds": 60,
                "remd_reconcile_minutes": 120,
            }
        )

    def setUp(self):
        super().setUp()
        self.fake.reset()

    def run_jobs(self, advance=False):
        """The queue_job worker's part: perform the due REMD jobs as the runner would.

        ``advance`` plays the waiting: jobs and retries due later are made due now.
        """
        if advance:
            now = fields.Datetime.now() - timedelta(seconds=1)
            self.env["queue.job"].search(
                [("state", "=", "pending"), ("model_name", "=", "clinic.semd.document")]
            ).write({"eta": now})
            self.env["clinic.semd.document"].sudo().search([("state", "=", "sending")]).write(
                {"remd_next_attempt": now}
            )
        return run_queued_jobs(self.env, ["clinic.semd.document"])

    def exchanges(self, document, **filters):
        domain = [("document_id", "=", document.id)] + [(k, "=", v) for k, v in filters.items()]
        return self.env["clinic.remd.exchange"].search(domain, order="id")


class RemdCase(FakeRemdMixin, SchedulingCase, HttpCase):
    """A clinic connected to a fake REMD, a doctor with a user, signed documents made directly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._connect_fake_remd()
        cls.doctor_user = new_test_user(
            cls.env,
            login="remd_doctor",
            groups="base.group_user,clinic_base.group_clinic_doctor",
            name="Терапевтов Иван",
        )
        cls.doctor.user_id = cls.doctor_user
        cls.other_doctor = cls.practitioner("Хирургов Пётр")
        cls.receptionist = new_test_user(
            cls.env, login="remd_reception", groups="base.group_user,clinic_base.group_clinic_receptionist"
        )
        cls.manager = new_test_user(
            cls.env, login="remd_manager", groups="base.group_user,clinic_base.group_clinic_manager"
        )
        cls.patient.write({"snils": "112-233-445 95", "birth_date": "1985-03-14", "gender": "female"})

    def signed_document(self, employee=None, plan=None, checksum=None, kind="119"):
        """A document as remddoc's flow leaves it: signed, frozen XML, checksum, both signatures."""
        visit = self.env["clinic.visit"].create(
            {"patient_id": self.patient.id, "employee_id": (employee or self.doctor).id}
        )
        local_uid = str(uuid.uuid4())
        if plan:
            self.fake.plans[local_uid] = plan
        return (
            self.env["clinic.semd.document"]
            .sudo()
            .create(
                {
                    "name": f"ПК-{local_uid[:8]}",
                    "visit_id": visit.id,
                    "kind_code": kind,
                    "local_uid": local_uid,
                    "state": "signed",
                    "xml_content": base64.b64encode(SAMPLE_XML),
                    "checksum": checksum or str(zlib.crc32(SAMPLE_XML)),
                    "doctor_signature": base64.b64encode(b"0\x82doctor-cms-signature"),
                    "org_signature": base64.b64encode(b"0\x82clinic-cms-signature"),
                }
            )
            .sudo(False)
        )

    def send(self, document):
        """The doctor sends the document; the job runs; REMD processes it."""
        document.with_user(self.doctor_user).action_register()
        return self.run_jobs()


__all__ = ["FakeRemdMixin", "Plan", "RemdCase"]
