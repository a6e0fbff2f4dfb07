from . import test_registration
from . import test_registration_access
from . import test_registration_race
