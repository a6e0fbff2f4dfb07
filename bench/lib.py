"""Shared helpers of the benchmarks: a throw-away database, an Odoo environment on it, time and peak memory.

Used by ``bench/run`` as ``lib.py create DB NAME``, ``lib.py run NAME DB [ARGS...]`` and
``lib.py drop DB``. A benchmark is a module ``bench_NAME.py`` whose ``main(env, args)``
returns its figures; ``run`` prints them as the closing line ``bench NAME: key=value ...``.
It may set ``MODULES = "clinic_x,clinic_y"``: the modules its database needs (clinic_base
when it does not).
"""

import ast
import contextlib
import importlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
ODOO_ROOT = Path(os.environ.get("ODOO_ROOT", "/opt/odoo18"))
ADDONS_PATH = f"{ODOO_ROOT / 'odoo' / 'addons'},{REPO}"
OUT = BENCH_DIR / "out"
DEFAULT_MODULES = "clinic_base"


def modules_of(name):
    """The benchmark's MODULES constant, read without importing it: Odoo's addons are not importable yet."""
    for node in ast.parse((BENCH_DIR / f"bench_{name}.py").read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(target, "id", None) == "MODULES" for target in node.targets):
            return ast.literal_eval(node.value)
    return DEFAULT_MODULES


def create_database(db, modules=DEFAULT_MODULES):
    """A fresh database with the modules installed, no demo data; Odoo's install log stays in bench/out/ on failure."""
    OUT.mkdir(exist_ok=True)
    log_path = OUT / f"{db}.install.log"
    with log_path.open("w") as log:
        done = subprocess.run(
            [
                sys.executable,
                str(ODOO_ROOT / "odoo-bin"),
                f"--database={db}",
                f"--addons-path={ADDONS_PATH}",
                f"--init={modules}",
                "--without-demo=all",
                "--stop-after-init",
                "--log-level=warn",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if done.returncode:
        sys.exit(f"bench: installing {modules} into {db} failed, see {log_path}")
    log_path.unlink()


def free_port():
    """A free TCP port on localhost (for a benchmark's own Odoo server when BENCH_PORT is not set)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_log(db):
    return OUT / f"{db}.server.log"


def start_server(db, port, workers, options=(), environ=None, addons_path=ADDONS_PATH, log_path=None):
    """odoo-bin in multi-worker (prefork) mode on 127.0.0.1:``port``; returns the process once /web/login answers.

    ``options``: more command-line options, after the defaults so that they win (``--load=base,web,queue_job``
    starts queue_job's job runner, ``--max-cron-threads=1`` a cron worker); ``environ``: more environment
    variables (``ODOO_QUEUE_JOB_CHANNELS``...). The server leads its own process group (``stop_server``).
    ``--database`` without ``--db-filter``, as the README's production command: with a filter, Odoo lists the
    server's databases in every request that has no session (a visitor's first page, each provider's webhook).
    Its output goes to ``log_path`` (default bench/out/DB.server.log); RuntimeError naming it when the server
    does not answer within 120 s.
    """
    import requests  # noqa: PLC0415 - the rest of this file runs before the Python dependencies are checked

    if log_path is None:
        OUT.mkdir(exist_ok=True)
        log_path = server_log(db)
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            [sys.executable, str(ODOO_ROOT / "odoo-bin"), f"--database={db}",
             f"--addons-path={addons_path}", f"--workers={workers}", "--max-cron-threads=0",
             "--http-interface=127.0.0.1", f"--http-port={port}", "--log-level=warn", "--limit-time-real=600",
             "--limit-time-cpu=600", *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env={**os.environ, **(environ or {})},
        )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/web/login", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    stop_server(server)
    raise RuntimeError(f"the Odoo server on port {port} did not start, see {log_path}")


def stop_server(server):
    """Stop a server of ``start_server`` and every process of its group (workers, job runner)."""
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def drop_database(db):
    subprocess.run(["dropdb", "--if-exists", db], check=False)


@contextlib.contextmanager
def odoo_env(db):
    """Superuser environment on ``db``; the work is committed when the block ends without error."""
    import odoo
    from odoo.tools import config

    config.parse_config([f"--database={db}", f"--addons-path={ADDONS_PATH}", "--log-level=warn"])
    odoo.modules.module.initialize_sys_path()
    registry = odoo.modules.registry.Registry(db)
    with registry.cursor() as cr:
        yield odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})


def _peak_rss_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


@contextlib.contextmanager
def measure():
    """Wall time, CPU time of this process and peak resident memory of the block.

    The kernel's high-water mark is reset first (/proc/self/clear_refs), so
    the peak is the block's own and not that of the data loading before it.
    CPU time leaves out the database server and other processes sharing the cores.
    """
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")
    figures = {}
    start, cpu_start = time.perf_counter(), time.process_time()
    yield figures
    figures["seconds"] = time.perf_counter() - start
    figures["cpu_seconds"] = time.process_time() - cpu_start
    figures["peak_rss_mb"] = _peak_rss_kb() / 1024


def closing_line(name, figures):
    """``bench NAME: key=value ...``; floats with three decimals."""
    values = " ".join(
        f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}" for key, value in figures.items()
    )
    return f"bench {name}: {values}"


def run(name, db, args):
    with odoo_env(db) as env:
        sys.path.insert(0, str(BENCH_DIR))
        figures = importlib.import_module(f"bench_{name}").main(env, args)
    print(closing_line(name, figures), flush=True)


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "create":
        create_database(rest[0], modules_of(rest[1]))
    elif command == "drop":
        drop_database(rest[0])
    elif command == "run":
        run(rest[0], rest[1], rest[2:])
    else:
        sys.exit(f"bench/lib.py: unknown command {command}")
