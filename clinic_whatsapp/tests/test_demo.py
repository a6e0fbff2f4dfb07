import socket
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from .fake_providers import FakeProviders


@tagged("post_install", "-at_install")
class TestDemoMessaging(HttpCase):
    """The demo database sends its reminders: consents, channels at a local address, the outbox filled,
    and each reminder ends visibly in the chatter, sent or failed (HttpCase: the job's own cursor)."""

    def setUp(self):
        super().setUp()
        if not self.env.ref("clinic_scheduling.demo_calendar_day", raise_if_not_found=False):
            self.skipTest("the database has no demo data")
        self.channels = self.env.ref("clinic_whatsapp.demo_channel_whatsapp") | self.env.ref(
            "clinic_whatsapp.demo_channel_sms"
        )
        self.env.company.write({"clinic_quiet_start": 24.0, "clinic_quiet_end": 0.0})  # any hour of the run

    def reminders(self, *contacts):
        """Queued 24-hour reminders on the demo's WhatsApp of patients who agreed to messages on ``contacts`` and
        have a number (some of clinic_base's demo patients agreed without one: the gate skips those)."""
        queued = self.env["clinic.message"].search(
            [("channel_id", "=", self.channels[0].id), ("event", "=", "reminder_24h"), ("state", "=", "queued")],
            order="scheduled_at, id",
        )
        later = fields.Datetime.now() + timedelta(hours=1)  # not one whose visit starts while the test runs
        return queued.filtered(
            lambda m: (
                m.deadline > later
                and m.phone
                and all(m.partner_id.clinic_may_contact("service_messages", contact) for contact in contacts)
            )
        )

    def send(self, message):
        """The job of one reminder, run at its time (it takes the other due ones of its channel along)."""
        with freeze_time(max(message.scheduled_at, fields.Datetime.now())):  # not before the demo's consents
            message._send()
        message.invalidate_recordset()

    def test_demo_patients_can_be_reminded(self):
        patients = self.env["res.partner"].search([("is_patient", "=", True), ("phone", "!=", False)])
        reachable = patients.filtered(
            lambda p: (
                p.clinic_may_contact("service_messages", "whatsapp") or p.clinic_may_contact("service_messages", "sms")
            )
        )
        self.assertGreater(len(reachable), 0.8 * len(patients), "most demo patients agreed to service messages")
        ahead = self.env["clinic.appointment"].search(
            [("state", "in", ("booked", "confirmed")), ("start", ">", fields.Datetime.now())]
        )
        self.assertTrue(ahead)
        reminded = self.env["clinic.message"].search([("event", "=", "reminder_2h")]).appointment_id
        self.assertEqual(ahead - reminded, self.env["clinic.appointment"], "every booking ahead has its reminder")
        self.assertTrue(all(self.channels.mapped("demo")))
        self.assertEqual(set(self.channels.mapped("base_url")), {"http://127.0.0.1:8099"})

    def test_without_a_gateway_a_reminder_fails_visibly_at_once(self):
        with socket.socket() as closed:  # a local port nothing listens on
            closed.bind(("127.0.0.1", 0))
            address = f"http://127.0.0.1:{closed.getsockname()[1]}"
        self.channels.base_url = address
        reminder = self.reminders("whatsapp", "sms")[:1]
        self.send(reminder)
        self.assertEqual((reminder.state, reminder.attempts), ("failed", 1), reminder.error)
        entry = reminder.chatter_message_ids & reminder.appointment_id.message_ids
        self.assertIn("Failed", entry.body, "in the appointment's chatter")
        fallback = self.env["clinic.message"].search([("parent_id", "=", reminder.id)])
        self.assertEqual(fallback.channel_id, self.channels[1])
        self.send(fallback)
        self.assertEqual(fallback.state, "failed")
        self.assertTrue(reminder.appointment_id.messaging_call_listed, "the front desk calls instead")

    def test_with_the_local_fake_a_reminder_is_sent(self):
        fake = FakeProviders().start()
        self.addCleanup(fake.stop)
        self.channels.base_url = fake.url
        reminder = self.reminders("whatsapp")[:1]
        self.send(reminder)
        self.assertEqual(reminder.state, "sent", reminder.error)
        self.assertIn("Sent", (reminder.chatter_message_ids & reminder.appointment_id.message_ids).body)
        self.assertTrue(fake.accepted_to(reminder.phone))
