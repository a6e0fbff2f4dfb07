import threading

from psycopg2 import errors as pg_errors

from odoo import SUPERUSER_ID, api
from odoo.api import Transaction
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.clinic_scheduling.models.clinic_appointment import SlotTakenError
from odoo.addons.clinic_scheduling.tests.common import CLINIC_TZ, next_working_day, utc

from ..providers import WebhookEvent

PHONE = "79161239901"


@tagged("post_install", "-at_install")
class TestOfferReplyRace(BaseCase):
    """A waiting-list offer answered «1» and «да» at once while the front desk books the same time by hand:
    real transactions on their own connections; one appointment, the waiting patient's.

    The data is committed (other connections must see it) and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            calendar = env["resource.calendar"].create(
                {
                    "name": "Гонка ответов",
                    "tz": CLINIC_TZ,
                    "attendance_ids": [(0, 0, {"name": "Пн", "dayofweek": "0", "hour_from": 9, "hour_to": 12})],
                }
            )
            doctor = env["hr.employee"].create(
                {
                    "name": "Ответов Врач",
                    "is_practitioner": True,
                    "resource_calendar_id": calendar.id,
                    "tz": CLINIC_TZ,
                    "slot_duration": 30,
                }
            )
            monday = next_working_day(env, calendar)
            patient = env["res.partner"].create(
                {"is_patient": True, "surname": "Ждущая", "first_name": "Гонка", "phone": f"+{PHONE}"}
            )
            walk_in = env["res.partner"].create({"is_patient": True, "surname": "Пришедший", "first_name": "Гонка"})
            channel = env["clinic.messaging.channel"].create(
                {"name": "Гонка SMS", "provider": "sms_smsc", "base_url": "http://127.0.0.1:9", "sequence": 0}
            )
            env["clinic.waitlist"].create(
                {"patient_id": patient.id, "employee_id": doctor.id, "date_from": monday, "date_to": monday}
            )
            slot = env["clinic.slot"].search([("employee_id", "=", doctor.id), ("start", "=", utc(monday, 9))])
            env["clinic.waitlist"]._offer_slots(slot)
            offer = env["clinic.waitlist.offer"].search([("patient_id", "=", patient.id)])
            assert offer.clinic_message_ids, "the offer is in the outbox"
            cls.ids = {
                "calendar": calendar.id,
                "doctor": doctor.id,
                "patient": patient.id,
                "walk_in": walk_in.id,
                "channel": channel.id,
                "slot": slot.id,
                "offer": offer.id,
            }
        cls.addClassCleanup(cls._remove)

    @classmethod
    def _remove(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            ids = cls.ids
            messages = env["clinic.message"].search([("channel_id", "=", ids["channel"])])
            keys = {f"clinic.message:{message_id}" for message_id in messages.ids}
            env["queue.job"].search([("model_name", "=", "clinic.message")]).filtered(
                lambda job: job.identity_key and job.identity_key.rsplit(":", 1)[0] in keys
            ).unlink()
            messages.unlink()
            appointments = env["clinic.appointment"].search([("employee_id", "=", ids["doctor"])])
            appointments.calendar_event_id.unlink()
            env["clinic.waitlist"].search([("patient_id", "=", ids["patient"])]).unlink()
            appointments.unlink()
            env["clinic.messaging.channel"].browse(ids["channel"]).unlink()
            env["hr.employee"].browse(ids["doctor"]).unlink()
            env["res.partner"].browse([ids["patient"], ids["walk_in"]]).unlink()
            env["resource.calendar"].browse(ids["calendar"]).unlink()

    def test_one_booking_whatever_arrives_first(self):
        barrier = threading.Barrier(3)
        outcomes = []

        def reply(env, index):
            channel = env["clinic.messaging.channel"].browse(self.ids["channel"])
            text = ("1", "да")[index]
            event = WebhookEvent(kind="inbound", provider_message_id=f"race-{index}", phone=PHONE, text=text)
            env["clinic.message"]._process_webhook(channel, [event])

        def front_desk(env, _index):
            env["clinic.appointment"].book(
                env["res.partner"].browse(self.ids["walk_in"]), env["clinic.slot"].browse(self.ids["slot"])
            )

        def racer(action, index):
            for _attempt in range(2):  # Odoo retries a request that lost a serialization conflict
                with self.registry.cursor() as cr:
                    cr.transaction = Transaction(self.registry)  # the test runner holds the registry lock
                    env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
                    cr.execute("SELECT 1")
                    if not _attempt:
                        barrier.wait(timeout=30)
                    try:
                        action(env, index)
                        cr.commit()  # pylint: disable=invalid-commit
                        outcomes.append((action.__name__, "done"))
                        return
                    except SlotTakenError:
                        cr.rollback()
                        outcomes.append((action.__name__, "taken"))
                        return
                    except pg_errors.SerializationFailure:
                        cr.rollback()

        threads = [
            threading.Thread(target=racer, args=(reply, 0)),
            threading.Thread(target=racer, args=(reply, 1)),
            threading.Thread(target=racer, args=(front_desk, 0)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        self.assertIn(("front_desk", "taken"), outcomes, "the time is held for the offer")
        self.assertEqual(outcomes.count(("reply", "done")), 2, outcomes)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            offer = env["clinic.waitlist.offer"].browse(self.ids["offer"])
            booked = env["clinic.appointment"].search(
                [("employee_id", "=", self.ids["doctor"]), ("state", "!=", "cancelled")]
            )
            self.assertEqual(offer.state, "accepted")
            self.assertEqual(booked, offer.appointment_id)
            self.assertEqual(booked.patient_id.id, self.ids["patient"])
            self.assertEqual(booked.source, "messenger")
            results = (
                env["clinic.message"]
                .search([("channel_id", "=", self.ids["channel"]), ("direction", "=", "in")])
                .mapped("reply_result")
            )
            self.assertEqual(sorted(results)[0], "accepted")
            self.assertEqual(len(results), 2)
