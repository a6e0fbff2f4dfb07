"""clinic_fiscal_atol: who may call its public methods over RPC.

Receipts, registers and acquiring: sending, polling, the proxy's report, building receipt lines are
private; what is left are the cash desk's buttons. Cashiers are the front desk, accountants and
managers; a doctor, an employee in no clinic group and a settings administrator are not.
"""

CASHIERS = frozenset({"receptionist", "accountant", "manager"})
ACCOUNTING = frozenset({"accountant", "manager"})

MATRIX = {
    # ---- receipts, registers, card payments
    ("clinic.fiscal.register", "action_open_shift"): CASHIERS,
    ("clinic.fiscal.register", "action_close_shift"): CASHIERS,
    ("clinic.fiscal.register", "action_report_x"): CASHIERS,
    ("clinic.fiscal.register", "action_refresh_status"): CASHIERS,
    ("clinic.fiscal.register", "action_view_receipts"): CASHIERS,
    ("clinic.fiscal.receipt", "action_retry"): CASHIERS,
    ("clinic.fiscal.payment.wizard", "action_confirm"): CASHIERS,
    ("clinic.fiscal.cash.wizard", "action_confirm"): CASHIERS,
    ("clinic.fiscal.correction.wizard", "action_confirm"): ACCOUNTING,
    ("clinic.visit", "action_clinic_fiscal_take_payment"): CASHIERS,
    ("clinic.visit", "action_clinic_fiscal_refund"): CASHIERS,
    ("clinic.visit.payment", "action_clinic_fiscal_correct"): ACCOUNTING,
}

ARGS = {}
