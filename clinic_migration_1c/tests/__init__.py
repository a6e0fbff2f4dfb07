from . import test_tools
from . import test_import
from . import test_bad_files
from . import test_exports
from . import test_client_rows
from . import test_receptionist_base
