"""bench messaging: a day of reminders through the outbox of ``clinic_whatsapp``, sent by Odoo worker processes.

APPOINTMENTS appointments tomorrow (100 practitioners, 5-minute visits, 500 patients with consents,
phones ending in 00 so that no scripted fault of the fake applies) get their 24-hour reminder queued in
the outbox (one queue_job job each, as the booking does) in one transaction. Odoo then sends them as in
production: a real ``odoo-bin`` with WORKERS worker processes, ``server_wide_modules=web,queue_job`` and
queue_job's job runner (channel capacity WORKERS), against the local fake WhatsApp Cloud API and SMS
gateway (``clinic_whatsapp/tests/fake_providers.py``) running in this process. The fake fails 5% of the
requests at random: HTTP 500, «not on WhatsApp» (131026: the SMS channel takes over), no answer within the
client's timeout (not taken), or an answer after the timeout (taken: the Cloud API has no idempotency key,
so the fake posts Meta's signed «sent» status webhook to the server, which must keep the retry from
sending it again; it does so as well for any Cloud API message it took but answered more than 0.4 s
after the request came in, which happens when the loaded machine slows the fake itself down). Time is
compressed: backoff 1 s (×4 per attempt), 10 s of waiting for a status before retrying a Cloud API
timeout (120 s in production).

Figures: ``messages`` reminders with a final state, ``seconds`` from the commit of the outbox to the last
final state, ``per_s``, ``lost`` reminders neither sent on some channel nor handed to the call list,
``duplicates`` outbox rows a provider took more than once, ``webhooks_per_s`` signed «delivered»
webhooks (one for each of the first 3,000 messages sent on WhatsApp, a tenth of them delivered twice)
POSTed over HTTP by 8 client threads to the same server once the sending is over (the requests store
them; queue_job jobs apply them), ``webhooks_applied_s`` from the last answer until every stored event
was applied, ``webhooks_lost`` those whose status is not in the database after, and the median
``webhook_queries`` and ``webhook_ms`` (SQL and other time in the server) of one webhook request, from
Odoo's request log.

Usage: ``bench/run messaging [APPOINTMENTS [WORKERS]]`` (default 10,000 and 2).
"""

import hashlib
import hmac
import importlib.util
import json
import os
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import lib
import requests

from odoo import fields

MODULES = "clinic_whatsapp"
APPOINTMENTS = 10000
WORKERS = 2
PRACTITIONERS = 100
PATIENTS = 500
FAULT_RATE = 0.05
WA_SECRET = "bench-secret"
WEBHOOK_CLIENTS = 8
WEBHOOKS = 3000  # «delivered» statuses posted (of the messages sent on WhatsApp), plus a tenth of them twice
TUNING = {"backoff": "1", "reconcile": "10", "batch": "100", "threads": "16"}
CLIENT_TIMEOUT = 0.5


def load_fake():
    path = lib.REPO / "clinic_whatsapp" / "tests" / "fake_providers.py"
    spec = importlib.util.spec_from_file_location("bench_fake_providers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup(env, fake, module, count):
    company = env.company
    company.write({"clinic_quiet_start": 24.0, "clinic_quiet_end": 0.0})  # no quiet hours: the bench runs any time
    for name, value in TUNING.items():
        env["ir.config_parameter"].set_param(f"clinic_whatsapp.{name}", value)
    common = {"base_url": fake.url, "timeout": CLIENT_TIMEOUT, "company_id": company.id}
    Channel = env["clinic.messaging.channel"]
    whatsapp = Channel.create(
        {**common, "name": "WhatsApp", "sequence": 1, "provider": "whatsapp_cloud", "account_ref": "1",
         "token": module.WA_TOKEN, "app_secret": WA_SECRET, "verify_token": "v"}
    )  # fmt: skip
    Channel.create(
        {**common, "name": "SMS", "sequence": 2, "provider": "sms_smsc", "account_ref": module.SMS_LOGIN,
         "token": module.SMS_PASSWORD, "app_secret": "s"}
    )  # fmt: skip
    patients = env["res.partner"].create(
        [{"is_patient": True, "surname": f"Пациент{i}", "first_name": "Анна", "phone": f"+7916{i:05d}00",
          "tz": "Europe/Moscow"} for i in range(PATIENTS)]
    )  # fmt: skip
    env["clinic.consent"].create(
        [{"partner_id": p.id, "purpose": purpose, "channel": "all", "action": "given", "source": "paper",
          "date": datetime(2020, 1, 1)} for p in patients for purpose in ("personal_data", "service_messages")]
    )  # fmt: skip
    doctors = env["hr.employee"].create(
        [{"name": f"Врач {i}", "is_practitioner": True, "tz": "Europe/Moscow"} for i in range(PRACTITIONERS)]
    )
    tomorrow = datetime.combine(fields.Date.today() + timedelta(days=1), datetime.min.time()) + timedelta(hours=5)
    per_doctor = count // PRACTITIONERS
    rows = [
        (patients[(d * per_doctor + k) % PATIENTS].id, doctor.id, tomorrow + timedelta(minutes=5 * k))
        for d, doctor in enumerate(doctors)
        for k in range(per_doctor)
    ]
    return whatsapp, rows


def insert_appointments(env, rows, company):
    from psycopg2.extras import execute_values

    ids = execute_values(
        env.cr._obj,
        "INSERT INTO clinic_appointment (name, patient_id, employee_id, start, stop, state, source, company_id,"
        " reschedule_count, create_date, write_date) VALUES %s RETURNING id",
        [(f"B{i}", p, e, s, s + timedelta(minutes=5), "booked", "front_desk", company.id, 0, s, s)
         for i, (p, e, s) in enumerate(rows)],
        page_size=1000,
        fetch=True,
    )  # fmt: skip
    return [row[0] for row in ids]


def signed_post(session, url, body):
    signature = "sha256=" + hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
    return session.post(url, data=body, headers=headers, timeout=30).status_code


def status_body(wamid, status, reference=""):
    item = {"id": wamid, "status": status, "timestamp": "1", "recipient_id": "7"}
    if reference:
        item["biz_opaque_callback_data"] = reference
    return json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [{"field": "messages", "value": {
            "statuses": [item]}}]}]}
    ).encode()  # fmt: skip


