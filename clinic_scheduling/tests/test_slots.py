from datetime import date, timedelta

from odoo.tests import tagged

from .common import CLINIC_TZ, SchedulingCase, utc


@tagged("post_install", "-at_install")
class TestSlotGeneration(SchedulingCase):
    def test_weekly_pattern_with_lunch_break(self):
        slots = self.slots_on(self.doctor, self.monday)
        self.assertEqual(len(slots), 16, "8 hours of 30-minute slots")
        starts = slots.mapped("start")
        self.assertEqual(min(starts), utc(self.monday, 9))
        self.assertEqual(max(starts), utc(self.monday, 17, 30))
        self.assertNotIn(utc(self.monday, 13), starts, "no slot in the lunch break")
        self.assertFalse(self.slots_on(self.doctor, self.monday + timedelta(days=5)), "Saturday is off")
        self.assertEqual(slots.cabinet_id, self.cabinet)

    def test_horizon_is_sixty_days_by_default(self):
        last = max(self.Slot.search([("employee_id", "=", self.doctor.id)]).mapped("start"))
        self.assertGreaterEqual(last.date(), date.today() + timedelta(days=57))
        self.assertLessEqual(last.date(), date.today() + timedelta(days=60))

    def test_slot_length_per_practitioner(self):
        surgeon = self.practitioner("Хирургов Пётр", slot_duration=45)
        self.assertEqual(len(self.slots_on(surgeon, self.monday)), 10, "4h/45min = 5 slots twice a day")

    def test_alternating_weeks(self):
        calendar = self.env["resource.calendar"].create(
            {
                "name": "Через неделю",
                "tz": CLINIC_TZ,
                "two_weeks_calendar": True,
                "attendance_ids": [
                    (0, 0, {"name": "Чётная", "dayofweek": "0", "hour_from": 9, "hour_to": 12, "week_type": "0"}),
                    (0, 0, {"name": "Нечётная", "dayofweek": "0", "hour_from": 15, "hour_to": 18, "week_type": "1"}),
                ],
            }
        )
        doctor = self.practitioner("Сменный Олег", resource_calendar_id=calendar.id)
        week_type = self.env["resource.calendar.attendance"].get_week_type(self.monday)
        first, second = self.slots_on(doctor, self.monday), self.slots_on(doctor, self.monday + timedelta(days=7))
        morning, evening = (first, second) if week_type == 0 else (second, first)
        next_monday = self.monday + timedelta(days=7)
        morning_day, evening_day = (self.monday, next_monday) if week_type == 0 else (next_monday, self.monday)
        self.assertEqual(min(morning.mapped("start")), utc(morning_day, 9), "09:00 at the clinic")
        self.assertEqual(min(evening.mapped("start")), utc(evening_day, 15), "15:00 at the clinic")
        self.assertEqual(min(morning.mapped("start")).hour, 4, "09:00 in Yekaterinburg is 04:00 UTC")
        self.assertEqual(len(morning), 6)
        self.assertEqual(len(evening), 6)

    def test_public_holidays_of_the_production_calendar(self):
        plan = self.doctor._clinic_slot_plan(date(2026, 12, 28), date(2027, 1, 12))
        days = {start.date() for start in plan}
        self.assertIn(date(2026, 12, 30), days)
        self.assertNotIn(date(2026, 12, 31), days, "31 December 2026 is a transferred day off")
        for day in (1, 4, 5, 6, 7, 8):
            self.assertNotIn(date(2027, 1, day), days)
        self.assertIn(date(2027, 1, 11), days)

    def test_exceptions_vacation_training_and_extra_shift(self):
        Leave = self.env["resource.calendar.leaves"]
        tuesday, wednesday, saturday = (self.monday + timedelta(days=d) for d in (1, 2, 5))
        Leave.create(
            {
                "name": "Отпуск",
                "clinic_kind": "vacation",
                "resource_id": self.doctor.resource_id.id,
                "date_from": utc(self.monday, 0),
                "date_to": utc(tuesday, 23, 59),
            }
        )
        Leave.create(
            {
                "name": "Учёба",
                "clinic_kind": "training",
                "resource_id": self.doctor.resource_id.id,
                "date_from": utc(wednesday, 14),
                "date_to": utc(wednesday, 18),
            }
        )
        other = self.env["clinic.cabinet"].create({"name": "Процедурная", "code": "P-2"})
        Leave.create(
            {
                "name": "Доп. смена",
                "clinic_kind": "extra_shift",
                "resource_id": self.doctor.resource_id.id,
                "date_from": utc(saturday, 10),
                "date_to": utc(saturday, 12),
                "cabinet_id": other.id,
            }
        )
        self.assertFalse(self.slots_on(self.doctor, self.monday))
        self.assertFalse(self.slots_on(self.doctor, tuesday))
        self.assertEqual(len(self.slots_on(self.doctor, wednesday)), 8, "the afternoon is training")
        extra = self.slots_on(self.doctor, saturday)
        self.assertEqual(len(extra), 4)
        self.assertEqual(extra.cabinet_id, other)

    def test_per_day_cabinet_from_the_schedule(self):
        room = self.env["clinic.cabinet"].create({"name": "УЗИ", "code": "U-7"})
        self.calendar.attendance_ids.filtered(lambda a: a.dayofweek == "1").write({"cabinet_id": room.id})
        self.assertEqual(self.slots_on(self.doctor, self.monday + timedelta(days=1)).cabinet_id, room)
        self.assertEqual(self.slots_on(self.doctor, self.monday).cabinet_id, self.cabinet)

    def test_schedule_change_keeps_bookings_and_lists_conflicts(self):
        slot = self.slot_at(self.doctor, self.monday, 17)
        appointment = self.Appointment.book(self.patient, slot)
        free_evening = self.slot_at(self.doctor, self.monday, 17, 30)
        self.calendar.attendance_ids.filtered(lambda a: a.dayofweek == "0" and a.hour_to == 18).write({"hour_to": 16})
        self.assertTrue(slot.exists(), "a booked slot is never dropped")
        self.assertTrue(slot.conflict)
        self.assertEqual(appointment.state, "booked")
        self.assertFalse(free_evening.exists(), "free slots outside the schedule go")
        self.assertEqual(self.doctor.slot_conflict_count, 1)
        self.calendar.attendance_ids.filtered(lambda a: a.dayofweek == "0" and a.hour_to == 16).write({"hour_to": 18})
        self.assertFalse(slot.conflict, "back in the schedule, no longer a conflict")

    def test_times_are_stored_in_utc_and_shown_in_clinic_time(self):
        slot = self.slot_at(self.doctor, self.monday, 9)
        self.assertEqual(slot.start.hour, 4, "09:00 in Yekaterinburg is 04:00 UTC")
        self.assertIn("09:00", slot.display_name)
