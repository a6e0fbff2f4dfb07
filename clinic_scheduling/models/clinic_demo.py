import random
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

DEMO_SEED = 2025
# Share of the coming two weeks' slots booked in the demo, and of past visits that were no-shows.
BOOKED_SHARE = 0.45
NO_SHOW_SHARE = 0.09
SOURCES = ("front_desk", "front_desk", "phone", "website", "website", "messenger")
HISTORY_DAYS = 30
PER_DAY = 6  # appointments a practitioner had on a past day
# Shares of the visits paid in full on the day and paid in half (the rest are debts for the accountant).
PAID_SHARE = 0.88
PART_PAID_SHARE = 0.05
# Complaints, ICD-10 code and recommendations of the demo protocols.
PROTOCOLS = (
    (
        "Насморк, першение в горле, температура 37,5 °C два дня.",
        "J06.9",
        "Обильное питьё, промывание носа; явка при ухудшении.",
    ),
    ("Боль в горле при глотании, температура 38,2 °C.", "J03.9", "Мазок из зева; полоскания; контроль через 5 дней."),
    (
        "Головная боль по утрам, АД дома до 160/95.",
        "I10",
        "Дневник АД, ЭКГ, липидограмма; повторный приём через 2 недели.",
    ),
    (
        "Кашель с мокротой неделю, слабость.",
        "J20.9",
        "Рентгенография грудной клетки при сохранении кашля; контроль через 7 дней.",
    ),
    ("Боль в пояснице после нагрузки.", "M54.5", "Ограничение нагрузок, ЛФК; повторный приём через 10 дней."),
    ("Изжога после еды, тяжесть в эпигастрии.", "K21.9", "Диета, ФГДС; повторный приём с результатами."),
    ("Жалоб нет, профилактический осмотр.", "Z00.0", "Здоров. Следующий осмотр через год."),
)


class ClinicDemo(models.AbstractModel):
    """A working week for the demo clinic: schedules, cabinets, a month of visits and payments, bookings ahead."""

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
        zone = self.env.company.clinic_tz  # the demo clinic works in its own zone, not the installer's
        calendar = env["resource.calendar"].create(
            {
                "name": "Поликлиника: 8:00–20:00, обед 13:00–14:00",
                "tz": zone,
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
                    "tz": zone,
                    "slot_duration": rng.choice((20, 30, 30, 30)),
                }
            )
        self.env["clinic.slot"]._generate(practitioners)
        self._demo_history(practitioners, patients, rng)
        self._demo_bookings_ahead(practitioners, patients, rng)

    @api.model
    def _demo_history(self, practitioners, patients, rng):
        """The past month on the practitioners' own slots: appointments with their time stamps (for the KPIs),
        and for the patients who came a closed visit with its services, protocol and payments (for the doctor
        and the accountant)."""
        today = self.env.company._clinic_today()
        slots = self.env["clinic.slot"]
        slots._generate(practitioners, date_from=today - timedelta(days=HISTORY_DAYS), date_to=today)
        past = slots.search(
            [("employee_id", "in", practitioners.ids), ("start", "<", fields.Datetime.now()), ("state", "=", "free")],
            order="employee_id, start",
        )
        by_day = defaultdict(list)
        for slot in past:
            by_day[slot.employee_id, slot._local_start().date()].append(slot)
        services = self._demo_services_by_practitioner(practitioners)
        vals_list, booked = [], []
        for (practitioner, _day), day_slots in sorted(by_day.items(), key=lambda item: item[1][0].start):
            for slot in sorted(rng.sample(day_slots, min(len(day_slots), PER_DAY)), key=lambda s: s.start):
                vals_list.append(self._demo_past_appointment(slot, rng.choice(patients), services[practitioner], rng))
                booked.append(slot)
        appointments = self.env["clinic.appointment"].with_context(tracking_disable=True).create(vals_list)
        for slot, appointment in zip(booked, appointments, strict=True):
            if appointment.state == "cancelled":
                slot.freed_at = appointment.cancelled_at
            else:
                slot.write({"state": "booked", "appointment_id": appointment.id})
        self._demo_visits(appointments.filtered(lambda a: a.state == "done"), rng)

    @api.model
    def _demo_services_by_practitioner(self, practitioners):
        """The services a practitioner performs: those of their specialties, else any medical service."""
        services = self.env["product.product"].search([("is_medical_service", "=", True)])
        return {
            practitioner: services.filtered(lambda s, p=practitioner: s.specialty_ids & p.specialty_ids) or services
            for practitioner in practitioners
        }

    @api.model
    def _demo_past_appointment(self, slot, patient, services, rng):
        start, stop = slot.start, slot.stop
        booked = start - timedelta(days=rng.randint(1, 10), minutes=rng.randint(0, 600))
        roll = rng.random()
        state = "no_show" if roll < NO_SHOW_SHARE else "cancelled" if roll < 0.15 else "done"
        vals = {
            "patient_id": patient.id,
            "employee_id": slot.employee_id.id,
            "cabinet_id": slot.cabinet_id.id or slot.employee_id.default_cabinet_id.id,
            "start": start,
            "stop": stop,
            "source": rng.choice(SOURCES),
            "state": state,
            "service_ids": [(6, 0, rng.sample(services.ids, 1))] if services else [],
            "booking_started_at": booked - timedelta(seconds=rng.randint(40, 200)),
            "booking_seconds": rng.randint(40, 200),
        }
        if state != "cancelled" and rng.random() < 0.75:
            vals["confirmed_at"] = start - timedelta(hours=rng.randint(20, 60))
        if state == "done":
            vals.update(arrived_at=start - timedelta(minutes=5), done_at=stop - timedelta(minutes=2))
        elif state == "no_show":
            vals["no_show_at"] = start + timedelta(minutes=15)
        else:
            vals.update(
                cancelled_at=start - timedelta(hours=rng.randint(2, 48)),
                cancelled_by="patient",
                cancel_reason="Планы изменились",
            )
        return vals

    @api.model
    def _demo_visits(self, appointments, rng):
        """Closed visits with a protocol; most paid in full on the day, some in part or not yet (the debts)."""
        diagnoses = {
            row.code: row for row in self.env["clinic.nsi.icd10"].search([("code", "in", [d[1] for d in PROTOCOLS])])
        }
        visits = (
            self.env["clinic.visit"]
            .with_context(tracking_disable=True)
            .create([appointment._prepare_visit_vals() for appointment in appointments])
        )
        payments = []
        for visit in visits:
            complaints, code, recommendations = rng.choice(PROTOCOLS)
            visit.write(
                {
                    "state": "done",
                    "complaints": complaints,
                    "diagnosis_id": diagnoses[code].id if code in diagnoses else False,
                    "recommendations": recommendations,
                }
            )
            roll = rng.random()
            share = 1.0 if roll < PAID_SHARE else 0.5 if roll < PAID_SHARE + PART_PAID_SHARE else 0.0
            amount = visit.currency_id.round(visit.amount_total * share)
            if amount > 0:
                payments.append(
                    {
                        "visit_id": visit.id,
                        "date": visit.appointment_id.slot_ids[:1]._local_start().date(),
                        "method": rng.choice(("card", "card", "card", "cash", "cash", "transfer")),
                        "amount": amount,
                    }
                )
        self.env["clinic.visit.payment"].create(payments)

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
                    "date_to": self.env.company._clinic_today() + timedelta(days=14),
                }
            )
