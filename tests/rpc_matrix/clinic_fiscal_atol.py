"""clinic_fiscal_atol: who may call its public methods over RPC.

Two blocks, one per part of the module: receipts (registers, proxy, acquiring) and tax-deduction certificates.
"""

from . import MANAGERS

ACCOUNTING = frozenset({"accountant"}) | MANAGERS

MATRIX = {}
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
    }
)
