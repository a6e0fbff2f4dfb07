import json
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import new_test_user, tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import SchedulingCase


@tagged("post_install", "-at_install")
class TestWaitlist(SchedulingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.slot = cls.slot_at(cls.doctor, cls.monday, 10)
        cls.booked = cls.env["clinic.appointment"].book(cls.patient, cls.slot)
        # Everything else that day is taken too, so only the cancelled slot can be offered.
        day_slots = cls.slots_on(cls.doctor, cls.monday) - cls.slot
        day_slots.write({"state": "blocked", "block_reason": "test"})
        Partner = cls.env["res.partner"]
        cls.first = Partner.create({"is_patient": True, "surname": "Первая", "first_name": "Ольга"})
        cls.second = Partner.create({"is_patient": True, "surname": "Второй", "first_name": "Олег"})
        Waitlist = cls.env["clinic.waitlist"]
        window = {"employee_id": cls.doctor.id, "date_from": cls.monday, "date_to": cls.monday + timedelta(days=1)}
        cls.entry_first = Waitlist.create(dict(window, patient_id=cls.first.id))
        cls.entry_second = Waitlist.create(dict(window, patient_id=cls.second.id))

    def pending(self):
        return self.env["clinic.waitlist.offer"].search([("state", "=", "pending"), ("start", "=", self.slot.start)])

    def test_cancellation_offers_the_slot_at_once_to_the_first_in_line(self):
        self.booked.action_cancel(reason="Отмена")
        offer = self.pending()
        self.assertEqual(offer.patient_id, self.first)
        self.assertEqual(self.slot.state, "held", "the slot is held for the offer")
        self.assertLessEqual((offer.offered_at - self.booked.cancelled_at).total_seconds(), 5)
        self.assertEqual(self.entry_first.state, "offered")
        self.assertIn(self.slot.display_name, self.first.message_ids[:1].body)

    def test_decline_passes_the_offer_to_the_next(self):
        self.booked.action_cancel()
        self.pending().action_decline()
        self.assertEqual(self.pending().patient_id, self.second)
        self.assertEqual(self.entry_first.state, "waiting", "still waits for another time")

    def test_expired_offer_passes_to_the_next(self):
        self.booked.action_cancel()
        offer = self.pending()
        with freeze_time(fields.Datetime.now() + timedelta(minutes=31)):
            self.Slot._cron_expire_holds()
        self.assertEqual(offer.state, "expired")
        self.assertEqual(self.pending().patient_id, self.second)

    def test_acceptance_books_through_the_same_guarantee(self):
        self.booked.action_cancel()
        appointment = self.pending().action_accept()
        self.assertEqual(appointment.patient_id, self.first)
        self.assertEqual(appointment.start, self.slot.start)
        self.assertEqual(self.slot.state, "booked")
        self.assertEqual(self.entry_first.state, "booked")
        self.assertGreaterEqual(appointment.refill_seconds, 0)
        self.assertFalse(self.pending(), "nothing left to offer")

    def test_offer_and_its_popups_read_as_patient_and_time_said_once(self):
        """No «clinic.waitlist.offer,1» and no name said twice: «Первая Ольга took Терапевтов Иван, 05.01 10:00»."""
        receptionist = new_test_user(self.env, "waitlist_front", groups="clinic_base.group_clinic_receptionist")
        self.booked.action_cancel()
        offer = self.pending()
        when = self.slot.display_name
        self.assertEqual(offer.display_name, f"Первая Ольга: {when}")
        offer.action_accept()
        self.env.cr.flush()
        channel = json_dump(channel_with_db(self.env.cr.dbname, receptionist.partner_id))
        notes = [json.loads(note.message) for note in self.env["bus.bus"].sudo().search([("channel", "=", channel)])]
        popups = {n["payload"]["kind"]: n["payload"]["message"] for n in notes if n["type"] == "clinic/reception"}
        self.assertEqual(popups["waitlist_offer"], f"Первая Ольга is offered {when}.")
        self.assertEqual(popups["waitlist_accepted"], f"Первая Ольга took {when}.")

    def test_window_and_practitioner_must_match(self):
        other_doctor = self.practitioner("Другой Доктор")
        self.entry_first.employee_id = other_doctor
        self.entry_second.write({"date_from": self.monday + timedelta(days=1)})
        self.booked.action_cancel()
        self.assertFalse(self.pending(), "nobody waits for this doctor on this day")
        self.assertEqual(self.slot.state, "free")
