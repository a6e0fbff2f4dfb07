from datetime import timedelta

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.tests import BaseCase, tagged
from odoo.tests.common import get_db_name

from odoo.addons.clinic_base.tests.concurrency import race

from ..models.clinic_appointment import SlotTakenError
from .common import CLINIC_TZ, next_working_day, utc

RACERS = 6


@tagged("post_install", "-at_install")
class TestBookingRace(BaseCase):
    """Real concurrent transactions, each on its own connection, all after one slot: exactly one wins.

    The data is committed (other connections must see it) and removed afterwards.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.registry = Registry(get_db_name())
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
            calendar = env["resource.calendar"].create(
                {
                    "name": "Гонка",
                    "tz": CLINIC_TZ,
                    "attendance_ids": [(0, 0, {"name": "Пн", "dayofweek": "0", "hour_from": 9, "hour_to": 12})],
                }
            )
            cls.doctor_id = (
                env["hr.employee"]
                .create(
                    {
                        "name": "Гонщиков Врач",
                        "is_practitioner": True,
                        "resource_calendar_id": calendar.id,
                        "tz": CLINIC_TZ,
                        "slot_duration": 30,
                    }
                )
                .id
            )
            cls.calendar_id = calendar.id
            cls.monday = next_working_day(env, calendar)  # a Monday: the only day of this schedule
            cls.patient_ids = [
                env["res.partner"].create({"is_patient": True, "surname": f"Гонщик{i}", "first_name": "Тест"}).id
                for i in range(RACERS)
            ]
            cls.slot_id = (
                env["clinic.slot"].search([("employee_id", "=", cls.doctor_id), ("start", "=", utc(cls.monday, 9))]).id
            )

    @classmethod
    def tearDownClass(cls):
        with cls.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            appointments = env["clinic.appointment"].search([("employee_id", "=", cls.doctor_id)])
            appointments.calendar_event_id.unlink()
            appointments.unlink()
            env["hr.employee"].browse(cls.doctor_id).unlink()
            env["res.partner"].browse(cls.patient_ids).unlink()
            env["resource.calendar"].browse(cls.calendar_id).unlink()
        super().tearDownClass()

    def race(self, book):
        """Each racer books in its own transaction; returns "won" or ("lost", message, alternatives count)."""

        def summary(outcome):
            if isinstance(outcome, SlotTakenError):
                return ("lost", str(outcome), outcome.alternatives and len(outcome.alternatives))
            return outcome if isinstance(outcome, Exception) else "won"

        return [summary(o) for o in race(self.registry, RACERS, book, {"tracking_disable": True})]

    def active_appointments(self):
        with self.registry.cursor() as cr:
            cr.execute(
                "SELECT count(*) FROM clinic_appointment a JOIN clinic_slot s ON s.employee_id = a.employee_id"
                " AND s.start = a.start WHERE s.id = %s AND a.state != 'cancelled'",
                [self.slot_id],
            )
            return cr.fetchone()[0]

    def test_exactly_one_of_concurrent_bookings_wins(self):
        def book(env, index):
            env["clinic.appointment"].book(
                env["res.partner"].browse(self.patient_ids[index]), env["clinic.slot"].browse(self.slot_id)
            )

        outcomes = self.race(book)
        self.assertEqual(len(outcomes), RACERS, outcomes)
        self.assertEqual(outcomes.count("won"), 1, outcomes)
        losses = [o for o in outcomes if o != "won"]
        self.assertEqual(len(losses), RACERS - 1)
        for _lost, message, alternatives in losses:
            self.assertIn("has just been taken", message)
            self.assertTrue(alternatives, "the loser is offered the nearest free times")
        self.assertEqual(self.active_appointments(), 1)

    def test_database_alone_stops_overlaps_from_raw_inserts(self):
        """Even code that skips the slot locks cannot double-book: the exclusion constraint decides."""
        start = utc(self.monday + timedelta(days=7), 9)

        def insert(env, index):
            env.cr.execute(
                "INSERT INTO clinic_appointment (name, patient_id, employee_id, start, stop, state, source,"
                " company_id) VALUES ('raw', %s, %s, %s, %s, 'booked', 'phone', 1)",
                [
                    self.patient_ids[index],
                    self.doctor_id,
                    start + timedelta(minutes=10 * index),
                    start + timedelta(minutes=30 + 10 * index),
                ],
                log_exceptions=False,
            )
            return "inserted"

        # the loser's exact error class is what we record
        results = [o if isinstance(o, str) else type(o).__name__ for o in race(self.registry, 2, insert)]
        self.assertEqual(sorted(results), ["ExclusionViolation", "inserted"], results)
