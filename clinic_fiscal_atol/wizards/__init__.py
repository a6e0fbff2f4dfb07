from . import (
    clinic_fiscal_cash_wizard,
    clinic_fiscal_correction_wizard,
    clinic_fiscal_payment_wizard,
    clinic_tax_certificate_annul_wizard,
    clinic_tax_certificate_wizard,
)
