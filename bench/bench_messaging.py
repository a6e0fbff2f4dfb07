"""bench messaging: reminders for a day of appointments through the outbox of ``clinic_whatsapp``.

APPOINTMENTS appointments tomorrow (100 practitioners, 5-minute visits, 500 patients with consents,
phones ending in 00 so that no scripted fault of the fake applies) get their 24-hour reminder queued
in the outbox as queue_job jobs. WORKERS threads, each with its own
cursor and committing per job as queue_job's runner does, then perform the jobs against the local
fake WhatsApp Cloud API and SMS gateway (``clinic_whatsapp/tests/fake_providers.py``), which fail 5% of
the requests at random: HTTP 500, «not on WhatsApp» (131026, the SMS channel takes over) or no answer
within the client's timeout (the SMS gateway has taken the message and sees the retry under the same
id). Retries do not wait for their backoff (time is compressed): a worker takes any pending job.

Figures: ``messages`` reminders with a final state, ``seconds`` and ``per_s`` of the dispatch,
``lost`` reminders neither sent on some channel nor handed to the call list, ``duplicates`` outbox
rows a provider accepted more than once, ``webhooks_per_s`` signed WhatsApp «delivered» webhooks
checked, parsed and applied in-process (no HTTP), one transaction each.

Usage: ``bench/run messaging [APPOINTMENTS [WORKERS]]`` (default 10,000 and 2).
"""

import hashlib
import hmac
import importlib.util
import json
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta

import lib

from odoo import SUPERUSER_ID, api, fields
from odoo.api import Transaction

MODULES = "clinic_whatsapp"
APPOINTMENTS = 10000
WORKERS = 2
PRACTITIONERS = 100
PATIENTS = 500
FAULT_RATE = 0.05
WA_SECRET = "bench-secret"


def load_fake():
    path = lib.REPO / "clinic_whatsapp" / "tests" / "fake_providers.py"
    spec = importlib.util.spec_from_file_location("bench_fake_providers", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup(env, fake, module, count):
    company = env.company
    company.write({"clinic_quiet_start": 24.0, "clinic_quiet_end": 0.0})  # no quiet hours: the bench runs any time
    common = {"base_url": fake.url, "timeout": 0.5, "company_id": company.id}
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


def worker(registry, stop_at, done):
    with registry.cursor() as cr:
        cr.transaction = Transaction(registry)
        env = api.Environment(cr, SUPERUSER_ID, {})
        from odoo.addons.queue_job.job import Job

        while time.monotonic() < stop_at:
            cr.execute(
                "SELECT uuid FROM queue_job WHERE state = 'pending' AND model_name = 'clinic.message'"
                " ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
            )
            row = cr.fetchone()
            if not row:
                cr.rollback()
                cr.execute("SELECT count(*) FROM queue_job WHERE state IN ('pending', 'started')"
                           " AND model_name = 'clinic.message'")  # fmt: skip
                if not cr.fetchone()[0]:
                    return
                time.sleep(0.05)
                continue
            job = Job.load(env, row[0])
            job.set_started()
            job.store()
            job.perform()
            job.set_done()
            job.store()
            cr.commit()  # pylint: disable=invalid-commit
            done.append(1)
            env.invalidate_all()


def main(env, args):
    count = int(args[0]) if args else APPOINTMENTS
    workers = int(args[1]) if len(args) > 1 else WORKERS
    module = load_fake()
    fake = module.FakeProviders(fault_rate=FAULT_RATE, hang_seconds=1.0).start()
    try:
        whatsapp, rows = setup(env, fake, module, count)
        ids = insert_appointments(env, rows, env.company)
        env.invalidate_all()
        Message = env["clinic.message"]
        now = fields.Datetime.now()
        with lib.measure() as enqueue:
            for appointment in env["clinic.appointment"].browse(ids):
                Message._enqueue(appointment, "reminder_24h", now, appointment.start - timedelta(minutes=15))
            env.cr.commit()  # pylint: disable=invalid-commit
        registry = env.registry
        done = []
        with lib.measure() as dispatch:
            threads = [threading.Thread(target=worker, args=(registry, time.monotonic() + 1800, done))
                       for _ in range(workers)]  # fmt: skip
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
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
        accepted = Counter(
            body.get("biz_opaque_callback_data") or f"sms:{body.get('id')}" for _kind, body in fake.accepted
        )
        duplicates = sum(n - 1 for n in accepted.values() if n > 1)
        sent = Message.search([("channel_id", "=", whatsapp.id), ("state", "=", "sent")])
        webhooks = [webhook_body(m.provider_message_id) for m in sent]
        provider = whatsapp._provider()
        with lib.measure() as hooks:
            for body in webhooks:
                signature = "sha256=" + hmac.new(WA_SECRET.encode(), body, hashlib.sha256).hexdigest()
                assert provider.check_signature({"X-Hub-Signature-256": signature}, body, {})
                Message._process_webhook(whatsapp, provider.parse_webhook(body, {}))
                env.cr.commit()  # pylint: disable=invalid-commit
        print(f"enqueue: {enqueue['seconds']:.1f} s for {count}; fake requests: {len(fake.requests)}; "
              f"jobs run: {len(done)}", file=sys.stderr)  # fmt: skip
        return {
            "messages": messages,
            "seconds": dispatch["seconds"],
            "per_s": messages / dispatch["seconds"],
            "lost": lost,
            "duplicates": duplicates,
            "workers": workers,
            "webhooks_per_s": len(webhooks) / hooks["seconds"] if webhooks else 0.0,
        }
    finally:
        fake.stop()


def webhook_body(wamid):
    return json.dumps(
        {"object": "whatsapp_business_account", "entry": [{"id": "W", "changes": [{"field": "messages", "value": {
            "statuses": [{"id": wamid, "status": "delivered", "timestamp": "1", "recipient_id": "7"}]}}]}]}
    ).encode()  # fmt: skip
