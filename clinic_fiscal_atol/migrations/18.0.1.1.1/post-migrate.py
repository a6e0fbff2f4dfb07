"""Certificate numbers are counted per clinic now: the one sequence shared by all clinics goes. Each clinic's own
sequence is made with its next certificate and goes on after the numbers the clinic has already issued."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    env = api.Environment(cr, SUPERUSER_ID, {})
    shared = env.ref("clinic_fiscal_atol.seq_clinic_tax_certificate", raise_if_not_found=False)
    if shared:
        shared.unlink()
