from datetime import timedelta

from odoo import fields
from odoo.tests import Form, new_test_user, tagged

from .common import SchedulingCase, utc


@tagged("post_install", "-at_install")
class TestBookingWindow(SchedulingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receptionist = new_test_user(cls.env, "clinic_desk", groups="clinic_base.group_clinic_receptionist")
        cls.child_doctor = cls.practitioner("Педиатрова Мария", age_group="child")

    def window(self, **vals):
        wizard = (
            self.env["clinic.booking.wizard"]
            .with_user(self.receptionist)
            .create(dict({"week_start": self.monday}, **vals))
        )
        return wizard

    def test_patient_is_found_by_phone_typed_any_way(self):
        Partner = self.env["res.partner"].with_user(self.receptionist).with_context(clinic_patient_search=True)
        for typed in ("8 912 000-00-01", "+7(912)0000001", "000-00-01"):
            with self.subTest(typed=typed):
                found = Partner.name_search(typed, [("is_patient", "=", True)])
                self.assertIn(self.patient.id, [pid for pid, _name in found])

    def test_a_week_of_free_times_across_matching_practitioners(self):
        wizard = self.window(patient_id=self.patient.id)
        self.assertEqual(wizard.age_group, False, "no birth date: adults and children both shown")
        practitioners = wizard.free_slot_ids.employee_id
        self.assertIn(self.doctor, practitioners)
        self.assertIn(self.child_doctor, practitioners)
        self.assertTrue(
            all(utc(self.monday, 0) <= s.start < utc(self.monday + timedelta(days=7), 0) for s in wizard.free_slot_ids)
        )
        wizard.age_group = "adult"
        self.assertNotIn(self.child_doctor, wizard.free_slot_ids.employee_id)
        wizard.service_id = self.service
        self.assertNotIn(
            self.slot_at(self.doctor, self.monday, 12, 30),
            wizard.free_slot_ids,
            "an hour-long service does not fit before the lunch break",
        )

    def test_book_with_one_click_and_record_the_time_to_book(self):
        wizard = self.window(patient_id=self.patient.id, service_id=self.service.id)
        wizard.opened_at = fields.Datetime.now() - timedelta(seconds=75)
        slot = wizard.free_slot_ids.filtered(lambda s: s.employee_id == self.doctor)[0]
        action = slot.with_user(self.receptionist).with_context(booking_wizard_id=wizard.id).action_book_from_window()
        appointment = self.env["clinic.appointment"].browse(action["res_id"])
        self.assertEqual(appointment.patient_id, self.patient)
        self.assertEqual(appointment.service_ids, self.service)
        self.assertEqual(appointment.booked_by_id, self.receptionist)
        self.assertEqual(appointment.source, "front_desk")
        self.assertGreaterEqual(appointment.booking_seconds, 75)
        self.assertLess(appointment.booking_seconds, 120)

    def test_reschedule_and_cancel_from_the_same_window(self):
        appointment = self.Appointment.book(self.patient, self.slot_at(self.doctor, self.monday, 9))
        wizard = self.window(patient_id=self.patient.id)
        self.assertIn(appointment, wizard.patient_appointment_ids)
        action = appointment.action_open_reschedule()
        mover = self.env["clinic.booking.wizard"].browse(action["res_id"])
        self.assertEqual(mover.appointment_id, appointment)
        mover.week_start = self.monday
        target = self.slot_at(self.doctor, self.monday, 16)
        self.assertIn(target, mover.free_slot_ids)
        mover.book(target)
        self.assertEqual(appointment.start, utc(self.monday, 16))
        cancel_context = appointment.action_open_cancel_wizard()["context"]
        cancel = Form(self.env["clinic.appointment.cancel.wizard"].with_context(**cancel_context))
        cancel.reason = "Уехал"
        cancel.save().action_confirm()
        self.assertEqual(appointment.state, "cancelled")
        self.assertEqual(target.state, "free")
