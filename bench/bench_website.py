"""bench website: the whole online booking path under load, Odoo in multi-worker mode.

A demo-like clinic: 50 published practitioners in 5 specialties (adults, children or both), Monday to
Saturday 08:00-20:00 with a break at 13:00-14:00 (Moscow time), 30-minute slots two weeks ahead of which
a third is booked, and three published services per specialty. Odoo then runs as a separate server sized as
Odoo sizes a production server (``--workers`` = 2 per core plus one, and one cron worker, which makes the
calendar events of online bookings) on a free localhost port, and a second process (this file run as a
script) drives it with CLIENTS concurrent visitors, each with its own HTTP session, in one run:

1. for SECONDS: visitors book, step by step as a browser does: the free times of a specialty with a service
   chosen (``/booking/slots``, a week from a random day), a click on one of them (``POST /booking/hold``,
   redirected to the form, which holds the slot), the form sent (``POST /booking/confirm``, redirected to
   the confirmation page); then again. Many visitors aim at the same specialties and days, so some click a
   time another has just taken: that answer («taken», with alternatives) is counted apart, not as an error.
   At the same time BASELINE_CLIENTS more visitors load Odoo's own ``/web/login`` page: the baseline of what
   one page of this server costs under the same load, at the same moments (``login``);
2. for SECONDS: ``/web/login`` alone with CLIENTS visitors, the same page on a server that does nothing else
   (``login_alone``: the machine's lighter load makes it cheaper than the baseline of step 1).

Each phase first runs the same load for WARM_UP_SECONDS without counting it, so that every worker has loaded
its registry, compiled that phase's pages and filled its caches before the clock runs, for both alike. The
visitors arrive one by one (each after a first pause) and go on from the warm-up into the measured window: only
what is sent within it is measured, so the window holds no burst of every visitor starting in the same
millisecond, which no website sees (it put a fifth of the free-times pages of a 30-second run in one queue).

A visitor sends the next step when the previous answer arrived, after a pause of THINK_MS (random in the
range, as a person reading the page; ``0`` for a saturation run). Figures: successful bookings per second,
p95 of each step in ms, errors (an HTTP status other than 200, no answer, or a page that is neither the next
step nor «taken»), the times taken by someone else, and double bookings counted in SQL afterwards (two
active appointments on one slot), which must be 0. Rate limits stay on but are raised above the load, so
their cost (an advisory lock and a short transaction per counted hit) is measured and not their refusals.
The form sent is answered once its slots are kept for the visitor and what they typed is recorded (a
reservation); the card, the consents, the appointment and its calendar event are the follow-up of the server's
cron, triggered by each booking. ``calendar_behind`` is the number of bookings whose follow-up the cron had not
done yet when the booking phase ended, ``calendar_pending`` the same up to a minute after the run (must be 0):
the deferred work is done by the same server during the run, not skipped; ``not_kept`` counts the reservations
whose appointment could not be made (must be 0).

Usage: ``bench/run website [CLIENTS [SECONDS [WORKERS [THINK_MS]]]]`` (default 20 clients, 60 s, 2 workers
per core plus one, think time 500-1500 ms; THINK_MS as ``0`` or ``LOW-HIGH``). Target: p95 of each step at most
3 times the login page's p95, no errors, no double booking. Both ratios are printed: ``worst_step_vs_login``
against the baseline measured under the same load, ``worst_step_vs_login_alone`` against the page alone;
``worst_p50_vs_login`` is the same comparison at the median, where a few slow requests weigh nothing: what a step
costs against the page under this load, run after run.
"""

import json
import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import lib
import requests

from odoo import fields

MODULES = "clinic_website_booking"
PRACTITIONERS = 50
SPECIALTIES = 5
SERVICES_PER_SPECIALTY = 3
DAYS = 14
BOOKED_SHARE = 0.33
CLIENTS = 20
BASELINE_CLIENTS = 4  # visitors loading /web/login during the booking phase, a fifth of the bookers
SECONDS = 60  # about 240 login pages of the baseline visitors, for a p95 that a few requests do not move
WORKERS = 2 * (os.cpu_count() or 1) + 1  # Odoo's own sizing of a production server: 2 per core, plus one
CRON_WORKERS = 1
THINK_MS = "500-1500"
WARM_UP_SECONDS = 10
SEED = 1
TZ = "Europe/Moscow"
AGE_GROUPS = ("adult", "adult", "both", "child", "adult")


