import json
from datetime import datetime, time, timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import SchedulingCase, utc


@tagged("post_install", "-at_install")
class TestDeskScreens(SchedulingCase):
    """What the front desk's and the doctor's screens ask the server: the day grid, the clinic's time zone,
    the call list and «Today» filters, the settings, the patient card's buttons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receptionist = new_test_user(cls.env, "grid_desk", groups="clinic_base.group_clinic_receptionist")
        cls.doctor_user = new_test_user(cls.env, "grid_doctor", groups="clinic_base.group_clinic_doctor")
        cls.nobody = new_test_user(cls.env, "grid_nobody", groups="base.group_user")
        cls.doctor.user_id = cls.doctor_user
        cls.colleague = cls.practitioner("Коллегов Пётр")
        cls.Grid = cls.env["clinic.day.grid"]

    def grid(self, user, **kwargs):
        """The grid of the test week's Monday, this case's cabinet only (the demo's practitioners aside)."""
        kwargs.setdefault("cabinet_id", self.cabinet.id)
        return self.Grid.with_user(user).load_day_grid(day=self.monday.isoformat(), **kwargs)

    def column(self, data, employee):
        return next(c for c in data["columns"] if c["employee_id"] == employee.id)

    def test_grid_shows_the_day_in_clinic_time_with_appointments_and_breaks(self):
        self.Appointment.book_slot(self.patient, self.slot_at(self.doctor, self.monday, 10), services=self.service)
        data = self.grid(self.receptionist)
        self.assertTrue(data["can_book"])
        column = self.column(data, self.doctor)
        (appointment,) = column["appointments"]
        self.assertEqual((appointment["start"], appointment["stop"]), (600, 660), "10:00-11:00 clinic time")
        self.assertEqual(appointment["patient"], self.patient.name)
        self.assertEqual(appointment["services"], self.service.name)
        self.assertEqual(appointment["state"], "booked")
        starts = {slot["start"] for slot in column["slots"]}
        self.assertIn(9 * 60, starts)
        self.assertNotIn(10 * 60, starts, "the booked time is drawn as the appointment")
        self.assertFalse({s for s in starts if 13 * 60 <= s < 14 * 60}, "the lunch break has no slot: shaded")
        self.assertEqual(data["hours"], [9 * 60, 18 * 60])

    def test_grid_marks_time_off_and_filters_by_cabinet_and_specialty(self):
        leave = self.env["resource.calendar.leaves"].create(
            {
                "name": "Конференция",
                "resource_id": self.colleague.resource_id.id,
                "date_from": utc(self.monday, 14),
                "date_to": utc(self.monday, 16),
            }
        )
        data = self.grid(self.receptionist)
        self.assertEqual(self.column(data, self.colleague)["leaves"], [{"start": 840, "stop": 960, "name": leave.name}])
        self.assertFalse(self.column(data, self.doctor)["leaves"])
        other_room = self.env["clinic.cabinet"].create({"name": "Другой", "code": "X-1"})
        self.colleague.default_cabinet_id = other_room
        self.env.flush_all()  # the grid reads the public directory (an SQL view) as a request would
        by_room = self.grid(self.receptionist, cabinet_id=other_room.id)
        self.assertEqual([c["employee_id"] for c in by_room["columns"]], [self.colleague.id])
        other_specialty = self.env["clinic.nsi.specialty"].create({"code": "X-SP", "name": "Иная"})
        self.assertFalse(self.grid(self.receptionist, specialty_id=other_specialty.id)["columns"])

    def test_week_of_one_practitioner(self):
        data = self.grid(self.receptionist, mode="week", employee_id=self.colleague.id)
        self.assertEqual(len(data["columns"]), 7)
        self.assertEqual({c["employee_id"] for c in data["columns"]}, {self.colleague.id})
        self.assertEqual(data["columns"][0]["date"], self.monday.isoformat())
        self.assertFalse(data["columns"][5]["slots"], "no Saturday in this schedule")

    def test_doctor_sees_own_day_and_outsiders_nothing(self):
        data = self.grid(self.doctor_user)
        self.assertEqual([c["employee_id"] for c in data["columns"]], [self.doctor.id])
        self.assertFalse(data["can_book"])
        with self.assertRaises(AccessError):
            self.grid(self.nobody)
        slot = self.slot_at(self.doctor, self.monday, 9)
        with self.assertRaises(AccessError):
            slot.with_user(self.doctor_user).action_book_from_grid()

    def test_grid_refuses_a_wrong_day_clearly(self):
        for bad in ({"day": "31.02.2026"}, {"employee_id": "Иванов"}):
            with self.subTest(bad=bad), self.assertRaisesRegex(UserError, "wrong day or filter"):
                self.Grid.with_user(self.receptionist).load_day_grid(**bad)

    def test_free_cell_opens_the_booking_window_on_that_time(self):
        slot = self.slot_at(self.doctor, self.monday, 11)
        action = slot.with_user(self.receptionist).action_book_from_grid()
        wizard = self.env["clinic.booking.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.slot_id, slot)
        self.assertEqual(wizard.week_start, self.monday)
        wizard.with_user(self.receptionist).patient_id = self.patient
        result = wizard.with_user(self.receptionist).action_book_chosen()
        appointment = self.Appointment.browse(result["res_id"])
        self.assertEqual((appointment.patient_id, appointment.start), (self.patient, utc(self.monday, 11)))

    def test_every_open_grid_hears_of_a_booking(self):
        self.env.cr.execute("DELETE FROM bus_bus")
        self.Appointment.book(self.patient, self.slot_at(self.doctor, self.monday, 9))
        self.env.cr.flush()
        self.env.cr.execute("SELECT message FROM bus_bus")
        messages = [json.loads(row[0]) for row in self.env.cr.fetchall()]
        grid = [m for m in messages if m["type"] == "clinic/day_grid"]
        self.assertTrue(grid)
        self.assertEqual(grid[0]["payload"], {"employee_ids": [self.doctor.id]}, "ids only, no patient data")

    def test_clinic_time_zone_helpers(self):
        company = self.env.company
        company.clinic_tz = "Asia/Yekaterinburg"
        local = datetime.combine(self.monday, time(9))
        self.assertEqual(company._clinic_to_utc(local), local - timedelta(hours=5))
        self.assertEqual(company._clinic_from_utc(local - timedelta(hours=5)), local)
        self.assertEqual(
            company._clinic_to_utc(self.monday), datetime.combine(self.monday, time()) - timedelta(hours=5)
        )
        self.assertEqual(company._clinic_today(), company._clinic_now().date())
        remote = self.practitioner("Удалёнов Марк", tz="Europe/Moscow")
        self.assertEqual(self.slot_at(self.doctor, self.monday, 9).start_label[-5:], "09:00")
        self.assertEqual(
            self.slot_at(remote, self.monday, 11).start_label[-5:], "11:00", "9:00 in Moscow is 11:00 at the clinic"
        )

    def test_today_and_call_list_are_computed_by_the_server(self):
        now = fields.Datetime.now().replace(microsecond=0)
        soon = self.Appointment.create(
            {
                "patient_id": self.patient.id,
                "employee_id": self.colleague.id,
                "start": now + timedelta(hours=2),
                "stop": now + timedelta(hours=2, minutes=30),
            }
        )
        later = self.Appointment.create(
            {
                "patient_id": self.patient.id,
                "employee_id": self.colleague.id,
                "start": now + timedelta(days=3),
                "stop": now + timedelta(days=3, minutes=30),
            }
        )
        listed = self.Appointment.search([("in_call_list", "=", True), ("id", "in", (soon | later).ids)])
        self.assertEqual(listed, soon)
        self.assertEqual(
            self.Appointment.search([("in_call_list", "=", False), ("id", "in", (soon | later).ids)]), later
        )
        soon.action_call_confirmed()
        self.assertFalse(soon.in_call_list)
        self.assertFalse(later.is_today)
        self.assertNotIn(later, self.Appointment.search([("is_today", "=", True)]))

    def test_settings_are_for_managers(self):
        manager = new_test_user(self.env, "grid_manager", groups="clinic_base.group_clinic_manager")
        settings = self.env["clinic.settings"].with_user(manager).create({"hold_minutes": 9})
        self.assertEqual(settings.slot_horizon_days, self.Slot._horizon())
        settings.action_save()
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("clinic_scheduling.hold_minutes"), "9")
        with self.assertRaises(AccessError):
            self.env["clinic.settings"].with_user(self.receptionist).create({})
        with self.assertRaises(AccessError):
            settings.with_user(self.receptionist).action_save()

    def test_patient_links_open_the_patient_card(self):
        card = self.env.ref("clinic_base.res_partner_view_form_patient")
        self.assertEqual(self.patient.get_formview_id(), card.id)
        company_partner = self.env["res.partner"].create({"name": "ООО Ромашка", "is_company": True})
        self.assertNotEqual(company_partner.get_formview_id(), card.id)
        action = self.patient.with_user(self.receptionist).action_clinic_book()
        wizard = self.env["clinic.booking.wizard"].browse(action["res_id"])
        self.assertEqual(wizard.patient_id, self.patient)
        with self.assertRaises(AccessError):
            self.patient.with_user(self.doctor_user).action_clinic_waitlist()

    def test_pickers_offer_only_what_practitioners_have(self):
        unused = self.env["clinic.nsi.specialty"].create({"code": "X-UNUSED", "name": "Никто не ведёт"})
        wizard = self.env["clinic.booking.wizard"].with_user(self.receptionist).create({"week_start": self.monday})
        self.assertIn(self.specialty, wizard.allowed_specialty_ids)
        self.assertNotIn(unused, wizard.allowed_specialty_ids)
        self.assertIn(self.service, wizard.allowed_service_ids)
        wizard.age_group = "child"
        self.assertIn(self.specialty, wizard.allowed_specialty_ids, "the practitioners see children too")

    def test_waitlist_pickers_offer_only_what_practitioners_have(self):
        unused = self.env["clinic.nsi.specialty"].create({"code": "X-UNUSED", "name": "Никто не ведёт"})
        adults_only = self.env["clinic.nsi.specialty"].create({"code": "X-ADULT", "name": "Только взрослые"})
        self.practitioner("Взрослов Олег", specialty_ids=[(6, 0, adults_only.ids)], age_group="adult")
        adult_service = self.env["product.product"].create(
            {"name": "Взрослый приём", "is_medical_service": True, "type": "service", "specialty_ids": adults_only.ids}
        )
        child = self.env["res.partner"].create(
            {
                "is_patient": True,
                "surname": "Малышев",
                "first_name": "Петя",
                "birth_date": self.monday - timedelta(days=700),
            }
        )
        with Form(self.env["clinic.waitlist"].with_user(self.receptionist)) as entry:
            entry.patient_id = self.patient
            self.assertIn(self.specialty, entry.allowed_specialty_ids)
            self.assertIn(adults_only, entry.allowed_specialty_ids)
            self.assertNotIn(unused, entry.allowed_specialty_ids)
            self.assertIn(adult_service, entry.allowed_service_ids)
            entry.patient_id = child
            self.assertNotIn(adults_only, entry.allowed_specialty_ids, "no practitioner sees children of it")
            self.assertNotIn(adult_service, entry.allowed_service_ids)
            self.assertIn(self.service, entry.allowed_service_ids)
            entry.patient_id = self.patient
            entry.employee_id = self.colleague
            self.assertEqual(entry.allowed_specialty_ids[:], self.specialty, "narrowed to the practitioner's")
            entry.date_to = self.monday + timedelta(days=7)
        field_domain = self.env["clinic.waitlist"]._fields["specialty_id"].domain
        self.assertEqual(field_domain, "[('id', 'in', allowed_specialty_ids)]", "the picker is restricted")
