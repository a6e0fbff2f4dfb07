"""clinic_fiscal_atol: who may call its public methods over RPC.

Two blocks, one per part of the module. Receipts, registers and acquiring: sending, polling, the
proxy's report, building receipt lines are private; what is left are the cash desk's buttons.
Cashiers are the front desk, accountants and managers; a doctor, an employee in no clinic group
and a settings administrator are not.
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

# ---------------------------------------------------------------- tax-deduction certificates (KND 1151156)
# Certificates and their requests are the accountant's (a manager is an accountant too); the portal asks and
# downloads through its own routes (controllers/portal.py), never through these methods.
MATRIX.update(
    {
        ("clinic.tax.certificate", "action_correct"): ACCOUNTING,
        ("clinic.tax.certificate", "action_export_xml"): ACCOUNTING,
        ("clinic.tax.certificate", "action_print"): ACCOUNTING,
        ("clinic.tax.certificate.request", "action_cancel"): ACCOUNTING,
        ("clinic.tax.certificate.request", "action_issue"): ACCOUNTING,
        ("clinic.tax.certificate.wizard", "action_issue"): ACCOUNTING,
        ("clinic.tax.certificate.annul.wizard", "action_confirm"): ACCOUNTING,
    }
)