def setup(env):
    """The published clinic and its slots, limits raised above the load; returns the (specialty id, service id)
    pairs offered and the numbers of slots and of booked ones."""
    rng = random.Random(SEED)
    specialties = env["clinic.nsi.specialty"].create(
        [{"code": f"BENCH-{n}", "name": f"Специальность {n}"} for n in range(1, SPECIALTIES + 1)]
    )
    calendar = env["resource.calendar"].create(
        {
            "name": "Bench 08:00-20:00, break 13:00-14:00",
            "tz": TZ,
            "attendance_ids": [
                (0, 0, {"name": f"{day} {start}", "dayofweek": str(day), "hour_from": start, "hour_to": stop})
                for day in range(6)
                for start, stop in ((8, 13), (14, 20))
            ],
        }
    )
    employees = (
        env["hr.employee"]
        .with_context(clinic_no_slot_refresh=True)
        .create(
            [
                {"name": f"Врач {n:02d}", "is_practitioner": True, "resource_calendar_id": calendar.id, "tz": TZ,
                 "slot_duration": 30, "specialty_ids": [(6, 0, specialties[n % SPECIALTIES].ids)],
                 "age_group": AGE_GROUPS[n % SPECIALTIES], "clinic_published": True,
                 "clinic_bio": "<p>Врач высшей категории.</p>"}
                for n in range(PRACTITIONERS)
            ]
        )
    )  # fmt: skip
    services = env["product.product"].create(
        [
            {"name": f"Приём {n}.{k}", "type": "service", "is_medical_service": True, "list_price": 1500 + 500 * k,
             "duration_minutes": 30, "age_group": "both", "specialty_ids": [(6, 0, specialty.ids)],
             "clinic_published": True}
            for n, specialty in enumerate(specialties, 1)
            for k in range(SERVICES_PER_SPECIALTY)
        ]
    )  # fmt: skip
    today = fields.Date.context_today(env["res.users"])
    slots = env["clinic.slot"]._generate(employees, today, today + timedelta(days=DAYS))
    booked = [slot_id for slot_id in slots.ids if rng.random() < BOOKED_SHARE]
    env.cr.execute("UPDATE clinic_slot SET state = 'booked' WHERE id = ANY(%s)", [booked])
    # A fresh database has every scheduled action due at once; in a clinic's day only the minutely hold expiry is
    # due within a minute (and the calendar cron, run by the bookings' triggers).
    holds_cron = env.ref("clinic_scheduling.ir_cron_clinic_slot_expire_holds")
    env["ir.cron"].search([("id", "!=", holds_cron.id)]).nextcall = fields.Datetime.now() + timedelta(days=1)
    for param in ("ip_actions_per_minute", "api_ip_requests_per_minute", "holds_per_address",
                  "phone_attempts_per_hour", "max_active_per_phone"):  # fmt: skip
        env["ir.config_parameter"].set_param(f"clinic_website_booking.{param}", 10**6)
    env.cr.commit()
    choices = [(specialty.id, service.id) for service in services for specialty in service.specialty_ids]
    return choices, len(slots), len(booked)


def double_bookings(env):
    """Slots under two active appointments, counted in SQL (the exclusion constraint must make it 0)."""
    env.cr.execute(
        "SELECT count(*) FROM (SELECT s.id FROM clinic_slot s JOIN clinic_appointment a "
        "ON a.employee_id = s.employee_id AND a.start <= s.start AND s.start < a.stop "
        "WHERE a.state NOT IN ('cancelled', 'no_show') GROUP BY s.id HAVING count(*) > 1) twice"
    )
    return env.cr.fetchone()[0]


