from . import test_golden
from . import test_signer
from . import test_semd_visit
from . import test_semd_access
