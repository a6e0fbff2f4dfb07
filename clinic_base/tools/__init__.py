from . import access, checksums, dedupe, names, phone