def calendar_pending(env, wait=0):
    """Website bookings whose follow-up the server's cron has not done yet (after waiting up to ``wait`` s): the
    reservations not made into appointments and the appointments without their calendar event."""
    deadline = time.monotonic() + wait
    while True:
        env.cr.rollback()  # a fresh snapshot: what the server committed
        env.cr.execute(
            "SELECT (SELECT count(*) FROM clinic_online_reservation WHERE state = 'pending') "
            "+ (SELECT count(*) FROM clinic_appointment WHERE calendar_pending)"
        )
        pending = env.cr.fetchone()[0]
        if not pending or time.monotonic() >= deadline:
            return pending
        time.sleep(1)


def warm_cron(env, timeout=600):
    """Let the cron worker load its registry before the clock runs, as the HTTP workers do with the warm-up
    requests: trigger the calendar cron and wait until it has run."""
    cron = env.ref("clinic_scheduling.ir_cron_clinic_appointment_calendar")
    cron._trigger()
    env.cr.commit()  # the trigger's notification goes out on commit
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        env.cr.rollback()  # a fresh snapshot: what the server committed
        env.cr.execute("SELECT count(*) FROM ir_cron_trigger WHERE cron_id = %s", [cron.id])
        if not env.cr.fetchone()[0]:
            return
        time.sleep(1)
    sys.exit("bench website: the cron worker did not run the calendar cron")


