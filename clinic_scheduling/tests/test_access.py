from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import SchedulingCase


@tagged("post_install", "-at_install")
class TestSchedulingAccess(SchedulingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.doctor_user = new_test_user(cls.env, "clinic_doc_own", groups="clinic_base.group_clinic_doctor")
        cls.doctor.user_id = cls.doctor_user
        room = cls.env["clinic.cabinet"].create({"name": "Кабинет 2", "code": "T-102"})
        cls.other_doctor = cls.practitioner("Чужой Доктор", default_cabinet_id=room.id)
        cls.own = cls.Appointment.book(cls.patient, cls.slot_at(cls.doctor, cls.monday, 9))
        cls.foreign = cls.Appointment.book(cls.patient, cls.slot_at(cls.other_doctor, cls.monday, 9))
        cls.receptionist = new_test_user(cls.env, "clinic_desk_acc", groups="clinic_base.group_clinic_receptionist")

    def test_doctor_sees_own_appointments_only(self):
        Appointment = self.env["clinic.appointment"].with_user(self.doctor_user)
        visible = Appointment.search([("id", "in", (self.own | self.foreign).ids)])
        self.assertEqual(visible, self.own)
        with self.assertRaises(AccessError):
            self.foreign.with_user(self.doctor_user).read(["start"])

    def test_doctor_sees_own_visits_and_their_protocols(self):
        self.own.action_arrive()
        self.foreign.action_arrive()
        Visit = self.env["clinic.visit"].with_user(self.doctor_user)
        self.assertEqual(Visit.search([("patient_id", "=", self.patient.id)]), self.own.visit_id)
        self.own.visit_id.with_user(self.doctor_user).complaints = "Кашель"
        self.assertEqual(self.own.visit_id.with_user(self.doctor_user).complaints, "Кашель")

    def test_front_desk_sees_every_appointment_but_no_protocol(self):
        Appointment = self.env["clinic.appointment"].with_user(self.receptionist)
        self.assertEqual(Appointment.search([("id", "in", (self.own | self.foreign).ids)]), self.own | self.foreign)
        self.own.action_arrive()
        with self.assertRaises(AccessError):
            self.own.visit_id.with_user(self.receptionist).read(["complaints"])
