from . import clinic_tax_certificate_wizard
