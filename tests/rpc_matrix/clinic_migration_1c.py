"""clinic_migration_1c: the import is the managers' (ACL on its models); helpers are private."""

from . import MANAGERS


def _run(env):
    su = env(su=True)
    mapping = su["clinic.migration.mapping"].create({"name": "RPC matrix", "source_db_uid": "rpc-matrix"})
    return su["clinic.migration.run"].create({"name": "RPC matrix", "state": "paused", "mapping_id": mapping.id}).ids


MATRIX = {
    ("clinic.migration.run", "action_cancel"): MANAGERS,
    ("clinic.migration.run", "action_download_report"): MANAGERS,
    ("clinic.migration.run", "action_pause"): MANAGERS,
    ("clinic.migration.run", "action_resume"): MANAGERS,
    ("clinic.migration.run", "action_view_issues"): MANAGERS,
    ("clinic.migration.wizard", "action_analyze"): MANAGERS,
    ("clinic.migration.wizard", "action_back"): MANAGERS,
    ("clinic.migration.wizard", "action_dry_run"): MANAGERS,
    ("clinic.migration.wizard", "action_import"): MANAGERS,
}

ARGS = {
    ("clinic.migration.run", "action_cancel"): ((_run,), {}),
    ("clinic.migration.run", "action_download_report"): ((_run,), {}),
    ("clinic.migration.run", "action_pause"): ((_run,), {}),
    ("clinic.migration.run", "action_resume"): ((_run,), {}),
    ("clinic.migration.run", "action_view_issues"): ((_run,), {}),
}