def drive(base, targets, clients, seconds, think_ms):
    """Run the load client in its own process; returns its figures."""
    done = subprocess.run(
        [sys.executable, __file__, "load", base, json.dumps(targets), str(clients), str(seconds), think_ms],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(env, args):
    if "clinic.online.booking" not in env:
        sys.exit("bench website: clinic_website_booking is not installed in this database")
    clients, seconds, workers = (int(a) for a in (args + [str(CLIENTS), str(SECONDS), str(WORKERS)][len(args) :])[:3])
    think_ms = args[3] if len(args) > 3 else THINK_MS
    choices, slot_count, booked = setup(env)
    port = int(os.environ.get("BENCH_PORT") or 0) or lib.free_port()  # a fixed port when one is assigned
    base = f"http://127.0.0.1:{port}"
    server = lib.start_server(env.cr.dbname, port, workers, [f"--max-cron-threads={CRON_WORKERS}"])
    try:
        warm_cron(env)
        booking = drive(
            base, {"journey": choices, "days": DAYS - 7, "baseline": BASELINE_CLIENTS}, clients, seconds, think_ms
        )
        behind = calendar_pending(env)
        alone = drive(base, {"pages": ["/web/login"]}, clients, seconds, think_ms)
        pending = calendar_pending(env, wait=60)
    finally:
        lib.stop_server(server)
    env.cr.rollback()  # a fresh snapshot: what the server committed
    env.cr.execute("SELECT count(*) FROM clinic_appointment WHERE source = 'website'")
    in_database = env.cr.fetchone()[0]
    env.cr.execute("SELECT count(*) FROM clinic_online_reservation WHERE state = 'failed'")
    not_kept = env.cr.fetchone()[0]
    errors = booking["errors"] + alone["errors"]
    if not errors:
        lib.server_log(env.cr.dbname).unlink()
    for sample in booking["error_samples"] + alone["error_samples"]:
        print(f"bench website: error {sample}", flush=True)
    steps = {name: step for name, step in booking["steps"].items() if name != "login"}  # the booking's own
    login_p95 = float(booking["steps"]["login"]["p95_ms"])
    alone_p95 = float(alone["steps"]["login"]["p95_ms"])
    worst = max(float(step["p95_ms"]) for step in steps.values())
    worst_p50 = max(float(step["p50_ms"]) for step in steps.values())
    print(
        f"bench website: {slot_count} slots of {PRACTITIONERS} practitioners, {booked} booked beforehand; "
        f"{workers} workers; steps {booking['steps']}; login alone {alone['steps']}; think time {think_ms} ms; "
        f"bookings answered {booking['booked']} (and those of the warm-up), in the database {in_database}",
        flush=True,
    )
    return {
        "clients": clients,
        "booked_per_s": booking["booked_per_s"],
        "booked": booking["booked"],
        "taken": booking["taken"],
        "slots_p95_ms": booking["steps"]["slots"]["p95_ms"],
        "hold_p95_ms": booking["steps"]["hold"]["p95_ms"],
        "confirm_p95_ms": booking["steps"]["confirm"]["p95_ms"],
        "login_p95_ms": booking["steps"]["login"]["p95_ms"],
        "login_alone_p95_ms": alone["steps"]["login"]["p95_ms"],
        "worst_step_vs_login": f"{worst / login_p95:.1f}x",
        "worst_step_vs_login_alone": f"{worst / alone_p95:.1f}x",
        "worst_p50_vs_login": f"{worst_p50 / float(booking['steps']['login']['p50_ms']):.1f}x",
        "errors": booking["errors"],
        "login_errors": alone["errors"],
        "double_bookings": double_bookings(env),
        "calendar_behind": behind,
        "calendar_pending": pending,
        "not_kept": not_kept,
        "workers": workers,
        "think_ms": think_ms,
    }


# ---------------------------------------------------------------------- the load client (second process)


CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SLOT_RE = re.compile(r'name="slot_id"[^>]*? value="([^"]+)"')
SURNAMES = ("Иванова", "Петрова", "Смирнова", "Кузнецова", "Попова", "Соколова", "Лебедева", "Козлова")
FIRST_NAMES = ("Анна", "Мария", "Елена", "Ольга", "Наталья", "Ирина", "Светлана", "Татьяна")


class Visitor:
    """One person booking through the website: their own session (cookies, keep-alive) and timings."""

    def __init__(self, base, number, rng, results):
        self.base, self.number, self.rng, self.results = base, number, rng, results
        self.session = requests.Session()
        self.bookings = 0

    def step(self, name, method, path, **kw):
        """One request, timed when sent within the measured window; returns the response, or None when it failed
        (counted as an error, measured or not)."""
        began = time.perf_counter()
        try:
            response = self.session.request(method, self.base + path, timeout=60, **kw)
        except requests.RequestException:
            response = None
        if self.measured(began):
            self.results["steps"][name].append((time.perf_counter() - began) * 1000)
        if response is None or response.status_code != 200:
            self.error(name, f"HTTP {response.status_code} {response.url}" if response is not None else "no answer")
            return None
        return response

    def measured(self, moment):
        """Whether a request sent at ``moment`` (perf_counter) falls in the measured window."""
        return self.results["measure_from"] <= moment < self.results["deadline"]

    def error(self, step, what):
        """Count an error and keep what it was (the first few are printed with the figures)."""
        self.results["errors"] += 1
        self.results["error_samples"].append(f"{step}: {what}"[:300])

    def book(self, choice, days):
        """Free times of a specialty with a service, a click on one, the form: True when booked."""
        specialty_id, service_id = choice
        day = (date.today() + timedelta(days=self.rng.randrange(days + 1))).isoformat()
        query = {"age": "adult", "specialty_id": specialty_id, "service_id": service_id, "date_from": day}
        page = self.step("slots", "GET", f"/booking/slots?{urlencode(query)}")
        refs = SLOT_RE.findall(page.text) if page else []
        if not refs:
            return False
        csrf = CSRF_RE.search(page.text).group(1)
        self.think()
        ref = self.rng.choice(refs[:12])  # people pick among the first times shown: they collide
        held = self.step("hold", "POST", "/booking/hold", data={"csrf_token": csrf, "slot_id": ref, **query})
        if held is None:
            return False
        if "/booking/details" not in held.url:
            return self.other(held)
        token = parse_qs(urlsplit(held.url).query)["token"][0]
        self.think()
        self.bookings += 1
        form = {
            "csrf_token": csrf, "token": token, "slot_id": ref, **query,
            "surname": self.rng.choice(SURNAMES), "first_name": self.rng.choice(FIRST_NAMES),
            "birth_date": f"{self.rng.randrange(1, 28):02d}.{self.rng.randrange(1, 13):02d}.{self.rng.randrange(1950, 2000)}",  # noqa: E501
            "phone": f"+7 916 {self.number:03d}-{self.bookings // 100:02d}-{self.bookings % 100:02d}",
            "consent_personal_data": "1",
        }  # fmt: skip
        sent = time.perf_counter()
        done = self.step("confirm", "POST", "/booking/confirm", data=form)
        if done is None:
            return False
        if "/booking/booked/" in done.url:
            return self.measured(sent)  # a booking counts when sent in the measured window
        return self.other(done)

    def other(self, response):
        """A page that is not the next step: «taken» (someone was faster) is expected, anything else an error."""
        if "o_clinic_taken" in response.text or "o_clinic_alternatives" in response.text:
            self.results["taken"] += 1
        else:
            alert = re.search(r'class="[^"]*alert[^"]*"[^>]*>(.*?)</', response.text, re.S)
            self.error("page", f"{response.url}: {alert.group(1).strip() if alert else response.text[:120]}")
        return False

    def think(self):
        if self.results["think"][1]:
            time.sleep(self.rng.uniform(*self.results["think"]) / 1000)


def client(base, targets, number, results, lock):
    rng = random.Random(SEED + number)
    own = {
        "steps": {name: [] for name in STEPS},
        "errors": 0,
        "error_samples": [],
        "taken": 0,
        "think": results["think"],
        "measure_from": results["measure_from"],
        "deadline": results["deadline"],
    }
    visitor = Visitor(base, number, rng, own)
    booked = 0
    visitor.think()  # visitors arrive one by one, not all in the same millisecond
    while time.perf_counter() < own["deadline"]:
        if "journey" in targets:
            booked += visitor.book(rng.choice(targets["journey"]), targets["days"])
        else:
            visitor.step("login", "GET", rng.choice(targets["pages"]))
        visitor.think()
    with lock:
        for name, latencies in own["steps"].items():
            results["steps"][name] += latencies
        results["errors"] += own["errors"]
        results["error_samples"] += own["error_samples"]
        results["taken"] += own["taken"]
        results["booked"] += booked


STEPS = ("slots", "hold", "confirm", "login")


def run_clients(base, targets, clients, seconds, results):
    """``clients`` visitors, and ``targets["baseline"]`` more loading the login page at the same time, for
    WARM_UP_SECONDS then ``seconds``: only what is sent in the last ``seconds`` is measured."""
    lock = threading.Lock()
    results["measure_from"] = time.perf_counter() + WARM_UP_SECONDS
    results["deadline"] = results["measure_from"] + seconds
    baseline = {"pages": ["/web/login"]}
    threads = [threading.Thread(target=client, args=(base, targets, n, results, lock)) for n in range(clients)] + [
        threading.Thread(target=client, args=(base, baseline, clients + n, results, lock))
        for n in range(targets.get("baseline", 0))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def load(base, targets, clients, seconds, think_ms):
    low, _sep, high = think_ms.partition("-")
    think = (float(low), float(high or low))
    # One run: WARM_UP_SECONDS first, not measured (each worker loads its registry, compiles the pages of this
    # phase and fills its caches, as a server does once it has run for a while), then ``seconds`` measured. The
    # visitors go on from the warm-up into the measured window as people browsing would, rather than all starting
    # anew at its first millisecond, a burst no website sees. The booking journey and the baseline alike.
    results = {
        "steps": {name: [] for name in STEPS},
        "errors": 0,
        "error_samples": [],
        "taken": 0,
        "booked": 0,
        "think": think,
    }
    run_clients(base, targets, clients, seconds, results)
    return {
        "booked_per_s": f"{results['booked'] / seconds:.2f}",
        "booked": results["booked"],
        "taken": results["taken"],
        "errors": results["errors"],
        "error_samples": results["error_samples"][:5],
        "steps": {name: dict(requests=len(values), **percentiles(values))
                  for name, values in results["steps"].items() if values},
    }  # fmt: skip


def percentiles(latencies):
    return {
        "p50_ms": f"{statistics.median(latencies):.0f}",
        "p95_ms": f"{statistics.quantiles(latencies, n=100)[94]:.0f}",
    }


if __name__ == "__main__" and sys.argv[1:2] == ["load"]:
    _cmd, base_url, target_json, client_count, duration, think_range = sys.argv[1:7]
    print(json.dumps(load(base_url, json.loads(target_json), int(client_count), int(duration), think_range)))
