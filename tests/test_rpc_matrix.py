"""The RPC surface is designed, not accidental: every public method of the clinic, called by every role.

Enumerated from the registry: each method that clinic_* code defines on any model (clinic.* and the
clinic extensions of standard models), is public by Odoo's rules (no leading underscore, not
``@api.private`` anywhere in the class hierarchy: ``odoo.service.model.get_public_method``) and is
not one of the ORM's own methods (read, write, search_read... are covered by the ACL and record-rule
tests). Each is called through the same path as ``execute_kw`` (``get_public_method`` then
``odoo.api.call_kw`` on an environment of that user) by a user of each role, and the outcome is
compared with the table in ``tests/rpc_matrix/*.py``:

* denied  = ``odoo.exceptions.AccessError`` (a rights check, an ACL or a record rule refused);
* allowed = anything else: a result, or an error about the arguments (UserError, ValidationError,
  TypeError...). ``ARGS`` gives allowed calls meaningful arguments.

A public method without a row fails, naming it; so does a row for a method that is not public.
"""

import importlib
import inspect
import pathlib
import pkgutil

import pytest
import rpc_matrix  # tests/rpc_matrix, on sys.path as pytest puts the test folder there

MATRIX_DIR = pathlib.Path(rpc_matrix.__file__).parent
REPO = MATRIX_DIR.parent.parent
MODULES = sorted(path.parent.name for path in REPO.glob("clinic_*/__manifest__.py"))
ROLE_GROUPS = {
    "portal": ["base.group_portal"],
    "internal": ["base.group_user"],
    "receptionist": ["clinic_base.group_clinic_receptionist"],
    "doctor": ["clinic_base.group_clinic_doctor"],
    "accountant": ["clinic_base.group_clinic_accountant"],
    "manager": ["clinic_base.group_clinic_manager"],
    "admin": ["base.group_system"],
}


def load_matrix():
    """Merge MATRIX and ARGS of every tests/rpc_matrix/*.py; a key defined twice is an error."""
    matrix, args, sources = {}, {}, {}
    for info in pkgutil.iter_modules([str(MATRIX_DIR)]):
        module = importlib.import_module(f"{rpc_matrix.__name__}.{info.name}")
        for key, roles in getattr(module, "MATRIX", {}).items():
            if key in sources:
                raise AssertionError(f"{key} is in both rpc_matrix/{sources[key]}.py and rpc_matrix/{info.name}.py")
            unknown = set(roles) - rpc_matrix.ROLES
            if unknown:
                raise AssertionError(f"rpc_matrix/{info.name}.py: {key} names unknown roles {sorted(unknown)}")
            matrix[key] = frozenset(roles)
            sources[key] = info.name
        for key, value in getattr(module, "ARGS", {}).items():
            if key in args:
                raise AssertionError(f"ARGS {key} is defined twice (rpc_matrix/{info.name}.py)")
            args[key] = value
    missing_rows = set(args) - set(matrix)
    if missing_rows:
        raise AssertionError(f"ARGS without a MATRIX row: {sorted(missing_rows)}")
    return matrix, args


def public_clinic_methods(env):
    """{(model, method): module} of every RPC-callable method defined in clinic_* code, ORM methods excluded.

    The module is the one that first defines the method (an override elsewhere keeps the row where it is).
    """
    from odoo.exceptions import AccessError
    from odoo.service.model import get_public_method

    # every model's standard methods (the ORM's and those added to the `base` model, e.g. get_formview_id)
    base_class = type(env["base"])
    found = {}
    for model_name in env.registry:
        model = env[model_name]
        for cls in type(model).mro():  # most derived first: the last clinic class seen is the first definer
            if not cls.__module__.startswith("odoo.addons.clinic_"):
                continue
            for name, value in vars(cls).items():
                if name.startswith("_") or not inspect.isfunction(value) or hasattr(base_class, name):
                    continue
                try:
                    get_public_method(model, name)
                except AccessError:
                    continue  # @api.private
                found[(model_name, name)] = cls.__module__.split(".")[2]
    return found


def _resolve(env, value):
    return value(env) if callable(value) else value


def call_args(user_env, key, args_table):
    """(args, kwargs) for execute_kw, built as the caller: from ARGS, else none (one record for a method
    on records; a new empty wizard for a method on a wizard). Building may itself be refused (denied)."""
    model_name, method = key
    if key in args_table:
        args, kwargs = args_table[key]
        return [_resolve(user_env, a) for a in args], {k: _resolve(user_env, v) for k, v in kwargs.items()}
    model = user_env[model_name]
    if getattr(getattr(type(model), method), "_api", None):
        return [], {}
    if model._transient:
        return [model.create({}).ids], {}
    if model._abstract:
        return [[]], {}
    return [model.sudo().with_context(active_test=False).search([], limit=1, order="id").ids], {}


def outcome(env, uid, key, args_table):
    """'allowed' or 'denied' (and what happened) for one call as execute_kw would make it."""
    from odoo import api
    from odoo.exceptions import AccessError
    from odoo.service.model import get_public_method

    model_name, method = key
    user_env = api.Environment(env.cr, uid, {})
    env.flush_all()
    env.invalidate_all()
    savepoint = env.cr.savepoint()
    try:
        get_public_method(user_env[model_name], method)
        args, kwargs = call_args(user_env, key, args_table)
        env.flush_all()
        env.invalidate_all()  # a new request: nothing read by the fixtures (as superuser) is cached
        api.call_kw(user_env[model_name], method, args, kwargs)
        user_env.flush_all()
    except AccessError as exc:
        return "denied", str(exc).splitlines()[0][:200]
    except Exception as exc:  # noqa: BLE001 - any other error comes after the rights checks
        return "allowed", f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    finally:
        savepoint.close(rollback=True)  # whatever happened, the next call starts from the same data
        env.invalidate_all()
    return "allowed", "ok"


