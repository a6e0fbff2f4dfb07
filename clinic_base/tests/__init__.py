from odoo.tests import common as odoo_test_common

from . import (
    test_access,
    test_address,
    test_company,
    test_consent,
    test_cron_waker,
    test_duplicate_evidence,
    test_duplicate_married,
    test_duplicates,
    test_gc_freeze,
    test_icd10_search,
    test_nsi,
    test_patient,
    test_phone,
    test_service_form,
    test_staff,
    test_synthetic,
)

# Odoo skips a browser test when Chromium has not opened its devtools port within 10 s. On the CI machine a start
# sometimes took longer (Chromium's processes came up 12 s after the launch), and a skipped tour is a failed run:
# wait up to 60 s. Every module's tests are loaded after clinic_base's.
odoo_test_common.CHECK_BROWSER_ITERATIONS = 600
