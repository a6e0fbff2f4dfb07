"""bench slots: slot generation, the free-slot search and concurrent booking of ``clinic_scheduling``.

50 practitioners in 5 specialties work Monday to Friday 09:00-18:00 with a break at 13:00-14:00
(Moscow time), in slots of 30 minutes. The benchmark times:

- the generation of their slots for 60 days (``clinic.slot._generate``);
- 200 searches «free times for one week across all practitioners of a specialty» (random week and
  specialty, cold ORM cache each time, the practitioners' lookup included), p50 and p95;
- 1,000 booking attempts by 8 threads, each with its own cursor and committing each booking. The
  threads work through one list of targets in the same order, single slots and 60-minute runs that
  overlap each other, so they fight for the same slots at the same moment; a loser gets
  ``SlotTakenError``. ``book_per_s`` counts attempts (booked or refused) per second.

Then SQL counts the active appointments of one practitioner that overlap: ``double_bookings``, must be 0.

Usage: ``bench/run slots [ATTEMPTS [WORKERS]]`` (default 1000 attempts, 8 workers).
"""

import random
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta

import lib

from odoo import SUPERUSER_ID, api, fields
from odoo.tools import mute_logger

from odoo.addons.clinic_scheduling.models.clinic_appointment import ACTIVE_STATES, SlotTakenError

MODULES = "clinic_scheduling"
PRACTITIONERS = 50
SPECIALTIES = 5
DAYS = 60
SEARCHES = 200
ATTEMPTS = 1000
WORKERS = 8
PATIENTS = 40
SLOTS_PER_DAY = 16  # 8 working hours in slots of 30 minutes
# The booking fight takes place over the next working days of this many practitioners.
CONTESTED_PRACTITIONERS = 5
CONTESTED_DAYS = 2
SEED = 1
TZ = "Europe/Moscow"


def setup(env):
    """Specialties, the weekly schedule, practitioners (no slots yet) and patients."""
    specialties = env["clinic.nsi.specialty"].create(
        [{"code": f"BENCH-{n}", "name": f"Bench specialty {n}"} for n in range(1, SPECIALTIES + 1)]
    )
    calendar = env["resource.calendar"].create(
        {
            "name": "Bench 09:00-18:00, break 13:00-14:00",
            "tz": TZ,
            "attendance_ids": [
                (0, 0, {"name": f"{day} {period}", "dayofweek": str(day), "hour_from": start, "hour_to": stop,
                        "day_period": period})
                for day in range(5)
                for period, start, stop in (("morning", 9, 13), ("afternoon", 14, 18))
            ],
        }
    )  # fmt: skip
    employees = (
        env["hr.employee"]
        .with_context(clinic_no_slot_refresh=True)
        .create(
            [
                {"name": f"Practitioner {n:02d}", "is_practitioner": True, "resource_calendar_id": calendar.id,
                 "tz": TZ, "slot_duration": 30, "specialty_ids": [(6, 0, specialties[n % SPECIALTIES].ids)]}
                for n in range(PRACTITIONERS)
            ]
        )
    )  # fmt: skip
    patients = (
        env["res.partner"]
        .with_context(tracking_disable=True)
        .create(
            [
                {"is_patient": True, "surname": "Бенчев", "first_name": f"Пациент {n}", "patronymic": "Тестович"}
                for n in range(PATIENTS)
            ]
        )
    )
    env.cr.commit()
    return specialties, employees, patients


def generate(env, employees, today):
    with lib.measure() as figures:
        slots = env["clinic.slot"]._generate(employees, today, today + timedelta(days=DAYS))
        env.cr.commit()
    return figures["seconds"], len(slots)


