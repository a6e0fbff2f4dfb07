"""The RPC allow/deny table, one file per module (see tests/test_rpc_matrix.py).

Each ``<name>.py`` here defines ``MATRIX = {("model", "method"): frozenset({roles})}``, the roles
allowed to call that public method over JSON-RPC, and optionally ``ARGS = {("model", "method"):
(args, kwargs)}``: the call as ``execute_kw`` receives it (for a method on records, ``args[0]`` is
the ids). A callable at the top level of ``args``/``kwargs`` is called with the CALLER's
environment to build the value (use ``env(su=True)`` for fixtures): the client creates a wizard as
the user before it presses its button, so an AccessError while building counts as denied.
Without ARGS: no argument for an ``@api.model`` method, the first record for a method on records,
a new empty wizard (created as the caller) for a method on a wizard.
"""

# "internal": an employee in no clinic group; "admin": base.group_system in no clinic group (a settings
# administrator is not clinic staff: the demo admin reads the clinic as a clinic manager).
ROLES = frozenset({"public", "portal", "internal", "receptionist", "doctor", "accountant", "manager", "admin"})
NOBODY = frozenset()
STAFF = frozenset({"receptionist", "doctor", "accountant", "manager"})
MANAGERS = frozenset({"manager"})
FRONT_DESK = frozenset({"receptionist", "manager"})
MEDICAL = frozenset({"doctor", "manager"})
EVERYONE = ROLES
