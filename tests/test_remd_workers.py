"""REMD registration sends nothing twice with two Odoo worker processes and queue_job's runner.

A real ``odoo-bin`` in prefork mode (``--workers=2``, queue_job's runner, channel capacity 4) runs the
registration jobs of DOCUMENTS signed documents against the fake REMD of ``clinic_remd/tests/fake_remd.py``
on 127.0.0.1. Each document is queued as the signing flow does, then queued again (the same identity key:
queue_job keeps one job) and twice more by hand without a key, as a re-run from the jobs' list or a restart
of abandoned sends would: three jobs per document race in two processes; then the jobs that sent are requeued.
The fake must receive exactly one registerDocument per document; its results, sent to the server's callback
(twice for half of them), must leave every document registered once. The data is committed (the server must
see it) and removed afterwards; the database's other pending jobs wait meanwhile.
"""

import base64
import contextlib
import importlib.util
import pathlib
import time
import uuid
import zlib
from collections import Counter

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
DOCUMENTS = 12
FORCED_RETRIES = 2  # jobs queued again by hand per document, on top of the flow's own
WORKERS = 2
SAMPLE_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><ClinicalDocument xmlns="urn:hl7-org:v3">'
    "<title>Протокол консультации</title></ClinicalDocument>"
).encode()
SETTINGS = (
    "frmo_oid",
    "remd_transport",
    "remd_endpoint_url",
    "remd_wsdl_url",
    "remd_client_entity_id",
    "remd_callback_url",
    "remd_transport_certificate",
    "remd_transport_key",
    "remd_server_certificate",
    "remd_allowed_ips",
    "remd_timeout",
    "remd_max_attempts",
    "remd_retry_seconds",
)


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def superuser_env(registry):
    """A committing superuser environment per call: ``with superuser_env() as env: ...``."""
    from odoo import SUPERUSER_ID, api

    @contextlib.contextmanager
    def make():
        with registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    return make


def _registration_jobs(env, document_ids):
    jobs = env["queue.job"].search([("model_name", "=", "clinic.semd.document")])
    return jobs.filtered(lambda job: set(job.records.ids) & set(document_ids))


def _wait_jobs(env, document_ids, count, seconds):
    """The documents' jobs once ``count`` of them are done (or the time is up)."""
    deadline = time.monotonic() + seconds
    while True:
        env.cr.rollback()
        env.invalidate_all()
        jobs = _registration_jobs(env, document_ids).filtered(lambda job: job.state == "done")
        if len(jobs) >= count or time.monotonic() > deadline:
            return jobs
        time.sleep(0.5)


def _hold_other_jobs(env):
    """Postpone the database's other pending jobs (the demo's receipts, messages...) while the server's runner is
    up, so that only this test's jobs run; returns their ids and eta for ``_release_jobs``."""
    env.cr.execute("SELECT id, eta FROM queue_job WHERE state = 'pending'")
    held = env.cr.fetchall()
    env.cr.execute(
        "UPDATE queue_job SET eta = (now() AT TIME ZONE 'UTC') + interval '1 day' WHERE id = ANY(%s)",
        [[job_id for job_id, _eta in held]],
    )
    return held


def _release_jobs(env, held):
    for job_id, eta in held:
        env.cr.execute("UPDATE queue_job SET eta = %s WHERE id = %s", [eta, job_id])


def _wait(env, query, params, expected, seconds):
    deadline = time.monotonic() + seconds
    while True:
        env.cr.rollback()
        env.cr.execute(query, params)
        value = env.cr.fetchone()[0]
        if value == expected or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


