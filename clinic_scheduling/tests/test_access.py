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
        cls.employee = new_test_user(cls.env, "clinic_no_role", groups="base.group_user")
        cls.stranger = cls.env["res.partner"].create({"name": "Чужой Пациент", "is_patient": True})
        (cls.patient | cls.stranger).sudo().write({"allergies": "Латекс"})

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

    def test_employee_with_no_clinic_role_sees_and_cancels_nothing(self):
        """Hole 4: a plain employee read every appointment over RPC and cancelled them."""
        for model in ("clinic.appointment", "clinic.slot", "clinic.appointment.event", "clinic.waitlist"):
            with self.subTest(model=model):
                self.assertFalse(self.env[model].with_user(self.employee).search([]))
        with self.assertRaises(AccessError):
            self.own.with_user(self.employee).read(["patient_id"])
        with self.assertRaises(AccessError):
            self.own.with_user(self.employee).action_cancel(reason="x")
        with self.assertRaises(AccessError):
            self.own.with_user(self.employee).action_take_call()
        self.assertEqual(self.own.state, "booked")

    def test_doctor_reads_medical_data_of_the_patients_they_treat_only(self):
        """Relationship rule: an appointment (past or upcoming, not cancelled) or a visit opens the summary."""
        as_doctor = self.env["res.partner"].with_user(self.doctor_user)
        self.assertEqual(as_doctor.browse(self.patient.id).allergies, "Латекс")
        self.assertTrue(as_doctor.browse(self.patient.id).clinic_medical_access)
        self.assertFalse(as_doctor.browse(self.stranger.id).allergies)
        with self.assertRaises(AccessError):
            as_doctor.browse(self.stranger.id).write({"allergies": "Нет"})
        # a cancelled appointment is no relationship
        self.own.action_cancel(reason="test")
        self.env.invalidate_all()
        self.assertFalse(as_doctor.browse(self.patient.id).allergies)
        # emergency access, logged for the managers, opens it again
        self.env["clinic.emergency.access.wizard"].with_user(self.doctor_user).create(
            {"partner_id": self.stranger.id, "reason": "Пациент без сознания в холле"}
        ).action_confirm()
        self.env.invalidate_all()
        self.assertEqual(as_doctor.browse(self.stranger.id).allergies, "Латекс")
        self.assertEqual(
            self.env["clinic.emergency.access"].search([("partner_id", "=", self.stranger.id)]).user_id,
            self.doctor_user,
        )

    def test_calendar_event_is_private_and_nameless_for_others(self):
        """Hole 9: public calendar events carried patients' names."""
        event = self.own.calendar_event_id
        self.assertEqual(event.privacy, "private")
        event.invalidate_recordset()
        read = event.with_user(self.employee).read(["name"])[0]
        self.assertNotIn(self.patient.name, read["name"])
