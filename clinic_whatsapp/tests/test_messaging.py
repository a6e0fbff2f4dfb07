from datetime import timedelta

from freezegun import freeze_time
from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.clinic_scheduling.tests.common import utc

from .common import MessagingCase


@tagged("post_install", "-at_install")
class TestOutbox(MessagingCase):
    def test_booking_queues_its_messages_in_the_same_transaction(self):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
        queued = self.messages(appointment)
        self.assertEqual(queued.mapped("event"), ["booked", "reminder_24h", "reminder_2h"])
        self.assertEqual(set(queued.mapped("state")), {"queued"})
        self.assertEqual(queued.channel_id, self.whatsapp)
        self.assertEqual(queued[1].scheduled_at, utc(self.monday, 10) - timedelta(hours=24))
        jobs = self.env["queue.job"].search([("model_name", "=", "clinic.message"), ("state", "=", "pending")])
        self.assertEqual(len(jobs), 3)
        self.assertEqual(sorted(jobs.mapped("eta")), sorted(queued.mapped("scheduled_at")))
        # the same event logged again does not queue a second copy
        appointment._clinic_messaging_on_event(False, "booked", None)
        self.assertEqual(len(self.messages(appointment)), 3)

    def test_template_renders_appointment_variables_in_russian(self):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            self.run_jobs()
        sent = self.fake.accepted_to("+79161234500")
        self.assertEqual(len(sent), 1)
        template = sent[0]["template"]
        self.assertEqual(template["name"], "appt_booked")
        params = [p["text"] for p in template["components"][0]["parameters"]]
        self.assertEqual(params[0], "Анна Петровна")
        self.assertEqual(params[2:4], [self.monday.strftime("%d.%m.%Y"), "10:00"])
        payloads = [c["parameters"][0]["payload"] for c in template["components"][1:]]
        self.assertEqual(
            [p.split(":")[:3] for p in payloads],
            [["A", str(appointment.id), "CONFIRM"], ["A", str(appointment.id), "CANCEL"]],
        )
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.state, "sent")
        self.assertIn("Анна Петровна, вы записаны", booked.body)
        self.assertIn("вы записаны", appointment.message_ids[0].body)
        self.assertIn("вы записаны", self.anna.message_ids[0].body)
        template_record = self.env.ref("clinic_whatsapp.template_reminder_24h")
        template_record.preview_appointment_id = appointment
        self.assertIn("10:00", template_record.preview)

    def test_a_claimed_message_is_never_sent_twice(self):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            booked = self.messages(appointment, event="booked")
            self.assertEqual(booked._send(), "sent")
            self.assertEqual(booked._send(), "already handled")
            self.run_jobs()
        self.assertEqual(len(self.fake.accepted_to("+79161234500")), 1)
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            booked.copy({"key": booked.key})

    def test_quiet_hours_defer_to_the_morning(self):
        with freeze_time(utc(self.saturday, 22, 30)):
            appointment = self.book(self.anna)
            self.assertEqual(self.run_jobs(), ["deferred"])
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.state, "queued")
        self.assertEqual(booked.scheduled_at, utc(self.sunday, 9))
        self.assertFalse(self.fake.requests)
        with freeze_time(utc(self.sunday, 9, 1)):
            self.run_jobs()
        self.assertEqual(booked.state, "sent")
        self.assertEqual(len(self.fake.accepted_to("+79161234500")), 1)

    def test_reminder_2h_at_dawn_waits_for_nine(self):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            self.run_jobs()
        with freeze_time(utc(self.monday, 8)):
            self.run_jobs()
        reminder = self.messages(appointment, event="reminder_2h")
        self.assertEqual((reminder.state, reminder.scheduled_at), ("queued", utc(self.monday, 9)))
        with freeze_time(utc(self.monday, 9)):
            self.run_jobs()
        self.assertEqual(reminder.state, "sent")

    def test_consent_missing_sends_nothing_and_calls_once(self):
        silent = self.messaging_patient("Вера", "+79161234501", consent=False)
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(silent)
            self.run_jobs()
        self.assertFalse(self.fake.requests)
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.mapped("channel_id"), self.whatsapp | self.sms)
        self.assertEqual(set(booked.mapped("state")), {"skipped"})
        self.assertTrue(appointment.messaging_call_listed)
        self.assertTrue(appointment.needs_attention)

    def test_fallback_whatsapp_to_sms(self):
        patient = self.messaging_patient("Ольга", "+79161234551")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.run_jobs()
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.mapped("channel_id"), self.whatsapp | self.sms)
        self.assertEqual(booked.mapped("state"), ["failed", "sent"])
        self.assertEqual(booked[0].error_code, "131026")
        sms = self.fake.accepted_to("+79161234551")
        self.assertEqual(len(sms), 1)
        self.assertIn("Ольга Петровна, вы записаны", sms[0]["mes"])
        self.assertFalse(appointment.messaging_call_listed)
        # the front desk sees both in the appointment's chatter: WhatsApp failed, then the SMS went
        lines = [(booked_row.chatter_message_ids & appointment.message_ids).body for booked_row in booked]
        self.assertIn("Failed", lines[0])
        self.assertIn("Sent", lines[1])

    def test_every_channel_failing_lands_on_the_call_list_once(self):
        patient = self.messaging_patient("Нина", "+79161234559")
        self.whatsapp.active = False
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.run_jobs()
        with freeze_time(utc(self.sunday, 10)):
            self.run_jobs()
        self.assertEqual(self.messages(appointment, event="booked").state, "failed")
        self.assertEqual(self.messages(appointment, event="reminder_24h").state, "failed")
        self.assertTrue(appointment.messaging_call_listed)
        self.assertEqual(appointment.event_ids.mapped("state_to"), ["booked"])

    def test_5xx_is_retried_with_backoff_and_sent_once(self):
        patient = self.messaging_patient("Инна", "+79161234554")
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.assertEqual(self.run_jobs(), ["retry"])
        booked = self.messages(appointment, event="booked")
        self.assertEqual((booked.state, booked.error_code), ("queued", "131000"))
        self.assertEqual(booked.scheduled_at, utc(self.saturday, 12, 0) + timedelta(seconds=30))
        with freeze_time(utc(self.saturday, 12, 1)):
            self.run_jobs()
        self.assertEqual((booked.state, booked.attempts), ("sent", 2))
        self.assertEqual(len(self.fake.accepted_to("+79161234554")), 1)

    def test_sms_timeout_retries_with_the_same_idempotency_key(self):
        patient = self.messaging_patient("Зоя", "+79161234555")
        self.whatsapp.active = False
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(patient)
            self.assertEqual(self.run_jobs(), ["retry"])
        with freeze_time(utc(self.saturday, 12, 1)):
            self.run_jobs()
        booked = self.messages(appointment, event="booked")
        self.assertEqual(booked.state, "sent")
        sms_requests = [body for kind, body in self.fake.requests if kind == "sms"]
        self.assertEqual(len(sms_requests), 2)
        self.assertEqual({r["id"] for r in sms_requests}, {str(booked.id)})
        self.assertEqual(len(self.fake.accepted_to("+79161234555")), 1, "the gateway took the message once")

    def test_moving_and_cancelling_replace_pending_messages(self):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            self.run_jobs()
            old_reminders = self.messages(appointment, event="reminder_24h")
            appointment.write({"start": utc(self.monday, 11), "stop": utc(self.monday, 11, 30)})
            appointment.reschedule_count += 1
            appointment._log_event(appointment.state, appointment.state, old_start=utc(self.monday, 10))
            self.assertEqual(old_reminders.state, "cancelled")
            self.assertEqual(self.messages(appointment, event="rescheduled").state, "queued")
            appointment.action_cancel(reason="Заболел", by="patient")
            self.run_jobs()
        pending = self.messages(appointment, state="queued")
        self.assertFalse(pending)
        self.assertEqual(self.messages(appointment, event="cancelled").state, "sent")

    def test_a_worker_dying_after_its_claim_loses_nothing_and_doubles_nothing(self):
        self.whatsapp.active = False
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.book(self.anna)
            booked = self.messages(appointment, event="booked")
            self.assertEqual(booked._claim(), 1)  # the worker took it, then its process was killed
            self.assertEqual(self.run_jobs(), ["already handled"])  # queue_job re-runs the job: no second send
            self.assertFalse(self.env["clinic.message"]._requeue_stale(), "a send in progress is left alone")
        with freeze_time(utc(self.saturday, 12, 11)):
            self.assertEqual(self.env["clinic.message"]._requeue_stale(), booked)
            self.run_jobs()
        self.assertEqual((booked.state, booked.attempts), ("sent", 2))
        self.assertEqual(len(self.fake.accepted_to("+79161234500")), 1)
