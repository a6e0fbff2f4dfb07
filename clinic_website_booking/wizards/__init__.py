from . import clinic_api_key_wizard
