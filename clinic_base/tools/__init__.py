from . import checksums, dedupe, names, phone
