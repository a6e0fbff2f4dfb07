from . import test_access, test_acquiring, test_proxy, test_race, test_receipts, test_shift
