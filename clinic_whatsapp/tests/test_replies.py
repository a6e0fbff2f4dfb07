from datetime import datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from odoo.addons.clinic_scheduling.tests.common import utc

from .common import MessagingCase

BORIS = "+79161234502"


@tagged("post_install", "-at_install")
class TestReplies(MessagingCase):
    """Replies drive the appointment: each chain against the fake providers, webhooks as they post them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.slot = cls.slot_at(cls.doctor, cls.monday, 10)
        cls.boris = cls.messaging_patient("Борис", BORIS)
        cls.boris.write({"first_name": "Борис", "patronymic": "Ильич"})
        cls.env["clinic.waitlist"].create(
            {
                "patient_id": cls.boris.id,
                "employee_id": cls.doctor.id,
                "date_from": cls.monday,
                "date_to": cls.monday + timedelta(days=1),
            }
        )

    def booked_and_sent(self, patient=None, slot=None):
        with freeze_time(utc(self.saturday, 12)):
            appointment = self.Appointment.book(patient or self.anna, slot or self.slot)
            self.run_jobs()
        return appointment

    def inbound(self, wamid):
        return self.env["clinic.message"].search([("provider_message_id", "=", wamid), ("direction", "=", "in")])

    def test_confirm_by_typed_reply_is_stamped_once(self):
        appointment = self.booked_and_sent()
        with freeze_time(utc(self.saturday, 13)):
            self.wa_text("+79161234500", "1", "wamid.C1")
            self.wa_text("+79161234500", "Подтверждаю", "wamid.C2")
            self.wa_text("+79161234500", "1", "wamid.C1")  # Meta delivers the first one again
        self.assertEqual(appointment.state, "confirmed")
        self.assertEqual(appointment.confirmed_at, utc(self.saturday, 13))
        self.assertEqual(appointment.event_ids.mapped("state_to"), ["booked", "confirmed"])
        self.assertEqual(self.inbound("wamid.C1").reply_result, "confirmed")
        self.assertEqual(self.inbound("wamid.C2").reply_result, "repeated")
        self.assertEqual(len(self.messages(appointment, direction="in")), 2)

    def test_cancel_by_reply_refills_at_once_and_the_offer_is_accepted_by_reply(self):
        # only the cancelled time can be offered
        (self.slots_on(self.doctor, self.monday) - self.slot).write({"state": "blocked", "block_reason": "test"})
        appointment = self.booked_and_sent()
        with freeze_time(utc(self.saturday, 14)):
            self.assertEqual(self.wa_text("+79161234500", "Отменить", "wamid.X1").status_code, 200)
            self.assertEqual((appointment.state, appointment.cancelled_by), ("cancelled", "patient"))
            offer = self.env["clinic.waitlist.offer"].search([("patient_id", "=", self.boris.id)])
            self.assertEqual((offer.state, offer.start), ("pending", self.slot.start))
            offer_message = offer.clinic_message_ids
            self.assertEqual((offer_message.event, offer_message.state), ("waitlist_offer", "queued"))
            self.run_jobs()
        self.assertEqual(offer_message.state, "sent")
        sent = self.fake.accepted_to(BORIS)
        self.assertEqual(sent[0]["template"]["name"], "appt_waitlist_offer")
        params = [p["text"] for p in sent[0]["template"]["components"][0]["parameters"]]
        self.assertEqual(params[0], "Борис Ильич")
        self.assertEqual(params[4], f"{self.saturday:%d.%m.%Y} 14:30", "held for the offer's 30 minutes")
        self.assertIn("Держим его для вас до", offer_message.body)
        with freeze_time(utc(self.saturday, 14, 10)):
            self.wa_text(BORIS, "да", "wamid.B1")
            self.wa_text(BORIS, "да", "wamid.B1")  # the same webhook twice
            self.wa_text(BORIS, "1", "wamid.B2")  # and typed again
        self.assertEqual(offer.state, "accepted")
        self.assertEqual(offer.responded_at, utc(self.saturday, 14, 10))
        booked = offer.appointment_id
        self.assertEqual((booked.patient_id, booked.start, booked.source), (self.boris, self.slot.start, "messenger"))
        self.assertEqual(self.Appointment.search_count([("patient_id", "=", self.boris.id)]), 1)
        self.assertEqual(self.inbound("wamid.B1").reply_result, "accepted")
        self.assertEqual(self.inbound("wamid.B2").reply_result, "repeated")
        self.assertEqual(self.slot.appointment_id, booked)

    def test_declining_the_offer_by_reply_passes_it_on(self):
        (self.slots_on(self.doctor, self.monday) - self.slot).write({"state": "blocked", "block_reason": "test"})
        appointment = self.booked_and_sent()
        with freeze_time(utc(self.saturday, 14)):
            appointment.action_cancel(reason="Заболела", by="patient")
            self.run_jobs()
            self.wa_text(BORIS, "2", "wamid.D1")
        offer = self.env["clinic.waitlist.offer"].search([("patient_id", "=", self.boris.id)])
        self.assertEqual(offer.state, "declined")
        self.assertEqual(self.slot.state, "free", "nobody else waits: the time is free again")

    def test_an_offer_is_not_sent_when_the_quiet_hours_outlast_it(self):
        (self.slots_on(self.doctor, self.monday) - self.slot).write({"state": "blocked", "block_reason": "test"})
        appointment = self.booked_and_sent()
        with freeze_time(utc(self.saturday, 22)):
            appointment.action_cancel(reason="Заболела", by="patient")
            # Anna's cancellation waits for the morning; the offer expires at 22:30, before the quiet hours end
            self.run_jobs()
            self.assertEqual(self.messages(appointment, event="cancelled").state, "queued")
        offer = self.env["clinic.waitlist.offer"].search([("patient_id", "=", self.boris.id)])
        self.assertEqual(offer.clinic_message_ids.state, "skipped")
        with freeze_time(utc(self.saturday, 22, 40)):
            self.env["clinic.waitlist.offer"]._expire_due()
        self.assertEqual(offer.state, "expired")
        with freeze_time(utc(self.sunday, 9, 30)):
            self.run_jobs()
        self.assertFalse(self.fake.accepted_to(BORIS))

    def test_reschedule_by_reply_offers_free_times_and_a_number_moves_the_appointment(self):
        appointment = self.booked_and_sent()
        Message = type(self.env["clinic.message"])
        with freeze_time(utc(self.saturday, 15)), patch.object(Message, "_reschedule_url", return_value=None):
            self.wa_text("+79161234500", "Перенести", "wamid.R1")
            offered = self.messages(appointment, event="free_times")
            self.assertEqual(len(offered.option_slot_ids), 3)
            self.run_jobs()
            self.assertEqual(offered.state, "sent")
            text = self.fake.accepted_to("+79161234500")[-1]
            self.assertEqual(text["type"], "text", "free text inside the 24-hour window")
            second = offered.option_slot_ids.sorted("start")[1]
            self.assertIn(f"2) {second.start + timedelta(hours=5):%d.%m.%Y %H:%M}", text["text"]["body"])
            self.wa_text("+79161234500", "2", "wamid.R2")
            self.wa_text("+79161234500", "2", "wamid.R2")
        self.assertEqual(appointment.start, second.start)
        self.assertEqual(appointment.state, "booked")
        self.assertEqual(self.inbound("wamid.R2").reply_result, "moved")
        self.assertEqual(appointment.reschedule_count, 1)
        self.assertEqual(self.messages(appointment, event="rescheduled").state, "queued")
        # the time left goes to the waiting list at once, by message too
        self.assertEqual(self.slot.state, "held")
        offer = self.env["clinic.waitlist.offer"].search([("patient_id", "=", self.boris.id)])
        self.assertEqual(offer.clinic_message_ids.event, "waitlist_offer")

    def test_reschedule_by_reply_sends_the_portal_link_when_the_website_booking_is_installed(self):
        appointment = self.booked_and_sent()
        with freeze_time(utc(self.saturday, 15)):
            self.wa_text("+79161234500", "3", "wamid.P1")
        inbound = self.inbound("wamid.P1")
        offered = self.messages(appointment, event="free_times")
        if "access_url" in appointment._fields:
            self.assertEqual(inbound.reply_result, "portal")
            self.assertIn(f"/my/appointments/{appointment.id}?access_token=", offered.body)
        else:
            self.assertEqual(inbound.reply_result, "free_times")
            self.assertTrue(offered.option_slot_ids)

    def test_a_move_to_another_doctor_tells_the_patient(self):
        appointment = self.booked_and_sent()
        surgeon = self.practitioner("Хирургова Вера")
        with freeze_time(utc(self.saturday, 16)):
            appointment.action_reschedule(self.slot_at(surgeon, self.monday, 11))
        event = appointment.event_ids.filtered("old_start")
        self.assertEqual(event.old_employee_id, self.doctor)
        message = self.messages(appointment, event="rescheduled")
        body = message.template_id._render(appointment)["body"]
        self.assertIn("Хирургова Вера", body)
        self.assertIn("Терапевтов Иван", body, "the previous doctor is named")

    def test_not_understood_goes_to_the_front_desk_and_the_answer_back_on_its_channel(self):
        appointment = self.booked_and_sent()
        self.anna.lang = "en_US"
        with freeze_time(utc(self.saturday, 17)):
            self.wa_text("+79161234500", "Можно прийти с ребёнком?", "wamid.Q1")
            question = self.inbound("wamid.Q1")
            self.assertEqual((question.reply_result, question.needs_answer), ("front_desk", True))
            self.assertEqual(appointment.state, "booked")
            receptionist = new_test_user(self.env, "wa_front", groups="clinic_base.group_clinic_receptionist")
            action = question.with_user(receptionist).action_answer()
            wizard = (
                self.env["clinic.message.answer"]
                .with_user(receptionist)
                .with_context(**action["context"])
                .create({"body": "Да, конечно."})
            )
            wizard.action_send()
            self.run_jobs()
        self.assertFalse(question.needs_answer)
        answer = question.answer_id
        self.assertEqual((answer.channel_id, answer.state, answer.event), (self.whatsapp, "sent", "answer"))
        self.assertEqual(self.fake.accepted_to("+79161234500")[-1]["text"]["body"], "Да, конечно.")
        found = self.env["clinic.message"].search([("body", "ilike", "с ребёнком"), ("partner_id", "=", self.anna.id)])
        self.assertEqual(found, question, "the dialogue is searchable")

    def test_chatter_shows_channel_and_status_icons_kept_current(self):
        appointment = self.booked_and_sent()
        booked = self.messages(appointment, event="booked")
        entry = appointment.message_ids.filtered(lambda m: "вы записаны" in (m.body or ""))
        self.assertIn("fa-whatsapp", entry.body)
        self.assertIn("fa-check", entry.body)
        self.wa_status(booked.provider_message_id, "read")
        self.assertIn("fa-eye", entry.body)
        self.assertIn("fa-eye", self.anna.message_ids.filtered(lambda m: "вы записаны" in (m.body or "")).body)

    def test_done_and_configured_reminders(self):
        self.env.ref("clinic_whatsapp.template_reminder_24h").hours_before = 48
        with freeze_time(utc(self.saturday, 8)):
            appointment = self.Appointment.book(self.anna, self.slot)
        self.assertEqual(self.messages(appointment, event="reminder_24h").scheduled_at, utc(self.saturday, 10))
        with freeze_time(utc(self.monday, 10, 40)):
            appointment.action_arrive()
            appointment.action_done()
            done = self.messages(appointment, event="done")
            self.run_jobs()
        self.assertEqual(done.state, "sent")
        self.assertEqual(self.fake.accepted_to("+79161234500")[-1]["template"]["name"], "appt_done")


@tagged("post_install", "-at_install")
class TestPromotions(MessagingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # only this test's patients can be reached
        cls.env["res.partner"].search([("is_patient", "=", True)]).write({"phone": False, "mobile": False})
        cls.anna.phone = "+79161234500"
        cls.fan = cls.messaging_patient("Мария", "+79161234503")
        cls.env["clinic.consent"].create(
            {
                "partner_id": cls.fan.id,
                "purpose": "marketing",
                "channel": "sms",
                "action": "given",
                "source": "paper",
                "date": datetime(2020, 1, 1),
            }
        )
        cls.promo = cls.env.ref("clinic_whatsapp.template_marketing_checkup")

    def test_only_consenting_patients_get_it_on_their_channel_with_an_opt_out(self):
        with freeze_time(utc(self.saturday, 12)):
            self.promo.action_send_promotion()
            self.promo.action_send_promotion()  # the same day: nobody gets it twice
            queued = self.env["clinic.message"].search([("event", "=", "marketing")])
            self.assertEqual(queued.partner_id, self.fan, "service consent alone is not a marketing consent")
            self.assertEqual(queued.channel_id, self.sms, "her marketing consent covers SMS only")
            self.run_jobs()
        self.assertEqual(queued.state, "sent")
        sms = self.fake.accepted_to("+79161234503")
        self.assertEqual(len(sms), 1)
        self.assertIn("СТОП", sms[0]["mes"].upper().replace("STOP", "СТОП"))
        self.assertFalse(self.fake.accepted_to("+79161234500"))

    def test_recipients_consents_read_in_one_query_per_channel(self):
        fans = self.env["res.partner"].browse(
            [self.messaging_patient(f"Поклонница{i}", f"+7916555{i:04d}").id for i in range(20)]
        )
        self.env["clinic.consent"].create(
            [
                {"partner_id": fan.id, "purpose": "marketing", "channel": "whatsapp", "action": "given",
                 "source": "paper", "date": datetime(2020, 1, 1)}
                for fan in fans
            ]
        )  # fmt: skip
        self.env.flush_all()
        with freeze_time(utc(self.saturday, 12)), self.assertLogs("odoo.sql_db", "DEBUG") as queries:
            self.promo.action_send_promotion()
        consent_queries = [line for line in queries.output if "clinic_consent" in line]
        self.assertEqual(len(consent_queries), 2, "one per channel (WhatsApp, SMS), not one per patient")
        queued = self.env["clinic.message"].search([("event", "=", "marketing")])
        self.assertEqual(queued.partner_id, fans | self.fan)
        self.assertEqual(queued.filtered(lambda m: m.partner_id == self.fan).channel_id, self.sms)
        self.assertEqual((queued - queued.filtered(lambda m: m.partner_id == self.fan)).channel_id, self.whatsapp)

    def test_promotions_keep_stricter_quiet_hours(self):
        with freeze_time(utc(self.saturday, 20, 30)):  # a service message would leave now
            self.promo.action_send_promotion()
            self.assertEqual(self.run_jobs(), ["deferred"])
        promo = self.env["clinic.message"].search([("event", "=", "marketing")])
        self.assertEqual(promo.scheduled_at, utc(self.sunday, 10))
        with freeze_time(utc(self.sunday, 10, 1)):
            self.run_jobs()
        self.assertEqual(promo.state, "sent")

    def test_a_batch_checks_each_message_for_its_own_purpose(self):
        """One job sends the due rows of a channel together: a promotion among them still needs marketing."""
        Message = self.env["clinic.message"]
        with freeze_time(utc(self.saturday, 12)):
            rows = Message.create(
                [
                    {
                        "partner_id": self.anna.id,
                        "channel_id": self.sms.id,
                        "direction": "out",
                        "phone": "+79161234500",
                        "event": event,
                        "body": body,
                        "scheduled_at": utc(self.saturday, 12),
                        "deadline": utc(self.saturday, 18),
                        "key": f"batch-purpose:{event}",
                    }
                    for event, body in (("answer", "Ваш ответ готов"), ("marketing", "Скидка на чекап"))
                ]
            )
            rows._schedule()
            self.run_jobs()
        answer, promotion = rows
        self.assertEqual((answer.state, promotion.state), ("sent", "skipped"))
        sent = self.fake.accepted_to("+79161234500")
        self.assertEqual(len(sent), 1)
        self.assertIn("Ваш ответ готов", sent[0]["mes"])

    def test_consent_withdrawn_before_sending_stops_it(self):
        with freeze_time(utc(self.saturday, 12)):
            self.promo.action_send_promotion()
            self.env["clinic.consent"].create(
                {
                    "partner_id": self.fan.id,
                    "purpose": "marketing",
                    "channel": "all",
                    "action": "withdrawn",
                    "source": "message",
                }
            )
            self.run_jobs()
        self.assertEqual(
            set(self.env["clinic.message"].search([("event", "=", "marketing")]).mapped("state")), {"skipped"}
        )
        self.assertFalse(self.fake.requests)

    def test_only_managers_send_promotions(self):
        receptionist = new_test_user(self.env, "promo_front", groups="clinic_base.group_clinic_receptionist")
        with self.assertRaises(AccessError):
            self.promo.with_user(receptionist).action_send_promotion()
