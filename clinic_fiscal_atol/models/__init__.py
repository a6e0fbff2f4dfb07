from . import (
    clinic_fiscal_cash_wizard,
    clinic_fiscal_correction_wizard,
    clinic_fiscal_payment_wizard,
    clinic_fiscal_receipt,
    clinic_fiscal_receipt_line,
    clinic_fiscal_register,
    clinic_visit,
    clinic_visit_payment,
    clinic_visit_payment_receipt,
    hr_employee,
    product_template,
    res_company,
)