@pytest.fixture
def role_uids(env):
    """One user per role; 'public' is Odoo's public user."""
    uids = {"public": env.ref("base.public_user").id}
    for role, xmlids in ROLE_GROUPS.items():
        user = (
            env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                {
                    "name": f"RPC matrix {role}",
                    "login": f"rpc_matrix_{role}",
                    "groups_id": [(6, 0, [env.ref(x).id for x in xmlids])],
                }
            )
        )
        uids[role] = user.id
    return uids


def test_matrix_files_load():
    matrix, _args = load_matrix()
    assert matrix, "no rows in tests/rpc_matrix/*.py"


@pytest.mark.parametrize("module", MODULES)
def test_every_public_method_has_a_row(env, module):
    matrix, _args = load_matrix()
    public = {key for key, owner in public_clinic_methods(env).items() if owner == module}
    missing = sorted(public - set(matrix))
    assert not missing, (
        f"public methods of {module} with no row in tests/rpc_matrix/*.py (make them private or add one):\n"
        + "\n".join(f"  {m}.{n}" for m, n in missing)
    )


def test_no_row_for_a_method_that_is_not_public(env):
    matrix, _args = load_matrix()
    stale = sorted(set(matrix) - set(public_clinic_methods(env)))
    assert not stale, "rows for methods that are not public clinic methods (any more):\n" + "\n".join(
        f"  {m}.{n}" for m, n in stale
    )


@pytest.mark.parametrize("module", MODULES)
def test_matrix_outcomes(env, role_uids, module):
    """Each public method, called by each role, is allowed or denied exactly as the table says."""
    matrix, args_table = load_matrix()
    public = {key for key, owner in public_clinic_methods(env).items() if owner == module}
    mismatches = []
    for key in sorted(public & set(matrix)):
        for role, uid in sorted(role_uids.items()):
            expected = "allowed" if role in matrix[key] else "denied"
            got, detail = outcome(env, uid, key, args_table)
            if got != expected:
                mismatches.append(f"  {key[0]}.{key[1]} as {role}: {got}, expected {expected} ({detail})")
    assert not mismatches, "RPC matrix mismatches:\n" + "\n".join(mismatches)


def test_harness_catches_an_unchecked_method(env, role_uids):
    """The check can fail: a public method with no rights check is 'allowed' for a portal user."""
    table = {
        ("res.partner", "name_search"): (["x"], {}),
        ("res.users", "action_reset_password"): ([[env.uid]], {}),
    }
    assert outcome(env, role_uids["portal"], ("res.partner", "name_search"), table)[0] == "allowed"
    assert outcome(env, role_uids["portal"], ("res.users", "action_reset_password"), table)[0] == "denied"


# Helpers that were open over JSON-RPC (issue 8, hole 1) and must stay private: called by the code that
# checked the caller's rights first, never by a client.
PRIVATE_HELPERS = [
    ("clinic.slot", "hold"),
    ("clinic.slot", "release"),
    ("clinic.slot", "find_free"),
    ("clinic.reception", "notify"),
    ("clinic.duplicate.engine", "match_row"),
    ("clinic.duplicate.engine", "match_partner"),
    ("clinic.duplicate.engine", "row_from_values"),
    ("clinic.duplicate.engine", "find_clusters"),
    ("clinic.duplicate.engine", "refresh_clusters"),
    ("clinic.duplicate.cluster", "merge_auto"),
    ("clinic.appointment", "book"),
    ("clinic.appointment", "book_slot"),
    ("clinic.appointment", "action_reschedule"),
    ("clinic.booking.wizard", "book"),
    ("clinic.kpi", "compute"),
    ("clinic.consent", "may_contact"),
    ("res.partner", "clinic_may_contact"),
    ("clinic.kladr.object", "match_address"),
    ("clinic.nsi.loader", "load_export"),
    ("clinic.nsi.loader", "load_shipped_books"),
    ("clinic.nsi.loader", "load_unshipped_books"),
]


@pytest.mark.parametrize(("model", "method"), PRIVATE_HELPERS)
def test_helpers_are_not_callable_over_rpc(env, role_uids, model, method):
    from odoo import api
    from odoo.exceptions import AccessError
    from odoo.service.model import get_public_method

    for role in ("portal", "manager"):
        with pytest.raises(AccessError, match="Private methods"):
            get_public_method(api.Environment(env.cr, role_uids[role], {})[model], method)


def test_slot_hold_and_block_refused_to_a_portal_user(env, role_uids):
    """Hole 1: a portal patient held free slots for 600 minutes and blocked others over call_kw."""
    from odoo.exceptions import AccessError

    slot = env["clinic.slot"].search([("state", "=", "free")], limit=1)
    assert slot, "no free slot in this database: install the clinic modules with demo data"
    table = {("clinic.slot", "hold"): ([slot.ids, 600], {}), ("clinic.slot", "action_block"): ([slot.ids, "x"], {})}
    for role in ("portal", "internal"):
        for key in table:
            assert outcome(env, role_uids[role], key, table)[0] == "denied", (key, role)
    with pytest.raises(AccessError):
        slot.with_user(role_uids["portal"]).action_block("x")
    assert slot.state == "free"
