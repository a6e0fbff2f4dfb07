"""«Tax certificates» in the patient's account: ask for the certificates of a year, download them once issued.

A portal user sees only their own requests and certificates (record rules); the PDF is rendered as superuser only
after the user's own read of the certificate passed.
"""

from odoo import http
from odoo.exceptions import AccessError, ValidationError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.clinic_tax_certificate import FIRST_YEAR


class TaxCertificatePortal(CustomerPortal):
    def _tax_years(self):
        this_year = request.env.company._clinic_today().year
        return list(range(this_year, FIRST_YEAR - 1, -1))

    @http.route("/my/tax-certificates", type="http", auth="user", website=True, methods=["GET"])
    def portal_my_tax_certificates(self, message=None, **kw):
        """The page; ``message`` is a code the template knows. An ``error`` in the URL is ignored: anyone could
        send a patient a link whose red alert says what they like («call this number»)."""
        return self._render_tax_certificates(message=message)

    def _render_tax_certificates(self, message=None, error=None):
        """The page with our own error (a request refused just now), never one taken from the URL."""
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        values.update(
            page_name="clinic_tax_certificates",
            requests=request.env["clinic.tax.certificate.request"].search([("taxpayer_id", "=", partner.id)]),
            certificates=request.env["clinic.tax.certificate"].search([("taxpayer_id", "=", partner.id)]),
            years=self._tax_years(),
            message=message,
            error=error,
        )
        return request.render("clinic_fiscal_atol.portal_my_tax_certificates", values)

    @http.route("/my/tax-certificates/request", type="http", auth="user", website=True, methods=["POST"])
    def portal_tax_certificate_request(self, year=None, note=None, **kw):
        if not request.env.user._is_portal() and not request.env.user._is_internal():
            return request.redirect("/my")
        try:
            if str(year or "") not in {str(y) for y in self._tax_years()}:
                raise ValidationError(request.env._("Year: choose a year from the list."))
            request.env["clinic.tax.certificate.request"]._portal_request(
                request.env.user.partner_id, year, (note or "").strip()[:1000]
            )
        except ValidationError as error:
            return self._render_tax_certificates(error=str(error))
        return request.redirect("/my/tax-certificates?message=requested")

    @http.route(
        "/my/tax-certificates/<int:certificate_id>/pdf", type="http", auth="user", website=True, methods=["GET"]
    )
    def portal_tax_certificate_pdf(self, certificate_id, **kw):
        certificate = request.env["clinic.tax.certificate"].browse(certificate_id).exists()
        try:
            certificate.check_access("read")  # the record rules: a portal user's own certificates only
        except AccessError:
            raise request.not_found() from None
        if not certificate:
            raise request.not_found()
        pdf, _type = (
            request.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf("clinic_fiscal_atol.action_report_tax_certificate", certificate.ids)
        )
        filename = f"spravka-{certificate.number}-{certificate.correction_number}-{certificate.year}.pdf"
        return request.make_response(
            pdf,
            headers=[
                ("Content-Type", "application/pdf"),
                ("Content-Length", len(pdf)),
                ("Content-Disposition", http.content_disposition(filename)),
            ],
        )
