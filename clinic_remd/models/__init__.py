from . import clinic_semd_document
