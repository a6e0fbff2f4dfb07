"""bench website: the online booking pages and the exchange API under load, Odoo in multi-worker mode.

A demo-like clinic: 50 published practitioners in 5 specialties (adults, children or both), Monday to
Saturday 08:00-20:00 with a break at 13:00-14:00 (Moscow time), 30-minute slots two weeks ahead of which
a third is booked, and three published services per specialty. Odoo then runs as a separate server with
``--workers`` worker processes on a free localhost port, and a second process (this file run as a script)
drives it with CLIENTS concurrent clients, each with its own HTTP session:

1. for SECONDS: the free-slots page of the website (step 2 of the booking: one specialty, the strip of the
   week from a random day with its free times per day, and the times of the first day that has any) and the
   API's free slots (``GET /api/booking/v1/slots``: one specialty, a whole week from a random day), half each;
2. for SECONDS: Odoo's own ``/web/login`` page, the baseline of what one page of this server costs.

A client sends its next request when the previous answer arrived, after a pause of THINK_MS (random in the
range, as a person reading the page; ``0`` for a saturation run). Figures: requests per second, p50 and p95
latency in ms, errors (HTTP status other than 200, or no answer). Rate limits stay on but are raised above
the load, so their cost is measured and not their refusals.

Usage: ``bench/run website [CLIENTS [SECONDS [WORKERS [THINK_MS]]]]`` (default 20 clients, 30 s, 2 workers,
think time 500-1500 ms; THINK_MS as ``0`` or ``LOW-HIGH``). Target: p95 under 250 ms and no errors.
"""

import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import date, timedelta

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
SECONDS = 30
WORKERS = 2
THINK_MS = "500-1500"
WARM_UP_REQUESTS = 40
SEED = 1
TZ = "Europe/Moscow"
AGE_GROUPS = ("adult", "adult", "both", "child", "adult")


def setup(env):
    """The published clinic, its slots and a consumer of the API; returns the API key, the specialty ids and the
    numbers of slots and of booked ones."""
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
    env["product.product"].create(
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
    consumer = env["clinic.api.consumer"].create({"name": "Bench", "rate_limit": 10**6})
    key = env["clinic.api.key.wizard"].browse(consumer.action_generate_key()["res_id"]).key
    for param in ("ip_actions_per_minute", "api_ip_requests_per_minute"):
        env["ir.config_parameter"].set_param(f"clinic_website_booking.{param}", 10**6)
    env.cr.commit()
    return key, specialties.ids, len(slots), len(booked)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_log(db):
    return lib.OUT / f"{db}.server.log"


def start_server(db, port, workers):
    """Odoo in multi-worker (prefork) mode on ``port``; returns the process once /web/login answers.

    Its log stays in bench/out/ when something went wrong."""
    lib.OUT.mkdir(exist_ok=True)
    log = server_log(db).open("w")
    server = subprocess.Popen(
        [sys.executable, str(lib.ODOO_ROOT / "odoo-bin"), f"--database={db}", f"--db-filter=^{db}$",
         f"--addons-path={lib.ADDONS_PATH}", f"--workers={workers}", "--max-cron-threads=0",
         "--http-interface=127.0.0.1", f"--http-port={port}", "--log-level=warn", "--limit-time-real=300"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/web/login", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    stop_server(server)
    sys.exit(f"bench website: the Odoo server did not start, see {log.name}")


def stop_server(server):
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


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
    key, specialty_ids, slot_count, booked = setup(env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(env.cr.dbname, port, workers)
    try:
        targets = {
            "pages": [f"/booking/slots?age=adult&specialty_id={sid}&date_from={{day}}" for sid in specialty_ids],
            "api": [f"/api/booking/v1/slots?specialty_id=SP-{sid}&date_from={{day}}" for sid in specialty_ids],
            "key": key,
            "days": DAYS - 7,
        }
        booking = drive(base, targets, clients, seconds, think_ms)
        login = drive(base, {"pages": ["/web/login"], "api": [], "key": key, "days": 0}, clients, seconds, think_ms)
    finally:
        stop_server(server)
    if not booking["errors"] and not login["errors"]:
        server_log(env.cr.dbname).unlink()
    print(
        f"bench website: {slot_count} slots of {PRACTITIONERS} practitioners, {booked} booked; {workers} workers; "
        f"free-slot requests {booking['by_kind']}; think time {think_ms} ms",
        flush=True,
    )
    return {
        "clients": clients,
        "rps": booking["rps"],
        "p50_ms": booking["p50_ms"],
        "p95_ms": booking["p95_ms"],
        "errors": booking["errors"],
        "login_rps": login["rps"],
        "login_p50_ms": login["p50_ms"],
        "login_p95_ms": login["p95_ms"],
        "login_errors": login["errors"],
        "workers": workers,
        "think_ms": think_ms,
    }


# ---------------------------------------------------------------------- the load client (second process)


def client(base, targets, deadline, think, rng, results, lock):
    """One visitor: its own session (cookies, keep-alive), requests until the deadline."""
    session = requests.Session()
    api_headers = {"Authorization": f"Bearer {targets['key']}"}
    latencies, errors, by_kind = [], 0, {"page": [], "api": []}
    while time.monotonic() < deadline:
        kind = "api" if targets["api"] and rng.random() < 0.5 else "page"
        day = (date.today() + timedelta(days=rng.randrange(targets["days"] + 1))).isoformat()
        url = rng.choice(targets["api" if kind == "api" else "pages"]).format(day=day)
        began = time.perf_counter()
        try:
            response = session.get(base + url, headers=api_headers if kind == "api" else None, timeout=30)
            ok = response.status_code == 200
        except requests.RequestException:
            ok = False
        latencies.append((time.perf_counter() - began) * 1000)
        errors += not ok
        by_kind[kind].append(latencies[-1])
        if think[1]:
            time.sleep(rng.uniform(*think) / 1000)
    with lock:
        results["latencies"] += latencies
        results["errors"] += errors
        for kind, kind_latencies in by_kind.items():
            results["by_kind"][kind] += kind_latencies


def load(base, targets, clients, seconds, think_ms):
    low, _sep, high = think_ms.partition("-")
    think = (float(low), float(high or low))
    warm, urls = requests.Session(), targets["pages"] + targets["api"]
    headers = {"Authorization": f"Bearer {targets['key']}"}
    for n in range(WARM_UP_REQUESTS):  # every worker loads its registry and the assets before the clock runs
        warm.get(base + urls[n % len(urls)].format(day=date.today().isoformat()), headers=headers, timeout=60)
    results, lock = {"latencies": [], "errors": 0, "by_kind": {"page": [], "api": []}}, threading.Lock()
    began = time.monotonic()
    deadline = began + seconds
    threads = [
        threading.Thread(target=client, args=(base, targets, deadline, think, random.Random(SEED + n), results, lock))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies = results["latencies"]
    return {
        "rps": f"{len(latencies) / elapsed:.1f}",
        **percentiles(latencies),
        "errors": results["errors"],
        "by_kind": {kind: dict(requests=len(values), **percentiles(values))
                    for kind, values in results["by_kind"].items() if values},
    }  # fmt: skip


def percentiles(latencies):
    return {
        "p50_ms": f"{statistics.median(latencies):.0f}",
        "p95_ms": f"{statistics.quantiles(latencies, n=100)[94]:.0f}",
    }


if __name__ == "__main__" and sys.argv[1:2] == ["load"]:
    _cmd, base_url, target_json, client_count, duration, think_range = sys.argv[1:7]
    print(json.dumps(load(base_url, json.loads(target_json), int(client_count), int(duration), think_range)))