def status_hook(url):
    """Meta's side: post the «sent» status of a message answered late, again until Odoo takes it (200)."""

    def post(reference, wamid):
        body = status_body(wamid, "sent", reference)
        with requests.Session() as session:
            for _attempt in range(30):
                time.sleep(0.2)
                try:
                    if signed_post(session, url, body) == 200:
                        return
                except requests.RequestException:
                    pass
                time.sleep(1)

    return post


def wait_until_final(env, ids, limit_seconds):
    """Poll until no reminder row is queued or sending and no outbox job is waiting."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        env.cr.rollback()
        env.cr.execute(
            "SELECT (SELECT count(*) FROM clinic_message WHERE appointment_id = ANY(%s)"
            " AND state IN ('queued', 'sending')),"
            " (SELECT count(*) FROM queue_job WHERE model_name = 'clinic.message'"
            " AND state IN ('pending', 'enqueued', 'started'))",
            [ids],
        )
        if env.cr.fetchone() == (0, 0):
            return True
        time.sleep(0.25)
    return False


def request_costs(log_path, offset, path):
    """(median queries, median server ms) of the requests to ``path`` logged after ``offset``.

    Odoo's werkzeug line ends with the request's query count, SQL seconds and other seconds.
    """
    queries, millis = [], []
    with open(log_path, encoding="utf-8") as log:
        log.seek(offset)
        for line in log:
            if f"POST {path}" in line:
                count, sql, other = line.split()[-3:]
                queries.append(int(count))
                millis.append((float(sql) + float(other)) * 1000)
    if not queries:
        return 0, 0.0
    return sorted(queries)[len(queries) // 2], sorted(millis)[len(millis) // 2]


def wait_until_applied(env, limit_seconds):
    """Poll until the server's jobs have applied every stored webhook event."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        env.cr.rollback()
        env.cr.execute("SELECT count(*) FROM clinic_message_webhook WHERE state = 'pending'")
        if not env.cr.fetchone()[0]:
            return True
        time.sleep(0.25)
    return False


def post_webhooks(url, bodies):
    def post(body):
        session = sessions.setdefault(threading.get_ident(), requests.Session())
        return signed_post(session, url, body)

    sessions = {}
    with ThreadPoolExecutor(WEBHOOK_CLIENTS) as pool:
        codes = Counter(pool.map(post, bodies))
    for session in sessions.values():
        session.close()
    return codes


def profile_one_job(env, ids):
    """One more reminder for a batch of appointments, and the first job run here under cProfile (stderr)."""
    import cProfile
    import pstats

    from odoo.addons.queue_job.job import Job

    now = fields.Datetime.now()
    for appointment in env["clinic.appointment"].browse(ids):
        env["clinic.message"]._enqueue(appointment, "reminder_24h", now, appointment.start, tag=f"profile{now:%H%M%S}")
    env.cr.commit()  # pylint: disable=invalid-commit
    env.cr.execute(
        "SELECT uuid FROM queue_job WHERE state = 'pending' AND model_name = 'clinic.message' ORDER BY id DESC LIMIT 1"
    )
    job = Job.load(env, env.cr.fetchone()[0])
    profiler = cProfile.Profile()
    profiler.enable()
    print(f"profiled job: {job.perform()}", file=sys.stderr)
    profiler.disable()
    env.cr.commit()  # pylint: disable=invalid-commit
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(35)


