"""Who may call each public method clinic_whatsapp defines (see tests/test_rpc_matrix.py).

Everything else is private: the outbox, the sending job, webhook processing (the controller calls it
after the provider's signature check), what replies do. What is left are front-desk buttons and the
managers' promotion; a settings administrator in no clinic group is not front desk.
"""

FRONT_DESK = frozenset({"receptionist", "manager"})
MANAGERS = frozenset({"manager"})


def _incoming(env):
    """A patient's message the system did not understand, on a channel of the demo clinic."""
    su = env(su=True)
    channel = su["clinic.messaging.channel"].create(
        {"name": "RPC matrix", "provider": "sms_smsc", "base_url": "http://127.0.0.1:9", "sequence": 999}
    )
    patient = su["res.partner"].search([("is_patient", "=", True)], limit=1, order="id")
    message = su["clinic.message"].create(
        {
            "channel_id": channel.id,
            "partner_id": patient.id,
            "direction": "in",
            "state": "received",
            "phone": "+79161234500",
            "body": "Можно прийти с ребёнком?",
            "provider_message_id": "rpc-matrix-1",
            "needs_answer": True,
        }
    )
    return message.ids


def _answer(env):
    return env["clinic.message.answer"].create({"message_id": _incoming(env)[0], "body": "Да, конечно."}).ids


def _promotion(env):
    return env(su=True).ref("clinic_whatsapp.template_marketing_checkup").ids


MATRIX = {
    # Stop a queued message; send a reminder now from the appointment.
    ("clinic.message", "action_cancel"): FRONT_DESK,
    ("clinic.appointment", "action_clinic_send_reminder"): FRONT_DESK,
    # Answer a patient's message on its channel: open the answer, send it.
    ("clinic.message", "action_answer"): FRONT_DESK,
    ("clinic.message.answer", "action_send"): FRONT_DESK,
    # Queue a promotion for the patients with a marketing consent.
    ("clinic.message.template", "action_send_promotion"): MANAGERS,
}

ARGS = {
    ("clinic.message", "action_answer"): ((_incoming,), {}),
    ("clinic.message.answer", "action_send"): ((_answer,), {}),
    ("clinic.message.template", "action_send_promotion"): ((_promotion,), {}),
}
