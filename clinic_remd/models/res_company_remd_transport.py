from odoo import fields, models

from ..transports.base import TRANSPORTS

MANAGER = "clinic_base.group_clinic_manager"
ADMIN = "base.group_system"


class ResCompany(models.Model):
    """The clinic's REMD connection: which transport, where, with which keys. Nothing of it lives in code."""

    _inherit = "res.company"

    remd_transport = fields.Selection(
        selection=[("soap", "Direct: federal REMD (SOAP)"), ("platform", "Connected platform (REST)")],
        string="REMD transport",
        default="soap",
        required=True,
        groups=MANAGER,
        help="Direct connection through the clinic's secure channel, or a connected platform's REST wrapper.",
    )
    remd_endpoint_url = fields.Char(
        string="REMD service address", groups=MANAGER, help="SOAP address of the REMD service (test or production)."
    )
    remd_wsdl_url = fields.Char(
        string="REMD WSDL address", groups=MANAGER, help="Where the service's WSDL is read; empty: «address?wsdl»."
    )
    remd_client_entity_id = fields.Char(
        string="Client entity id", groups=MANAGER, help="The GUID issued when the clinic's system joined EGISZ."
    )
    remd_callback_url = fields.Char(
        string="Callback address",
        groups=MANAGER,
        help="Public address REMD calls for getDocumentFile and registerDocumentResult: «https://…/clinic_remd/soap».",
    )
    remd_transport_certificate = fields.Text(
        string="Transport certificate (PEM)",
        groups=MANAGER,
        help="The clinic's certificate signing SOAP messages: a GOST R 34.10-2012 certificate signs them with GOST, "
        "as REMD requires; an RSA one (test contour) with RSA-SHA256.",
    )
    remd_transport_key = fields.Text(
        string="Transport private key (PEM)", groups=ADMIN, help="The key of the transport certificate (PKCS#8)."
    )
    remd_server_certificate = fields.Text(
        string="REMD certificate (PEM)",
        groups=MANAGER,
        help="REMD's certificate: callbacks and file requests whose WS-Security signature it does not verify "
        "are refused.",
    )
    remd_allowed_ips = fields.Char(
        string="REMD addresses",
        groups=MANAGER,
        help="Comma-separated IP addresses REMD calls from; empty: any address (the signature is still checked).",
    )
    remd_platform_url = fields.Char(string="Platform API address", groups=MANAGER)
    remd_platform_token = fields.Char(string="Platform API token", groups=ADMIN)
    remd_platform_secret = fields.Char(
        string="Platform callback secret", groups=ADMIN, help="Shared secret signing the platform's callbacks."
    )
    remd_platform_callback_url = fields.Char(
        string="Platform callback address", groups=MANAGER, help="«https://…/clinic_remd/platform/result»."
    )
    remd_timeout = fields.Float(string="REMD timeout, s", default=30.0, groups=MANAGER)
    remd_max_attempts = fields.Integer(
        string="Attempts before giving up", default=6, groups=MANAGER, help="Transient failures are retried this often."
    )
    remd_retry_seconds = fields.Integer(
        string="First retry after, s", default=60, groups=MANAGER, help="Each later retry waits four times longer."
    )
    remd_reconcile_minutes = fields.Integer(
        string="Search the registry after, min",
        default=120,
        groups=MANAGER,
        help="A document without REMD's answer this long is looked up in the registry.",
    )

    def _remd_configured(self):
        """Whether documents go to REMD on their own once signed: the chosen transport has its address."""
        self.ensure_one()
        company = self.sudo()
        return bool(company.remd_endpoint_url if company.remd_transport == "soap" else company.remd_platform_url)

    def _remd_transport(self):
        """The transport object of this clinic's settings (read as superuser: keys are admin-only)."""
        self.ensure_one()
        return TRANSPORTS[self.sudo().remd_transport](self.sudo())