def main(env, args):
    count = int(args[0]) if args else APPOINTMENTS
    workers = int(args[1]) if len(args) > 1 else WORKERS
    module = load_fake()
    port = int(os.environ.get("BENCH_PORT") or 0) or lib.free_port()
    base = f"http://127.0.0.1:{port}"
    fake = module.FakeProviders(fault_rate=FAULT_RATE, hang_seconds=1.0, late_after=CLIENT_TIMEOUT * 0.8)
    fake.start()
    server = None
    try:
        whatsapp, rows = setup(env, fake, module, count)
        ids = insert_appointments(env, rows, env.company)
        hook_url = f"{base}/clinic_whatsapp/webhook/{whatsapp.webhook_ref}"
        fake.status_hook = status_hook(hook_url)
        env.cr.commit()  # pylint: disable=invalid-commit
        server = lib.start_server(
            env.cr.dbname,
            port,
            workers,
            ["--load=web,queue_job", "--log-handler=werkzeug:INFO"],  # a line per request: its queries and times
            {"ODOO_QUEUE_JOB_CHANNELS": f"root:{workers}"},
        )
        Message = env["clinic.message"]
        now = fields.Datetime.now()
        with lib.measure() as enqueue:
            for appointment in env["clinic.appointment"].browse(ids):
                Message._enqueue(appointment, "reminder_24h", now, appointment.start - timedelta(minutes=15))
            env.cr.commit()  # pylint: disable=invalid-commit
        with lib.measure() as dispatch:
            finished = wait_until_final(env, ids, 1800)
        env.invalidate_all()
        env.cr.execute(
            "SELECT count(*) FROM clinic_appointment a WHERE a.id = ANY(%s) AND NOT a.messaging_call_listed"
            " AND NOT EXISTS (SELECT 1 FROM clinic_message m WHERE m.appointment_id = a.id"
            " AND m.state IN ('sent', 'delivered', 'read'))",
            [ids],
        )
        lost = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM clinic_message WHERE appointment_id = ANY(%s) AND parent_id IS NULL"
                       " AND state IN ('sent', 'delivered', 'read', 'failed', 'skipped')", [ids])  # fmt: skip
        messages = env.cr.fetchone()[0]
        with fake.lock:
            accepted = Counter(
                body.get("biz_opaque_callback_data") or f"sms:{body.get('id')}" for _kind, body in fake.accepted
            )
        duplicates = sum(n - 1 for n in accepted.values() if n > 1)
        env.cr.execute(
            "SELECT provider_message_id FROM clinic_message WHERE channel_id = %s AND state = 'sent'", [whatsapp.id]
        )
        wamids = [row[0] for row in env.cr.fetchall()]
        wamids = wamids[:WEBHOOKS]
        bodies = [status_body(wamid, "delivered") for wamid in wamids]
        bodies += bodies[: len(bodies) // 10]  # Meta delivers some twice
        log_path = lib.OUT / f"{env.cr.dbname}.server.log"
        offset = log_path.stat().st_size
        with lib.measure() as hooks:
            codes = post_webhooks(hook_url, bodies)
        with lib.measure() as applied:
            wait_until_applied(env, 300)
        env.cr.execute(
            "SELECT count(*) FROM clinic_message WHERE provider_message_id = ANY(%s) AND state = 'delivered'",
            [wamids],
        )
        webhooks_lost = len(wamids) - env.cr.fetchone()[0]
        webhook_queries, webhook_ms = request_costs(log_path, offset, hook_url.removeprefix(base))
        lib.stop_server(server)
        server = None
        if os.environ.get("BENCH_PROFILE"):
            profile_one_job(env, ids[: int(TUNING["batch"])])
        print(f"enqueue: {enqueue['seconds']:.1f} s for {count}; fake requests: {len(fake.requests)}; "
              f"finished: {finished}; webhook answers: {dict(codes)}", file=sys.stderr)  # fmt: skip
        return {
            "messages": messages,
            "seconds": dispatch["seconds"],
            "per_s": messages / dispatch["seconds"],
            "lost": lost,
            "duplicates": duplicates,
            "workers": workers,
            "webhooks_per_s": len(bodies) / hooks["seconds"] if bodies else 0.0,
            "webhooks_lost": webhooks_lost,
            "webhooks_applied_s": applied["seconds"],
            "webhook_queries": webhook_queries,
            "webhook_ms": webhook_ms,
        }
    finally:
        if server:
            lib.stop_server(server)
        fake.stop()
