from datetime import date, datetime, timedelta

import pytz

from odoo.tests import TransactionCase

TZ = pytz.timezone("Europe/Moscow")


def next_monday(today=None):
    today = today or date.today()
    return today + timedelta(days=7 - today.weekday())


def utc(day, hour, minute=0):
    """Naive UTC of a Moscow wall-clock time, as Odoo stores datetimes."""
    return (
        TZ.localize(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))
        .astimezone(pytz.utc)
        .replace(tzinfo=None)
    )


class SchedulingCase(TransactionCase):
    """A clinic with one weekly schedule 9-13 and 14-18 (a lunch break), Moscow time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.monday = next_monday()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Приём 9-18",
                "tz": "Europe/Moscow",
                "attendance_ids": [
                    (0, 0, {"name": f"{day} {h0}", "dayofweek": str(day), "hour_from": h0, "hour_to": h1})
                    for day in range(5)
                    for h0, h1 in ((9, 13), (14, 18))
                ],
            }
        )
        cls.specialty = cls.env["clinic.nsi.specialty"].search([], limit=1)
        cls.cabinet = cls.env["clinic.cabinet"].create({"name": "Кабинет терапевта", "code": "T-101"})
        cls.doctor = cls.practitioner("Терапевтов Иван")
        cls.service = cls.env["product.product"].create(
            {
                "name": "Приём терапевта",
                "is_medical_service": True,
                "type": "service",
                "list_price": 2000,
                "duration_minutes": 60,
                "specialty_ids": [(6, 0, cls.specialty.ids)],
            }
        )
        cls.patient = cls.env["res.partner"].create(
            {"is_patient": True, "surname": "Пациентова", "first_name": "Анна", "phone": "8 912 000-00-01"}
        )
        cls.Slot = cls.env["clinic.slot"]
        cls.Appointment = cls.env["clinic.appointment"]

    @classmethod
    def practitioner(cls, name, **vals):
        defaults = {
            "name": name,
            "is_practitioner": True,
            "resource_calendar_id": cls.calendar.id,
            "tz": "Europe/Moscow",
            "slot_duration": 30,
            "default_cabinet_id": cls.cabinet.id,
            "specialty_ids": [(6, 0, cls.specialty.ids)],
            "age_group": "both",
        }
        return cls.env["hr.employee"].create({**defaults, **vals})

    @classmethod
    def slots_on(cls, employee, day):
        return cls.env["clinic.slot"].search(
            [("employee_id", "=", employee.id), ("start", ">=", utc(day, 0)), ("start", "<", utc(day, 23, 59))]
        )

    @classmethod
    def slot_at(cls, employee, day, hour, minute=0):
        return cls.env["clinic.slot"].search(
            [("employee_id", "=", employee.id), ("start", "=", utc(day, hour, minute))]
        )
