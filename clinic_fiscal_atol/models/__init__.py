from . import (
    clinic_visit_payment,
    product_template,
    res_company,
    clinic_tax_certificate,
    clinic_tax_certificate_amounts,
    clinic_tax_certificate_xml,
    clinic_tax_certificate_request,
)
