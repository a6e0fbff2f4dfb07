from . import clinic_visit_payment, product_template
