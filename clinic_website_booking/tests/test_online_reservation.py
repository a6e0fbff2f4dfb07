from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from ..models.clinic_online_booking import OnlineBookingError
from ..models.clinic_online_booking_request import RESERVE_MINUTES
from .common import OnlineBookingCase


@tagged("post_install", "-at_install")
class TestOnlineReservation(OnlineBookingCase):
    """A booking from the website is answered once its slots are kept and what was typed is recorded; the card,
    the consents and the appointment are its follow-up (the triggered cron, or a page that needs them now)."""

    def setUp(self):
        super().setUp()
        self.Reservation = self.env["clinic.online.reservation"]
        self.cron = self.env.ref("clinic_scheduling.ir_cron_clinic_appointment_calendar")

    def triggers(self):
        return self.env["ir.cron.trigger"].search_count([("cron_id", "=", self.cron.id)])

    def test_slots_are_kept_and_nothing_else_is_written_until_the_follow_up(self):
        slot = self.free_runs(self.doctor, self.service)[0][0]
        token = self.Booking.hold(slot, self.service)
        started = fields.Datetime.now() - timedelta(seconds=95)
        before, triggers = self.counts(), self.triggers()
        reservation = self.Request.reserve(
            self.values(slot, service=self.service, hold_token=token, booking_started_at=started)
        )
        after = self.counts()
        self.assertEqual(after.pop("clinic.online.reservation"), before.pop("clinic.online.reservation") + 1)
        self.assertEqual(after, before, "no card, consent or appointment in the visitor's request")
        self.assertEqual((reservation.state, slot.state, slot.hold_token), ("pending", "held", token))
        self.assertGreater(slot.hold_until, fields.Datetime.now() + timedelta(minutes=RESERVE_MINUTES - 1))
        self.assertEqual(self.triggers(), triggers + 1, "the follow-up is triggered at once")
        self.assertEqual(reservation.typed_name, "Новикова Мария Сергеевна")
        # The follow-up comes later (here ten minutes): the booking's figures and consents keep the moment of booking.
        with freeze_time(fields.Datetime.now() + timedelta(minutes=10)):
            self.follow_up()
        appointment = reservation.appointment_id
        self.assertEqual(reservation.state, "done")
        self.assertEqual((appointment.online_ref, appointment.access_token, appointment.slot_ids),
                         (reservation.online_ref, reservation.sudo().access_token, slot))  # fmt: skip
        self.assertEqual(appointment.patient_id.name, "Новикова Мария Сергеевна")
        self.assertAlmostEqual(appointment.booking_seconds, 95, delta=5)
        consents = appointment.patient_id.consent_ids
        self.assertEqual(set(consents.mapped("date")), {reservation.create_date.replace(microsecond=0)})
        self.assertTrue(appointment.patient_id.clinic_may_contact("service_messages", "whatsapp"), "in force at once")
        self.assertEqual(self.triggers(), triggers + 1, "the follow-up triggers no second run of itself")
        self.follow_up()
        self.assertEqual(self.Appointment.search_count([("online_ref", "=", reservation.online_ref)]), 1)

    def test_a_page_makes_the_appointment_before_the_follow_up(self):
        reservation = self.Request.reserve(self.values(self.free_runs(self.doctor)[0][0]))
        appointment = reservation._materialize()
        self.assertEqual((reservation.state, appointment.online_ref), ("done", reservation.online_ref))
        self.assertEqual(reservation._materialize(), appointment)
        self.follow_up()
        self.assertEqual(self.Appointment.search([("online_ref", "=", reservation.online_ref)]), appointment)

    def test_reservations_waiting_count_towards_the_cap_per_phone(self):
        self.env["ir.config_parameter"].set_param("clinic_website_booking.max_active_per_phone", 1)
        runs = self.free_runs(self.doctor)
        self.Request.reserve(self.values(runs[0][0]))
        with self.assertRaises(OnlineBookingError) as caught:
            self.Request.reserve(self.values(runs[2][0]))
        self.assertEqual(caught.exception.code, "booking_limit_reached")

    def test_a_time_lost_meanwhile_is_not_booked_and_the_front_desk_calls(self):
        slot = self.free_runs(self.doctor)[0][0]
        reservation = self.Request.reserve(self.values(slot))
        # The follow-up came after the hold ran out (the server was down) and the time went to someone else.
        slot.write({"state": "free", "hold_until": False, "hold_token": False})
        someone = self.Partner.create({"is_patient": True, "surname": "Звонкова", "first_name": "Лиза"})
        self.Appointment.book(someone, slot, source="phone")
        before = self.counts()
        self.follow_up()
        self.assertEqual((reservation.state, reservation.appointment_id), ("failed", self.Appointment))
        self.assertTrue(reservation.failure)
        self.assertEqual(self.counts(), before, "no card or consent is left of it")
        [ping] = self.reception_pings("website_booking")
        self.assertEqual((ping["res_model"], ping["res_id"], ping["sticky"]), (reservation._name, reservation.id, True))
        for part in ("Новикова Мария Сергеевна", "Терапевтова Анна Павловна", "+7 (912) 555-01-02"):
            self.assertIn(part, ping["message"])

    def test_the_api_books_at_once(self):
        appointment = self.Request.book_online(self.values(self.free_runs(self.doctor)[0][0]))
        reservation = self.Reservation.search([("online_ref", "=", appointment.online_ref)])
        self.assertEqual((reservation.state, reservation.appointment_id), ("done", appointment))

    def test_the_follow_up_writes_for_the_front_desk_in_the_websites_language(self):
        if not self.env["res.lang"]._lang_get("ru_RU"):
            self.env["res.lang"]._activate_lang("ru_RU")
        self.env["ir.module.module"].search([("name", "=", "clinic_website_booking")])._update_translations("ru_RU")
        self.Partner.create(
            {"is_patient": True, "surname": "Новикова", "first_name": "Мария", "patronymic": "Сергеевна",
             "birth_date": "1990-04-12"}
        )  # fmt: skip
        values = self.values(self.free_runs(self.doctor)[0][0], person=self.person(patronymic=""))
        reservation = self.Request.with_context(lang="ru_RU").reserve(values)
        self.follow_up()  # the scheduled action runs in no visitor's language
        self.assertIn("созданная при онлайн-записи", reservation.appointment_id.attention_reason)
