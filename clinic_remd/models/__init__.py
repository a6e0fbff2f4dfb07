from . import clinic_semd_document
from . import clinic_remd_exchange
from . import clinic_semd_registration
from . import res_company_remd_transport
