"""The queue_job runner's part in a test, for the modules that queue their work on OCA queue_job.

clinic_base itself does not depend on queue_job: only the test packages of modules that do import this.
"""

from odoo import fields


def run_queued_jobs(env, models, due_only=True, rounds=20):
    """Perform the pending jobs of ``models`` (model names) in this transaction, in order, as the runner would.

    A job may queue the next one (a retry, a poll): they are performed round after round until none is
    left or ``rounds`` is reached. ``due_only=False`` also performs the jobs whose ``eta`` is still ahead
    (the backoff is skipped). A job another one already handled (sent with its batch) is passed over.
    Returns what the performed jobs returned, in the order they ran.
    """
    from odoo.addons.queue_job.job import Job  # noqa: PLC0415  # pylint: disable=import-outside-toplevel

    performed = []
    for _round in range(rounds):
        domain = [("state", "=", "pending"), ("model_name", "in", list(models))]
        if due_only:
            domain += ["|", ("eta", "=", False), ("eta", "<=", fields.Datetime.now())]
        jobs = env["queue.job"].search(domain, order="id")
        if not jobs:
            break
        for record in jobs:
            record.invalidate_recordset(["state"])
            if record.state != "pending":
                continue
            job = Job.load(env, record.uuid)
            job.set_started()
            job.store()
            performed.append(job.perform())
            job.set_done()
            job.store()
    env.invalidate_all()
    return performed
