from . import (
    test_access,
    test_cash_desk_ui,
    test_acquiring,
    test_proxy,
    test_race,
    test_receipts,
    test_shift,
    test_tax_certificate,
    test_tax_certificate_access,
    test_tax_certificate_race,
    test_tax_certificate_ui,
)
from . import test_proxy_bad_input
from . import test_empty_recordsets
