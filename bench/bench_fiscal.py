"""bench fiscal: payments ending as receipts on ATOL registers, through queue_job and Odoo worker processes.

PAYMENTS cash payments on finished visits (one or two services each) are taken at REGISTERS cash
desks; each queues its receipt job in the register's own channel (capacity 1). Odoo then runs in
prefork mode with WORKERS worker processes and queue_job's runner, which performs the jobs against
the local fake ATOL Web Requests server (``clinic_fiscal_atol/tests/fake_atol.py``) injecting 5%
faults at random: a POST whose answer comes after the client's timeout (a crash after POST), the
link lost mid-receipt (blocked, closed or not, resolved after 0.5 s), paper out before or after
closing, the register PC dropping the connection. Retries keep their backoff (2 s, 4 s, 8 s...).

Figures: ``receipts`` printed (done in Odoo), ``seconds`` and ``per_min`` from the server start to
the last receipt, ``printed_twice`` receipts the register closed more than once (by the receipt
number it prints, tag 1192), ``lost`` payments whose receipt the register never closed or Odoo does
not show as printed, ``faults`` injected.

Usage: ``bench/run fiscal [PAYMENTS [WORKERS [REGISTERS]]]`` (default 2,000, 2 and 4).
"""

import importlib.util
import os
import sys
import time
from collections import Counter

import lib

from odoo import fields

MODULES = "clinic_fiscal_atol"
PAYMENTS = 2000
WORKERS = 2
REGISTERS = 4
FAULT_RATE = 0.05
DEADLINE = 1800


def load_fake():
    path = lib.REPO / "clinic_fiscal_atol" / "tests" / "fake_atol.py"
    spec = importlib.util.spec_from_file_location("bench_fake_atol", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def setup(env, fake, count, registers):
    """Registers, one patient, two services and ``count`` finished visits with a cash payment each."""
    env.company.clinic_taxation_type = "usnIncome"
    Register = env["clinic.fiscal.register"]
    desks = Register.create(
        [
            {
                "name": f"Касса {n + 1}",
                "connection": "direct",
                "base_url": fake.url,
                "timeout": 1.0,
                "poll_timeout": 2.0,
            }
            for n in range(registers)
        ]
    )
    patient = env["res.partner"].create({"is_patient": True, "surname": "Кассова", "first_name": "Вера"})
    Product = env["product.product"]
    services = Product.create(
        [
            {"name": "Приём терапевта", "is_medical_service": True, "type": "service", "list_price": 2500},
            {"name": "Общий анализ крови", "is_medical_service": True, "type": "service", "list_price": 650},
        ]
    )
    Visit, Payment = env["clinic.visit"], env["clinic.visit.payment"]
    for index in range(count):
        lines = services[: 1 + index % 2]
        visit = Visit.create(
            {
                "patient_id": patient.id,
                "line_ids": [fields.Command.create({"product_id": p.id, "price_unit": p.list_price}) for p in lines],
            }
        )
        visit.action_done()
        Payment.create(
            {
                "visit_id": visit.id,
                "amount": visit.amount_total,
                "method": "cash",
                "register_id": desks[index % registers].id,
            }
        )
        if index % 200 == 199:
            env.cr.commit()  # pylint: disable=invalid-commit
    env.cr.commit()  # pylint: disable=invalid-commit
    return desks


def counts(env, ids):
    env.cr.execute(
        "SELECT state, count(*) FROM clinic_fiscal_receipt WHERE register_id = ANY(%s) GROUP BY state", [ids]
    )
    return dict(env.cr.fetchall())


def main(env, args):
    count = int(args[0]) if args else PAYMENTS
    workers = int(args[1]) if len(args) > 1 else WORKERS
    registers = int(args[2]) if len(args) > 2 else REGISTERS
    fake = load_fake().FakeAtol(fault_rate=FAULT_RATE, hang_seconds=1.5, block_seconds=0.5).start()
    server = None
    try:
        with lib.measure() as prepare:
            desks = setup(env, fake, count, registers)
        os.environ["ODOO_QUEUE_JOB_MAX_CAPACITY"] = str(workers)
        port = lib.free_port()
        with lib.measure() as dispatch:
            server = lib.start_server(env.cr.dbname, port, workers, ["--load=base,web,queue_job"])
            deadline = time.monotonic() + DEADLINE
            while time.monotonic() < deadline:
                env.invalidate_all()
                env.cr.rollback()
                states = counts(env, desks.ids)
                if states.get("done", 0) >= count:
                    break
                time.sleep(1.0)
        env.cr.rollback()
        states = counts(env, desks.ids)
        printed = Counter(doc[2] for doc in fake.documents if doc[0] == "sell")
        env.cr.execute(
            "SELECT r.name FROM clinic_fiscal_receipt r JOIN clinic_visit_payment p ON p.id = r.payment_id "
            "WHERE r.register_id = ANY(%s) AND (r.state != 'done' OR p.fiscal_state != 'done')",
            [desks.ids],
        )
        not_done = {name for (name,) in env.cr.fetchall()}
        env.cr.execute("SELECT name FROM clinic_fiscal_receipt WHERE register_id = ANY(%s)", [desks.ids])
        never_closed = {name for (name,) in env.cr.fetchall()} - set(printed)
        faults = sum(
            1 for uuid in fake.order for result in fake.requests[uuid]["results"] if result["status"] != "ready"
        )
        print(
            f"setup: {prepare['seconds']:.1f} s for {count} payments; states {states}; POSTs {fake.posts}; "
            f"fiscal documents {len(fake.documents)}; failed or blocked tasks {faults}",
            file=sys.stderr,
        )
        return {
            "receipts": states.get("done", 0),
            "seconds": dispatch["seconds"],
            "per_min": states.get("done", 0) * 60 / dispatch["seconds"],
            "printed_twice": sum(1 for n in printed.values() if n > 1),
            "lost": len(not_done | never_closed),
            "workers": workers,
            "registers": registers,
        }
    finally:
        if server:
            lib.stop_server(server)
        fake.stop()
