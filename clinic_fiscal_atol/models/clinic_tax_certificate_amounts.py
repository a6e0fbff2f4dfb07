"""What a certificate counts, in one SQL query for any number of taxpayers.

The money: payments whose receipt is printed (``fiscal_state = 'done'``) less refunds whose receipt is printed,
plus the payments of visits imported from 1C (history without receipts), dated in the year. A refund counts for the
payer of the payment it returns, in the year of the refund.

How a payment is spread over the visit: in proportion to the amounts of the visit's services after discounts.
The share of a payment (or refund) falling on code 1 is ``amount × (services of code 1) / (all services)``, rounded
to the kopeck per payment; likewise code 2; the share on services off the licensed list (code «none») is not
counted. A visit without services adds nothing. A year whose refunds exceed its payments (a refund of last year's
payment) counts zero, never a negative amount.
"""

from datetime import date

from odoo import api, models

AMOUNTS_QUERY = """
    WITH paid AS (
        SELECT pay.id, pay.visit_id, pay.patient_id, pay.amount,
               COALESCE(orig.payer_id, pay.payer_id) AS payer_id,
               CASE WHEN pay.kind = 'refund' THEN -1 ELSE 1 END AS sign
          FROM clinic_visit_payment pay
          JOIN clinic_visit visit ON visit.id = pay.visit_id
     LEFT JOIN clinic_visit_payment orig ON orig.id = pay.refund_of_id
         WHERE pay.date BETWEEN %(date_from)s AND %(date_to)s
           AND visit.company_id = %(company_id)s
           AND (pay.fiscal_state = 'done' OR visit.is_imported)
           AND (%(all_payers)s OR COALESCE(orig.payer_id, pay.payer_id) = ANY(%(payer_ids)s))
    ), shares AS (
        SELECT line.visit_id,
               SUM(line.price_subtotal) AS total,
               SUM(line.price_subtotal) FILTER (WHERE tmpl.clinic_tax_deduction_code = '1') AS code1,
               SUM(line.price_subtotal) FILTER (WHERE tmpl.clinic_tax_deduction_code = '2') AS code2
          FROM clinic_visit_line line
          JOIN product_product product ON product.id = line.product_id
          JOIN product_template tmpl ON tmpl.id = product.product_tmpl_id
         WHERE line.visit_id IN (SELECT visit_id FROM paid)
      GROUP BY line.visit_id
    )
    SELECT paid.payer_id, paid.patient_id,
           SUM(paid.sign * ROUND(paid.amount * COALESCE(shares.code1, 0) / shares.total, 2)),
           SUM(paid.sign * ROUND(paid.amount * COALESCE(shares.code2, 0) / shares.total, 2))
      FROM paid
      JOIN shares ON shares.visit_id = paid.visit_id AND shares.total > 0
  GROUP BY paid.payer_id, paid.patient_id
"""


class ClinicTaxCertificate(models.Model):
    _inherit = "clinic.tax.certificate"

    @api.model
    def _amounts(self, year, company, taxpayers=None):
        """``{(payer_id, patient_id): (code 1, code 2)}`` of ``year`` at ``company``; every payer when ``taxpayers``
        is None. Amounts may be negative here (refunds of an earlier year): the caller counts them as zero."""
        self.env["clinic.visit.payment"].flush_model()
        self.env["clinic.visit.line"].flush_model()
        self.env["clinic.visit"].flush_model(["company_id", "is_imported"])
        self.env["product.template"].flush_model(["clinic_tax_deduction_code"])
        self.env.cr.execute(
            AMOUNTS_QUERY,
            {
                "date_from": date(year, 1, 1),
                "date_to": date(year, 12, 31),
                "company_id": company.id,
                "all_payers": taxpayers is None,
                "payer_ids": taxpayers.ids if taxpayers is not None else [],
            },
        )
        return {
            (payer, patient): (float(code1), float(code2)) for payer, patient, code1, code2 in self.env.cr.fetchall()
        }
