from datetime import datetime, time, timedelta

import pytz

from odoo.tests import TransactionCase

# The clinic's zone in these tests, set on the company by SchedulingCase: every wall-clock time below is in it.
# Not Moscow (the field's default), so that a time computed in a hard-coded zone shows up wrong.
CLINIC_TZ = "Asia/Yekaterinburg"
TZ = pytz.timezone(CLINIC_TZ)
SEARCH_DAYS = 400


def is_working_day(env, calendar, day):
    """Whether ``calendar`` has working hours on ``day`` in the clinic's zone (public holidays count)."""
    tz = env.company._clinic_tzinfo()
    start = tz.localize(datetime.combine(day, time.min))
    return bool(calendar._work_intervals_batch(start, start + timedelta(days=1), tz=tz)[False])


def next_working_day(env, calendar, after=None):
    """The first working day of ``calendar`` after ``after`` (the clinic's today): never «tomorrow», which may be
    a holiday."""
    day = after or env.company._clinic_today()
    for _attempt in range(SEARCH_DAYS):
        day += timedelta(days=1)
        if is_working_day(env, calendar, day):
            return day
    raise AssertionError(f"{calendar.name} has no working day in {SEARCH_DAYS} days")


def working_monday(env, calendar):
    """The first Monday from next week on whose whole week (Monday to Friday) works by ``calendar``: tests that
    walk through a week never land on a public holiday (five Mondays of 2027 are)."""
    today = env.company._clinic_today()
    monday = today + timedelta(days=7 - today.weekday())
    for _attempt in range(SEARCH_DAYS // 7):
        if all(is_working_day(env, calendar, monday + timedelta(days=i)) for i in range(5)):
            return monday
        monday += timedelta(days=7)
    raise AssertionError(f"{calendar.name} has no full working week in {SEARCH_DAYS} days")


def utc(day, hour, minute=0):
    """Naive UTC of a clinic wall-clock time, as Odoo stores datetimes."""
    return (
        TZ.localize(datetime.combine(day, datetime.min.time()).replace(hour=hour, minute=minute))
        .astimezone(pytz.utc)
        .replace(tzinfo=None)
    )


class SchedulingCase(TransactionCase):
    """A clinic with one weekly schedule 9-13 and 14-18 (a lunch break), in the clinic's zone ``CLINIC_TZ``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.env.company.clinic_tz = CLINIC_TZ
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Приём 9-18",
                "tz": CLINIC_TZ,
                "attendance_ids": [
                    (0, 0, {"name": f"{day} {h0}", "dayofweek": str(day), "hour_from": h0, "hour_to": h1})
                    for day in range(5)
                    for h0, h1 in ((9, 13), (14, 18))
                ],
            }
        )
        cls.monday = working_monday(cls.env, cls.calendar)
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
            "tz": CLINIC_TZ,
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
