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
