from . import clinic_migration_wizard
from . import clinic_migration_wizard_file
from . import base_partner_merge_automatic_wizard
