from . import remd_callback
