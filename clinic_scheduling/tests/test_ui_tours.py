from datetime import datetime, time, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import next_working_day
from .test_ui_click import ClinicUiCase


@tagged("post_install", "-at_install")
class TestDeskTours(ClinicUiCase):
    """Each role's day through the buttons, in Chromium; each crash of issue 9 is on one of these paths."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        company = env.company
        cls.calendar = env["resource.calendar"].create(
            {
                "name": "Тур: каждый день 8–20",
                "tz": company.clinic_tz,
                "attendance_ids": [
                    (0, 0, {"name": str(day), "dayofweek": str(day), "hour_from": 8, "hour_to": 20}) for day in range(7)
                ],
            }
        )
        cls.specialty = env["clinic.nsi.specialty"].create({"code": "TOUR-1", "name": "Турология"})
        cls.cabinet = env["clinic.cabinet"].create({"name": "Тур кабинет", "code": "ТУР-1"})
        cls.practitioner.user_id = False  # the doctor's user is the tour practitioner's here
        cls.practitioner.flush_recordset(["user_id"])
        cls.tour_doctor = env["hr.employee"].create(
            {
                "name": "Турбинов Олег",
                "is_practitioner": True,
                "resource_calendar_id": cls.calendar.id,
                "tz": company.clinic_tz,
                "slot_duration": 30,
                "default_cabinet_id": cls.cabinet.id,
                "specialty_ids": [(6, 0, cls.specialty.ids)],
                "age_group": "both",
                "user_id": cls.role_users["doctor"].id,
            }
        )
        cls.caller_doctor = env["hr.employee"].create(
            {
                "name": "Звонов Врач",
                "is_practitioner": True,
                "resource_calendar_id": cls.calendar.id,
                "age_group": "both",
            }
        )
        cls.service = env["product.product"].create(
            {
                "name": "Приём туролога",
                "type": "service",
                "is_medical_service": True,
                "list_price": 1500,
                "duration_minutes": 30,
                "specialty_ids": [(6, 0, cls.specialty.ids)],
            }
        )
        Partner = env["res.partner"]
        cls.patient = Partner.create(
            {"is_patient": True, "surname": "Турова", "first_name": "Анна", "phone": "+7 912 555-44-33"}
        )
        cls.waiting = Partner.create({"is_patient": True, "surname": "Ждущий", "first_name": "Пётр"})
        env["clinic.waitlist"].create(
            {
                "patient_id": cls.waiting.id,
                "employee_id": cls.tour_doctor.id,
                "date_from": company._clinic_today(),
                "date_to": company._clinic_today() + timedelta(days=60),
                "hour_from": 0,
                "hour_to": 24,
            }
        )
        cls.day = next_working_day(env, cls.calendar)
        now = fields.Datetime.now().replace(microsecond=0)
        Appointment = env["clinic.appointment"]
        caller = Partner.create({"is_patient": True, "surname": "Звонкова", "first_name": "Ольга"})
        Appointment.create(
            {
                "patient_id": caller.id,
                "employee_id": cls.caller_doctor.id,
                "start": now + timedelta(hours=3),
                "stop": now + timedelta(hours=3, minutes=30),
            }
        )
        # The doctor's patient has arrived today (clinic time), so the visit is open.
        today_start = company._clinic_to_utc(datetime.combine(company._clinic_today(), time.min))
        start = max(today_start, now - timedelta(minutes=30))
        ill = Partner.create({"is_patient": True, "surname": "Больнова", "first_name": "Вера"})
        arrived = Appointment.create(
            {
                "patient_id": ill.id,
                "employee_id": cls.tour_doctor.id,
                "start": start,
                "stop": start + timedelta(minutes=30),
                "service_ids": [(6, 0, cls.service.ids)],
            }
        )
        arrived.action_arrive()
        payer = Partner.create({"is_patient": True, "surname": "Платёжная", "first_name": "Нина"})
        paid = Appointment.create(
            {
                "patient_id": payer.id,
                "employee_id": cls.caller_doctor.id,
                "start": start,
                "stop": start + timedelta(minutes=30),
                "service_ids": [(6, 0, cls.service.ids)],
            }
        )
        paid.action_arrive()
        env["clinic.visit.payment"].create({"visit_id": paid.visit_id.id, "amount": 1500, "method": "cash"})
        # The day grid opens on the tour's working day (the same context a link from an appointment would give).
        env.ref("clinic_scheduling.clinic_day_grid_action").context = {"clinic_grid_day": cls.day.isoformat()}

    def test_receptionist(self):
        self.start_tour("/odoo", "clinic_desk_receptionist", login="clinic_ui_receptionist", timeout=300)
        booked = self.env["clinic.appointment"].search([("patient_id", "=", self.patient.id)])
        self.assertEqual(sorted(booked.mapped("state")), ["booked", "cancelled"], "one cancelled, one from the grid")
        self.assertEqual(booked.filtered(lambda a: a.state == "cancelled").reschedule_count, 1)
        self.assertTrue(self.env["clinic.waitlist.offer"].search([("patient_id", "=", self.waiting.id)]))
        self.assertEqual(
            self.env["clinic.appointment"].search([("patient_id.surname", "=", "Звонкова")]).state, "confirmed"
        )

    def test_doctor(self):
        self.start_tour("/odoo", "clinic_desk_doctor", login="clinic_ui_doctor", timeout=300)
        visit = self.env["clinic.visit"].search([("patient_id.surname", "=", "Больнова")])
        self.assertEqual(visit.state, "done")
        self.assertEqual(visit.diagnosis_id.code, "J06.9")

    def test_accountant(self):
        self.start_tour("/odoo", "clinic_desk_accountant", login="clinic_ui_accountant", timeout=300)

    def test_manager(self):
        self.start_tour("/odoo", "clinic_desk_manager", login="clinic_ui_manager", timeout=300)
        hold = self.env["ir.config_parameter"].sudo().get_param("clinic_scheduling.hold_minutes")
        self.assertEqual(hold, "12")