def test_registration_sends_each_document_once_with_two_worker_processes(registry, db_name, superuser_env, tmp_path):
    from odoo.tools import config

    bench = _load("bench_lib", REPO / "bench" / "lib.py")
    fake_module = _load("remd_workers_fake", REPO / "clinic_remd" / "tests" / "fake_remd.py")
    clinic_key, clinic_cert = fake_module.make_certificate("Клиника «Здоровье+»")
    fake = fake_module.FakeRemd(clinic_cert).start()
    port = bench.free_port()
    ids = {}
    server = None
    with superuser_env() as env:
        company = env.company
        saved = company.read(SETTINGS)[0]
        company.write(
            {
                "frmo_oid": "1.2.643.5.1.13.13.12.2.66.99999",
                "remd_transport": "soap",
                "remd_endpoint_url": f"{fake.url}/remd",
                "remd_wsdl_url": False,
                "remd_client_entity_id": fake_module.CLIENT_ENTITY_ID,
                "remd_callback_url": f"http://127.0.0.1:{port}/clinic_remd/soap",
                "remd_transport_certificate": clinic_cert,
                "remd_transport_key": clinic_key,
                "remd_server_certificate": fake.certificate,
                "remd_allowed_ips": False,
                "remd_timeout": 10.0,
                "remd_max_attempts": 3,
                "remd_retry_seconds": 1,
            }
        )
        patient = env["res.partner"].create({"is_patient": True, "surname": "Процессова", "first_name": "Вера"})
        employee = env["hr.employee"].create({"name": "Процессов Олег", "is_practitioner": True})
        visits = env["clinic.visit"].create(
            [{"patient_id": patient.id, "employee_id": employee.id} for _n in range(DOCUMENTS)]
        )
        documents = env["clinic.semd.document"].create(
            [
                {
                    "name": f"ПК-процессы-{n}",
                    "visit_id": visit.id,
                    "kind_code": "119",
                    "local_uid": str(uuid.uuid4()),
                    "state": "signed",
                    "xml_content": base64.b64encode(SAMPLE_XML),
                    "checksum": str(zlib.crc32(SAMPLE_XML)),
                    "doctor_signature": base64.b64encode(b"doctor"),
                    "org_signature": base64.b64encode(b"clinic"),
                }
                for n, visit in enumerate(visits)
            ]
        )
        ids = {"patient": patient.id, "employee": employee.id, "visits": visits.ids, "documents": documents.ids}
        local_uids = set(documents.mapped("local_uid"))
        held = _hold_other_jobs(env)
    try:
        options = ["--load=base,web,queue_job"]
        if config.get("data_dir"):
            options.append(f"--data-dir={config['data_dir']}")
        server = bench.start_server(
            db_name,
            port,
            WORKERS,
            options,
            {"ODOO_QUEUE_JOB_CHANNELS": "root:4"},
            addons_path=config["addons_path"],
            log_path=tmp_path / "server.log",
        )
        with superuser_env() as env:
            documents = env["clinic.semd.document"].browse(ids["documents"])
            documents._remd_queue()
            documents._remd_enqueue()  # queued twice by the flow: queue_job keeps one job per identity key
            for document in documents:
                for _retry in range(FORCED_RETRIES):
                    document.with_delay(channel="root.remd")._remd_register()
        with superuser_env() as env:
            jobs = _wait_jobs(env, ids["documents"], DOCUMENTS * (1 + FORCED_RETRIES), 60)
            outcomes = Counter(job.result for job in jobs)
            pids = set(jobs.mapped("worker_pid"))
        done = outcomes.total()
        assert done == DOCUMENTS * (1 + FORCED_RETRIES), (
            f"jobs done after 60 s: {outcomes}; see {tmp_path / 'server.log'}"
        )
        assert outcomes == {"sent": DOCUMENTS, "not ours": DOCUMENTS * FORCED_RETRIES}
        assert len(pids) == WORKERS, "both worker processes ran registration jobs"
        sent = Counter(uid for operation, uid in fake.calls if operation == "registerDocument")
        assert sent == dict.fromkeys(local_uids, 1), "REMD got exactly one registerDocument per document"

        with superuser_env() as env:  # the jobs that sent run again, as «Requeue» in the jobs' list does
            _registration_jobs(env, ids["documents"]).filtered(lambda job: job.result == "sent").requeue()
        with superuser_env() as env:
            jobs = _wait_jobs(env, ids["documents"], DOCUMENTS * (1 + FORCED_RETRIES), 60)
            outcomes = Counter(job.result for job in jobs)
        assert outcomes == {"not ours": DOCUMENTS * (1 + FORCED_RETRIES)}
        sent = Counter(uid for operation, uid in fake.calls if operation == "registerDocument")
        assert sent == dict.fromkeys(local_uids, 1), "a requeued job sends nothing again"

        for uid in sorted(local_uids)[: DOCUMENTS // 2]:
            fake.plans[uid] = fake_module.Plan(callbacks=2)  # REMD repeats its result for half the documents
        fake.deliver()  # REMD fetches each file from the server and posts its result to the server's callback
        statuses = [status for _message, _status, status in fake.results]
        assert statuses == [200] * (DOCUMENTS + DOCUMENTS // 2)
        with superuser_env() as env:
            registered = _wait(
                env,
                "SELECT count(*) FROM clinic_semd_document WHERE id = ANY(%s) AND state = 'registered'",
                [ids["documents"]],
                DOCUMENTS,
                30,
            )
        assert registered == DOCUMENTS
        assert fake.registrations == dict.fromkeys(local_uids, 1)
    finally:
        if server:
            bench.stop_server(server)
        fake.stop()
        with superuser_env() as env:
            _registration_jobs(env, ids.get("documents", [])).unlink()
            env["clinic.remd.exchange"].search([("document_id", "in", ids.get("documents", []))]).unlink()
            env["clinic.semd.document"].browse(ids.get("documents", [])).unlink()
            env["clinic.visit"].browse(ids.get("visits", [])).unlink()
            env["hr.employee"].browse(ids.get("employee", [])).unlink()
            env["res.partner"].browse(ids.get("patient", [])).unlink()
            env.company.write({key: value for key, value in saved.items() if key != "id"})
            _release_jobs(env, held)
