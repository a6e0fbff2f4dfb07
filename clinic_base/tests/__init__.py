from . import (
    test_access,
    test_address,
    test_consent,
    test_duplicate_evidence,
    test_duplicates,
    test_nsi,
    test_patient,
    test_phone,
    test_staff,
    test_synthetic,
)