def search(env, specialties, today, rng):
    """Milliseconds of each search, cold cache, the lookup of the specialty's practitioners included."""
    durations = []
    for _ in range(SEARCHES):
        specialty = rng.choice(specialties)
        week_start = datetime.combine(today + timedelta(days=rng.randrange(DAYS - 7)), datetime.min.time())
        env.invalidate_all()
        began = time.perf_counter()
        practitioners = env["hr.employee"].search([("specialty_ids", "in", specialty.id)])
        env["clinic.slot"].find_free(
            employees=practitioners, date_from=week_start, date_to=week_start + timedelta(days=7)
        )
        durations.append((time.perf_counter() - began) * 1000)
    return durations


def targets(env, employees, rng, count):
    """The slots fought for: single slots and two-slot runs over the next working days of a few practitioners."""
    tomorrow = fields.Datetime.now() + timedelta(days=1)
    pool = env["clinic.slot"].search(
        [("employee_id", "in", employees[:CONTESTED_PRACTITIONERS].ids), ("start", ">=", tomorrow)],
        order="start, employee_id",
        limit=CONTESTED_PRACTITIONERS * CONTESTED_DAYS * SLOTS_PER_DAY,
    )
    return [(rng.choice(pool).id, rng.choice((30, 60))) for _ in range(count)]


def worker(number, registry, plan, patient_ids, outcome, lock):
    """Book every target of ``plan`` in turn, one transaction each."""
    counts = {"booked": 0, "lost": 0, "errors": 0}
    rng = random.Random(SEED + number)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        Appointment = env["clinic.appointment"]
        for slot_id, minutes in plan:
            try:
                slot = env["clinic.slot"].browse(slot_id)
                run = slot._run_from(minutes)
                Appointment.book(env["res.partner"].browse(rng.choice(patient_ids)), run, source="website")
                cr.commit()
                counts["booked"] += 1
            except SlotTakenError:
                cr.rollback()
                counts["lost"] += 1
            except Exception as error:
                cr.rollback()
                counts["errors"] += 1
                print(f"bench slots: worker {number}: {error!r}", file=sys.stderr)
    with lock:
        for key, value in counts.items():
            outcome[key] += value


def book(env, plan, patients, workers):
    """Every worker books the same targets in the same order: ``len(plan) * workers`` attempts."""
    outcome = {"booked": 0, "lost": 0, "errors": 0}
    lock = threading.Lock()
    threads = [
        threading.Thread(target=worker, args=(number, env.registry, plan, patients.ids, outcome, lock))
        for number in range(workers)
    ]
    began = time.perf_counter()
    # A lost race is a serialization failure of the slot lock, which odoo.sql_db logs as a bad query.
    with mute_logger("odoo.sql_db"):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return time.perf_counter() - began, outcome


def double_bookings(env):
    env.cr.execute(
        """
        SELECT COUNT(*) FROM clinic_appointment a
          JOIN clinic_appointment b ON b.employee_id = a.employee_id AND b.id > a.id
               AND tsrange(b.start, b.stop) && tsrange(a.start, a.stop)
         WHERE a.state IN %(active)s AND b.state IN %(active)s
        """,
        {"active": ACTIVE_STATES},
    )
    return env.cr.fetchone()[0]


def main(env, args):
    attempts = int(args[0]) if args else ATTEMPTS
    workers = int(args[1]) if len(args) > 1 else WORKERS
    rng = random.Random(SEED)
    today = fields.Date.context_today(env["res.users"])
    specialties, employees, patients = setup(env)
    generate_seconds, slot_count = generate(env, employees, today)
    durations = search(env, specialties, today, rng)
    plan = targets(env, employees, rng, attempts // workers)
    env.cr.commit()
    book_seconds, outcome = book(env, plan, patients, workers)
    env.invalidate_all()
    quantiles = statistics.quantiles(durations, n=100)
    return {
        "generate_seconds": generate_seconds,
        "search_p50_ms": statistics.median(durations),
        "search_p95_ms": quantiles[94],
        "book_per_s": len(plan) * workers / book_seconds,
        "double_bookings": double_bookings(env),
        "slots": slot_count,
        "attempts": len(plan) * workers,
        **outcome,
    }
