from . import test_golden
from . import test_signer
from . import test_semd_visit
from . import test_semd_access
from . import test_registration
from . import test_registration_access
from . import test_registration_race
from . import test_end_to_end
