import threading
import time
from unittest.mock import patch

from odoo.tests import new_test_user, tagged

from ..models.clinic_message_webhook import ClinicMessageWebhook
from .common import MessagingCase

PHONE = "79161234577"


@tagged("post_install", "-at_install")
class TestMessagingTours(MessagingCase):
    """In Chromium: the front desk's reminder and the patient's reply, and a template's preview."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.write({"clinic_quiet_start": 24.0, "clinic_quiet_end": 0.0})  # the tour runs at any hour
        cls.patient_tour = cls.messaging_patient("Мария", f"+{PHONE}")
        cls.patient_tour.write({"surname": "Напоминаева", "patronymic": "Ивановна"})
        cls.appointment = cls.Appointment.book(cls.patient_tour, cls.slot_at(cls.doctor, cls.monday, 10))
        cls.appointment.name = "ТУР-0001"
        cls.receptionist = new_test_user(
            cls.env, "wa_tour_front", groups="base.group_user,clinic_base.group_clinic_receptionist"
        )
        cls.manager = new_test_user(
            cls.env, "wa_tour_manager", groups="base.group_user,clinic_base.group_clinic_manager"
        )
        # the front desk's «Send reminder» sends at once, as the job runner would a moment later
        cls.env.ref(
            "clinic_scheduling.clinic_appointment_action"
        ).context = "{'search_default_filter_active': 1, 'queue_job__no_delay': True}"

    def setUp(self):
        super().setUp()
        # the patient's reply is applied in its webhook request, as the job runner would a moment later:
        # the phone's thread then never touches the test cursor itself
        schedule = ClinicMessageWebhook._schedule_apply

        def apply_at_once(model, delay):
            return schedule(model.with_context(queue_job__no_delay=True), delay)

        patcher = patch.object(ClinicMessageWebhook, "_schedule_apply", apply_at_once)
        patcher.start()
        self.addCleanup(patcher.stop)

    def post_reply_when_reminded(self, url):
        """The patient's phone: once the reminder reached the provider, she answers «1» (Meta's webhook)."""
        for _tick in range(600):
            if any(body.get("to") == PHONE for _kind, body in list(self.fake.accepted)):
                break
            time.sleep(0.2)
        else:
            return
        text = {"from": PHONE, "id": "wamid.TOUR1", "timestamp": "1", "type": "text", "text": {"body": "1"}}
        self.wa_post(self.wa_body([text]), url=url)

    def test_reminder_and_the_reply_that_confirms_it(self):
        # the phone's thread must not query the test cursor while a request of the tour uses it: it gets the address
        url = f"/clinic_whatsapp/webhook/{self.whatsapp.webhook_ref}"
        phone = threading.Thread(target=self.post_reply_when_reminded, args=(url,), daemon=True)
        phone.start()
        self.start_tour("/odoo", "clinic_messaging_reminder_reply", login="wa_tour_front", timeout=300)
        phone.join(timeout=60)
        self.assertEqual(self.appointment.state, "confirmed")
        reminder = self.messages(self.appointment, event="reminder_24h", direction="out")
        self.assertIn("sent", reminder.mapped("state"))
        reply = self.messages(self.appointment, direction="in")
        self.assertEqual((reply.body, reply.reply_result), ("1", "confirmed"))

    def test_template_preview(self):
        self.start_tour(
            "/odoo",
            "clinic_messaging_template_preview",
            login="wa_tour_manager",
            timeout=300,
        )

    def test_receptionist_answers_a_question_on_its_channel(self):
        patient = self.messaging_patient("Ольга", "+79161234588")
        patient.surname = "Собакина"
        appointment = self.Appointment.book(patient, self.slot_at(self.doctor, self.monday, 11))
        self.run_jobs()
        self.assertEqual(self.messages(appointment, event="booked").state, "sent")
        self.wa_text("+79161234588", "А можно прийти с собакой?", "wamid.TOURQ")  # Meta's webhook, applied
        question = self.messages(appointment, direction="in")
        self.assertEqual((question.reply_result, question.needs_answer), ("front_desk", True))
        before = len(self.fake.accepted_to("+79161234588"))
        self.start_tour("/odoo", "clinic_messaging_answer_conversation", login="wa_tour_front", timeout=300)
        self.run_jobs()
        self.assertFalse(question.needs_answer)
        self.assertEqual((question.answer_id.channel_id, question.answer_id.state), (self.whatsapp, "sent"))
        sent = self.fake.accepted_to("+79161234588")[before:]
        self.assertEqual([body["text"]["body"] for body in sent], ["Да, с собакой можно, если она на поводке."])
