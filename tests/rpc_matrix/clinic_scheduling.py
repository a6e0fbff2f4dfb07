"""clinic_scheduling: who may call its public methods over RPC (booking/hold/notify helpers are @api.private).

Calls on records go to the first appointment/visit of the demo, which is not the test doctor's: a doctor
is refused there by the record rule «a doctor sees their own».
"""

from . import FRONT_DESK, MANAGERS

WITH_VISIT_READ = frozenset({"receptionist", "accountant", "manager"})
APPOINTMENT_WRITERS = FRONT_DESK  # a doctor too, on their own appointments (see the module's tests)


def _free_slot(env):
    return env(su=True)["clinic.slot"].search([("state", "=", "free")], limit=1, order="id").ids


def _visit(env):
    """An open visit: a booked appointment of the demo, arrived as superuser."""
    appointment = env(su=True)["clinic.appointment"].search([("state", "in", ("booked", "confirmed"))], limit=1)
    appointment.action_arrive()
    return appointment.visit_id.ids


def _cancel_wizard(env):
    appointment = env(su=True)["clinic.appointment"].search([("state", "=", "booked")], limit=1, order="id")
    wizard = env["clinic.appointment.cancel.wizard"].create(
        {"appointment_ids": [(6, 0, appointment.ids)], "reason": "RPC matrix"}
    )
    return wizard.ids


def _kpi_dashboard(env):
    return env["clinic.kpi.dashboard"].create({}).ids


MATRIX = {
    ("clinic.appointment", "action_arrive"): APPOINTMENT_WRITERS,
    ("clinic.appointment", "action_call_cancelled"): FRONT_DESK,
    ("clinic.appointment", "action_call_confirmed"): FRONT_DESK,
    ("clinic.appointment", "action_call_no_answer"): FRONT_DESK,
    ("clinic.appointment", "action_cancel"): APPOINTMENT_WRITERS,
    ("clinic.appointment", "action_confirm"): APPOINTMENT_WRITERS,
    ("clinic.appointment", "action_done"): APPOINTMENT_WRITERS,
    ("clinic.appointment", "action_no_show"): APPOINTMENT_WRITERS,
    ("clinic.appointment", "action_open_cancel_wizard"): APPOINTMENT_WRITERS,
    ("clinic.appointment", "action_open_reschedule"): APPOINTMENT_WRITERS,
    ("clinic.appointment", "action_open_visit"): WITH_VISIT_READ,
    ("clinic.appointment", "action_start"): APPOINTMENT_WRITERS,
    ("clinic.appointment", "action_take_call"): FRONT_DESK,
    ("clinic.appointment.cancel.wizard", "action_confirm"): APPOINTMENT_WRITERS,
    ("clinic.booking.wizard", "action_next_week"): FRONT_DESK,
    ("clinic.booking.wizard", "action_previous_week"): FRONT_DESK,
    ("clinic.kpi.dashboard", "action_open_figure"): MANAGERS,
    ("clinic.slot", "action_block"): FRONT_DESK,
    ("clinic.slot", "action_book_from_window"): FRONT_DESK,
    ("clinic.slot", "action_unblock"): FRONT_DESK,
    ("clinic.visit", "action_cancel"): FRONT_DESK,
    ("clinic.visit", "action_done"): FRONT_DESK,
    ("clinic.visit", "action_register_payment"): WITH_VISIT_READ,
    ("clinic.visit", "action_reopen"): FRONT_DESK,
    ("clinic.waitlist", "action_cancel"): FRONT_DESK,
    ("clinic.waitlist.offer", "action_accept"): FRONT_DESK,
    ("clinic.waitlist.offer", "action_decline"): FRONT_DESK,
    ("hr.employee", "action_view_slot_conflicts"): FRONT_DESK,
}

ARGS = {
    ("clinic.slot", "action_block"): ((_free_slot, "RPC matrix"), {}),
    ("clinic.slot", "action_unblock"): ((_free_slot,), {}),
    ("clinic.slot", "action_book_from_window"): ((_free_slot,), {}),
    ("clinic.appointment.cancel.wizard", "action_confirm"): ((_cancel_wizard,), {}),
    ("clinic.visit", "action_cancel"): ((_visit,), {}),
    ("clinic.visit", "action_done"): ((_visit,), {}),
    ("clinic.visit", "action_reopen"): ((_visit,), {}),
    ("clinic.visit", "action_register_payment"): ((_visit,), {}),
    ("clinic.kpi.dashboard", "action_open_figure"): ((_kpi_dashboard,), {"context": {"kpi_figure": "no_show_rate"}}),
}
