import random
from datetime import timedelta

from odoo import api, fields, models

DEMO_SEED = 2025
# Share of the coming two weeks' slots booked in the demo, and of past visits that were no-shows.
BOOKED_SHARE = 0.45
NO_SHOW_SHARE = 0.09
SOURCES = ("front_desk", "front_desk", "phone", "website", "website", "messenger")


class ClinicDemo(models.AbstractModel):
    """A working week for the demo clinic: schedules, cabinets, a month of history and bookings ahead."""

    _inherit = "clinic.demo"

    @api.model
    def _generate_scheduling_demo(self):
        if self.env.ref("clinic_scheduling.demo_calendar_day", raise_if_not_found=False):
            return
        practitioners = self.env["hr.employee"].search([("is_practitioner", "=", True)], order="id")
        patients = self.env["res.partner"].search([("is_patient", "=", True)], order="id")
        if not practitioners or not patients:
            return
        rng = random.Random(DEMO_SEED)
        env = self.with_context(tracking_disable=True, mail_create_nolog=True, clinic_no_slot_refresh=True).env
        calendar = env["resource.calendar"].create(
            {
                "name": "Поликлиника: 8:00–20:00, обед 13:00–14:00",
                "tz": "Europe/Moscow",
                "attendance_ids": [
                    (0, 0, {"name": f"{day} {start}", "dayofweek": str(day), "hour_from": start, "hour_to": stop})
                    for day in range(6)
                    for start, stop in ((8, 13), (14, 20))
                    if day < 5 or start == 8
                ],
            }
        )
        self.env["ir.model.data"]._update_xmlids(
            [{"xml_id": "clinic_scheduling.demo_calendar_day", "record": calendar, "noupdate": True}]
        )
        cabinets = env["clinic.cabinet"].create(
            [{"name": f"Кабинет {100 + i}", "code": str(100 + i)} for i in range(1, len(practitioners) + 1)]
        )
        for practitioner, cabinet in zip(practitioners, cabinets, strict=True):
            practitioner.write(
                {
                    "resource_calendar_id": calendar.id,
                    "default_cabinet_id": cabinet.id,
                    "tz": "Europe/Moscow",
                    "slot_duration": rng.choice((20, 30, 30, 30)),
                }
            )
        self.env["clinic.slot"]._generate(practitioners)
        self._demo_history(practitioners, patients, rng)
        self._demo_bookings_ahead(practitioners, patients, rng)

    @api.model
    def _demo_history(self, practitioners, patients, rng):
        """Past month of appointments with their time stamps, so the KPI dashboard has something to show."""
        Appointment = self.env["clinic.appointment"].with_context(tracking_disable=True)
        now = fields.Datetime.now()
        vals_list = []
        for day in range(1, 31):
            start_day = (now - timedelta(days=day)).replace(hour=6, minute=0, second=0, microsecond=0)
            if start_day.weekday() == 6:
                continue
            for practitioner in practitioners:
                for hour in rng.sample(range(0, 10), 6):
                    start = start_day + timedelta(hours=hour)
                    booked = start - timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
                    source = rng.choice(SOURCES)
                    roll = rng.random()
                    state = "no_show" if roll < NO_SHOW_SHARE else "cancelled" if roll < 0.15 else "done"
                    vals = {
                        "patient_id": rng.choice(patients).id,
                        "employee_id": practitioner.id,
                        "cabinet_id": practitioner.default_cabinet_id.id,
                        "start": start,
                        "stop": start + timedelta(minutes=practitioner.slot_duration),
                        "source": source,
                        "state": state,
                        "booking_started_at": booked - timedelta(seconds=rng.randint(40, 200)),
                        "booking_seconds": rng.randint(40, 200),
                    }
                    if state != "cancelled" and rng.random() < 0.75:
                        vals["confirmed_at"] = start - timedelta(hours=rng.randint(20, 60))
                    if state == "done":
                        vals.update(arrived_at=start - timedelta(minutes=5), done_at=start + timedelta(minutes=25))
                    elif state == "no_show":
                        vals["no_show_at"] = start + timedelta(minutes=15)
                    else:
                        vals.update(
                            cancelled_at=start - timedelta(hours=rng.randint(2, 48)),
                            cancelled_by="patient",
                            cancel_reason="Планы изменились",
                        )
                    vals_list.append(vals)
        Appointment.create(vals_list)

    @api.model
    def _demo_bookings_ahead(self, practitioners, patients, rng):
        """Book part of the next two weeks through the real booking path, confirm some, cancel a few."""
        Appointment = self.env["clinic.appointment"].with_context(tracking_disable=True)
        now = fields.Datetime.now()
        runs = self.env["clinic.slot"].find_free(employees=practitioners, date_to=now + timedelta(days=14))
        taken = set()
        for run in runs:
            if run.ids[0] in taken or rng.random() > BOOKED_SHARE:
                continue
            taken.update(run.ids)
            appointment = Appointment.book(
                rng.choice(patients),
                run,
                source=rng.choice(SOURCES),
                booking_started_at=now - timedelta(seconds=rng.randint(45, 150)),
            )
            if rng.random() < 0.4:
                appointment.action_confirm()
        waiting = self.env["clinic.waitlist"]
        for patient, practitioner in zip(rng.sample(list(patients), 3), practitioners, strict=False):
            waiting.create(
                {
                    "patient_id": patient.id,
                    "employee_id": practitioner.id,
                    "date_to": fields.Date.today() + timedelta(days=14),
                }
            )
