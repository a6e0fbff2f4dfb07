"""Who may call each public method clinic_whatsapp defines (see tests/test_rpc_matrix.py).

Everything else is private: the outbox, the sending job, webhook processing (the controller calls it
after the provider's signature check). What is left are two front-desk buttons; a settings
administrator in no clinic group is not front desk.
"""

FRONT_DESK = frozenset({"receptionist", "manager"})

MATRIX = {
    # Stop a queued message; send a reminder now from the appointment.
    ("clinic.message", "action_cancel"): FRONT_DESK,
    ("clinic.appointment", "action_clinic_send_reminder"): FRONT_DESK,
}

ARGS = {}
