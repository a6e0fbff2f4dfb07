"""Public methods of clinic_whatsapp callable over /web/dataset/call_kw, and who may call them.

Everything else in the module is private (``_name``): the outbox, the job, webhook processing.
"""

MATRIX = {
    ("clinic.message", "action_cancel"): frozenset({"receptionist", "manager", "admin"}),
    ("clinic.appointment", "action_clinic_send_reminder"): frozenset({"receptionist", "manager", "admin"}),
}
