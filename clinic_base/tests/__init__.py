from . import (
    test_access,
    test_address,
    test_company,
    test_consent,
    test_duplicates,
    test_icd10_search,
    test_nsi,
    test_patient,
    test_phone,
    test_service_form,
    test_staff,
    test_synthetic,
)
