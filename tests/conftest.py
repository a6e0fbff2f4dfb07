"""Bootstrap Odoo 18 for the suite's cross-module and end-to-end tests (pytest).

These tests run against an EXISTING database in which the clinic modules are installed,
named by the environment variable CLINIC_TEST_DB (.ci/run passes the database it has just
installed and tested; by hand: ``CLINIC_TEST_DB=clinic_demo python3 -m pytest tests``).
Optional: CLINIC_TEST_DATA_DIR, Odoo's --data-dir (filestore) used when that database was made.

Fixtures:

* ``registry``   the database's ``odoo.modules.registry.Registry`` (session-wide);
* ``env``        a superuser ``odoo.api.Environment`` on its own cursor; everything the test
                 does is rolled back afterwards, and ``commit()``/``rollback()``/``close()`` on
                 that cursor are forbidden (as in Odoo's TransactionCase);
* ``new_cursor`` a factory of REAL cursors, each its own connection and transaction, for tests
                 that need several concurrent transactions (races, locks, serialization
                 failures). They are rolled back and closed after the test; what a test commits
                 through them stays, so such a test must clean up after itself.
"""

import os
import pathlib
from unittest import mock

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent


def _odoo_addons_paths():
    """Odoo's own addons folders: <package>/addons and, in a source checkout, <src>/addons."""
    import odoo

    package = pathlib.Path(odoo.__file__).resolve().parent
    return [
        str(folder)
        for folder in (package / "addons", package.parent / "addons")
        if folder.is_dir() and any(folder.glob("*/__manifest__.py"))
    ]


def clinic_modules():
    """Every clinic_* folder of the repository that has a manifest, sorted."""
    return sorted(path.parent.name for path in REPO.glob("clinic_*/__manifest__.py"))


def pytest_configure(config):
    db_name = os.environ.get("CLINIC_TEST_DB")
    if not db_name:
        raise pytest.UsageError(
            "CLINIC_TEST_DB is not set: these tests run against an existing database with the clinic "
            "modules installed (CLINIC_TEST_DB=clinic_demo python3 -m pytest tests; CI: bash .ci/run)"
        )
    try:
        import odoo  # noqa: F401
    except ImportError as exc:
        raise pytest.UsageError(f"Odoo 18 is not importable by python3: install it first (see README): {exc}") from exc

    from odoo.tools import config as odoo_config

    args = [
        f"--addons-path={','.join([*_odoo_addons_paths(), str(REPO)])}",
        f"--database={db_name}",
        "--log-level=warn",
        "--max-cron-threads=0",
    ]
    if os.environ.get("CLINIC_TEST_DATA_DIR"):
        args.append(f"--data-dir={os.environ['CLINIC_TEST_DATA_DIR']}")
    odoo_config.parse_config(args, setup_logging=True)


@pytest.fixture(scope="session")
def db_name():
    return os.environ["CLINIC_TEST_DB"]


@pytest.fixture(scope="session")
def registry(db_name):
    from odoo.modules.registry import Registry
    from odoo.service.db import exp_db_exist

    if not exp_db_exist(db_name):
        pytest.fail(f"database {db_name!r} (CLINIC_TEST_DB) does not exist", pytrace=False)
    return Registry(db_name)


def _forbidden(name):
    def forbidden(*args, **kwargs):
        raise AssertionError(
            f"cursor.{name}() inside the `env` fixture: the test transaction is rolled back at the end; "
            "use the `new_cursor` fixture for real transactions"
        )

    return forbidden


@pytest.fixture
def env(registry):
    from odoo import SUPERUSER_ID, api

    cr = registry.cursor()
    patches = [mock.patch.object(cr, name, _forbidden(name)) for name in ("commit", "rollback", "close")]
    for patch in patches:
        patch.start()
    try:
        yield api.Environment(cr, SUPERUSER_ID, {})
    finally:
        for patch in reversed(patches):
            patch.stop()
        cr.rollback()
        cr.close()
        # caches may hold what the rolled-back transaction saw
        registry.clear_all_caches()
        registry.reset_changes()


@pytest.fixture
def new_cursor(registry):
    """``new_cursor()`` returns a fresh real cursor (own connection, own transaction)."""
    cursors = []

    def make():
        cr = registry.cursor()
        cursors.append(cr)
        return cr

    yield make
    for cr in cursors:
        if getattr(cr, "_closed", False):  # closed by the test (e.g. `with new_cursor() as cr:`)
            continue
        try:
            cr.rollback()
        finally:
            cr.close()
