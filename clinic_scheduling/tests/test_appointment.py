import json

import psycopg2

from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..models.clinic_appointment import SlotTakenError
from .common import SchedulingCase, utc


@tagged("post_install", "-at_install")
class TestAppointment(SchedulingCase):
    def test_booking_takes_consecutive_slots_for_a_long_service(self):
        first = self.slot_at(self.doctor, self.monday, 10)
        appointment = self.Appointment.book_slot(self.patient, first, services=self.service)
        self.assertEqual(appointment.start, utc(self.monday, 10))
        self.assertEqual(appointment.stop, utc(self.monday, 11))
        self.assertEqual(len(appointment.slot_ids), 2)
        self.assertEqual(set(appointment.slot_ids.mapped("state")), {"booked"})
        self.assertEqual(appointment.cabinet_id, self.cabinet)
        self.assertTrue(appointment.name.startswith("ЗП-"))
        self.assertTrue(appointment.calendar_event_id, "shown in the practitioner's calendar")
        self.assertEqual(appointment.calendar_event_id.start, appointment.start)

    def grid_notices(self):
        """The day grids' notices on the bus so far."""
        self.env.cr.flush()
        self.env.cr.execute("SELECT message FROM bus_bus")
        return [m for m in (json.loads(row[0]) for row in self.env.cr.fetchall()) if m["type"] == "clinic/day_grid"]

    def test_a_deferred_calendar_event_is_made_by_the_triggered_cron(self):
        cron = self.env.ref("clinic_scheduling.ir_cron_clinic_appointment_calendar")
        triggers = self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)])
        self.env.cr.execute("DELETE FROM bus_bus")
        appointment = self.Appointment.with_context(clinic_defer_calendar=True).book(
            self.patient, self.slot_at(self.doctor, self.monday, 9)
        )
        self.assertFalse(appointment.calendar_event_id, "not made in the booking's request")
        self.assertFalse(appointment.message_ids, "nor the chatter's note")
        self.assertFalse(self.grid_notices(), "nor the day grids' notice")
        self.assertTrue(appointment.calendar_pending)
        self.assertEqual(self.env["ir.cron.trigger"].search_count([("cron_id", "=", cron.id)]), triggers + 1)
        cron.method_direct_trigger()
        notices = self.grid_notices()
        self.assertTrue(notices, "the day grids hear of the booking from the cron")
        self.assertEqual({tuple(n["payload"]["employee_ids"]) for n in notices}, {(self.doctor.id,)})
        self.assertFalse(appointment.calendar_pending)
        self.assertEqual(appointment.calendar_event_id.start, appointment.start)
        self.assertEqual(appointment.calendar_event_id.privacy, "private")
        self.assertEqual(appointment.calendar_event_id.res_id, appointment.id)
        self.assertEqual(len(appointment.message_ids), 1)
        self.assertIn(appointment._creation_message(), appointment.message_ids.body)
        self.assertEqual(appointment.message_ids.author_id, self.env.user.partner_id, "the booking's user")

    def test_a_long_service_does_not_cross_the_lunch_break(self):
        with self.assertRaises(UserError):
            self.Appointment.book_slot(self.patient, self.slot_at(self.doctor, self.monday, 12, 30), self.service)

    def test_state_machine_and_time_stamps(self):
        appointment = self.Appointment.book(self.patient, self.slot_at(self.doctor, self.monday, 9))
        appointment.action_confirm()
        appointment.action_arrive()
        appointment.action_start()
        appointment.action_done()
        self.assertEqual(appointment.state, "done")
        for stamp in ("confirmed_at", "arrived_at", "started_at", "done_at"):
            self.assertTrue(appointment[stamp], stamp)
        self.assertEqual(
            appointment.event_ids.mapped("state_to"), ["booked", "confirmed", "arrived", "in_progress", "done"]
        )
        with self.assertRaises(UserError):
            appointment.action_cancel()
        with self.assertRaises(UserError):
            appointment.action_confirm()

    def test_cancel_frees_the_slot_and_keeps_who_and_why(self):
        slot = self.slot_at(self.doctor, self.monday, 9)
        appointment = self.Appointment.book(self.patient, slot)
        appointment.action_cancel(reason="Заболел", by="patient")
        self.assertEqual(appointment.state, "cancelled")
        self.assertEqual((appointment.cancelled_by, appointment.cancel_reason), ("patient", "Заболел"))
        self.assertEqual(slot.state, "free")
        self.assertTrue(slot.freed_at)
        self.assertFalse(appointment.calendar_event_id.active)
        again = self.Appointment.book(self.patient, slot)
        self.assertEqual(again.start, appointment.start, "a freed slot can be booked again")
        self.assertGreaterEqual(again.refill_seconds, 0)

    def test_cancellation_pops_up_at_the_front_desk(self):
        receptionist = self.env["res.users"].create(
            {
                "name": "Регистратор В",
                "login": "reg_v",
                "groups_id": [(6, 0, [self.env.ref("clinic_base.group_clinic_receptionist").id])],
            }
        )
        appointment = self.Appointment.book(self.patient, self.slot_at(self.doctor, self.monday, 9))
        appointment.action_cancel(reason="Заболел")
        self.env.cr.precommit.run()  # the bus writes its notifications when the transaction commits
        target = ["res.partner", receptionist.partner_id.id]
        payloads = [
            json.loads(m.message)["payload"]
            for m in self.env["bus.bus"].search([])
            if json.loads(m.channel)[1:] == target and json.loads(m.message)["type"] == "clinic/reception"
        ]
        self.assertEqual(len(payloads), 1)
        self.assertIn("Заболел", payloads[0]["message"])
        self.assertEqual((payloads[0]["res_model"], payloads[0]["res_id"]), ("clinic.appointment", appointment.id))

    def test_no_show_frees_the_rest_of_the_time(self):
        appointment = self.Appointment.book(self.patient, self.slot_at(self.doctor, self.monday, 9))
        appointment.action_no_show()
        self.assertEqual(appointment.state, "no_show")
        self.assertTrue(appointment.no_show_at)
        self.assertEqual(self.slot_at(self.doctor, self.monday, 9).state, "free")

    def test_reschedule_keeps_the_history(self):
        old = self.slot_at(self.doctor, self.monday, 9)
        new = self.slot_at(self.doctor, self.monday, 15)
        appointment = self.Appointment.book(self.patient, old)
        appointment.action_reschedule(new)
        self.assertEqual(appointment.start, utc(self.monday, 15))
        self.assertEqual(old.state, "free")
        self.assertEqual(new.appointment_id, appointment)
        moved = appointment.event_ids.filtered("old_start")
        self.assertEqual(moved.old_start, utc(self.monday, 9))
        self.assertEqual(appointment.reschedule_count, 1)

    def test_second_booking_of_a_slot_gets_the_nearest_alternatives(self):
        slot = self.slot_at(self.doctor, self.monday, 9)
        self.Appointment.book(self.patient, slot)
        other = self.env["res.partner"].create({"is_patient": True, "surname": "Второй", "first_name": "Пациент"})
        with self.assertRaises(SlotTakenError) as caught:
            self.Appointment.book(other, slot)
        alternatives = caught.exception.alternatives
        self.assertTrue(alternatives)
        self.assertEqual(alternatives[0][0], self.slot_at(self.doctor, self.monday, 9, 30))
        self.assertIn("09:30", str(caught.exception))

    def test_database_refuses_overlaps_whatever_the_code_path(self):
        self.Appointment.book(self.patient, self.slot_at(self.doctor, self.monday, 9))
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.env.cr.savepoint():
            self.env.cr.execute(
                "INSERT INTO clinic_appointment (name, patient_id, employee_id, start, stop, state, source, company_id)"
                " VALUES ('x', %s, %s, %s, %s, 'booked', 'phone', %s)",
                [
                    self.patient.id,
                    self.doctor.id,
                    utc(self.monday, 9, 15),
                    utc(self.monday, 9, 45),
                    self.env.company.id,
                ],
            )
        other = self.practitioner("Другой Врач")
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError), self.env.cr.savepoint():
            self.env.cr.execute(
                "INSERT INTO clinic_appointment (name, patient_id, employee_id, cabinet_id, start, stop, state,"
                " source, company_id) VALUES ('y', %s, %s, %s, %s, %s, 'booked', 'phone', %s)",
                [
                    self.patient.id,
                    other.id,
                    self.cabinet.id,
                    utc(self.monday, 9),
                    utc(self.monday, 9, 30),
                    self.env.company.id,
                ],
            )

    def test_held_slot_is_only_for_its_token(self):
        slot = self.slot_at(self.doctor, self.monday, 11)
        token = slot.hold(5)
        other = self.env["res.partner"].create({"is_patient": True, "surname": "Третий", "first_name": "Пациент"})
        with self.assertRaises(SlotTakenError):
            self.Appointment.book(other, slot)
        appointment = self.Appointment.book(self.patient, slot, hold_token=token)
        self.assertEqual(slot.state, "booked")
        self.assertEqual(appointment.patient_id, self.patient)

    def test_call_list_is_one_call_by_one_person(self):
        tomorrow_slot = self.Slot.search(
            [("employee_id", "=", self.doctor.id), ("state", "=", "free"), ("start", ">", self.env.cr.now())],
            limit=1,
        )
        appointment = self.Appointment.book(self.patient, tomorrow_slot)
        receptionist = self.env["res.users"].create(
            {
                "name": "Регистратор Б",
                "login": "reg_b",
                "groups_id": [(6, 0, [self.env.ref("clinic_base.group_clinic_receptionist").id])],
            }
        )
        appointment.action_take_call()
        with self.assertRaises(UserError):
            appointment.with_user(receptionist).action_call_confirmed()
        appointment.action_call_confirmed()
        self.assertEqual(appointment.state, "confirmed")
        self.assertEqual(appointment.call_ids.outcome, "confirmed")
        self.assertEqual(appointment.call_ids.user_id, self.env.user)
