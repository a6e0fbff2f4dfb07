from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ClinicVisitLine(models.Model):
    _name = "clinic.visit.line"
    _inherit = ["clinic.visit.part"]
    _description = "Service of a visit"
    _order = "visit_id, sequence, id"

    visit_id = fields.Many2one(
        "clinic.visit", string="Visit", required=True, index=True, ondelete="cascade", help="The visit it belongs to."
    )
    sequence = fields.Integer(string="Sequence", default=10, help="Order of the services on the print forms.")
    product_id = fields.Many2one(
        "product.product",
        string="Service",
        required=True,
        domain=[("is_medical_service", "=", True)],
        help="The medical service rendered.",
    )
    service_code = fields.Char(
        string="Code",
        related="product_id.service_code_id.code",
        help="Code of the service in the nomenclature of medical services.",
    )
    name = fields.Char(
        string="Description",
        compute="_compute_name",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        help="As printed on the contract and the act; the service's name unless changed.",
    )
    quantity = fields.Float(string="Quantity", default=1.0, digits="Product Unit of Measure", help="Times rendered.")
    price_unit = fields.Float(
        string="Unit price",
        compute="_compute_price_unit",
        store=True,
        precompute=True,
        readonly=False,
        digits="Product Price",
        help="From the patient's price list when the service is chosen; may be changed by hand.",
    )
    discount = fields.Float(string="Discount, %", digits="Discount", help="Percentage taken off the price.")
    currency_id = fields.Many2one("res.currency", string="Currency", related="visit_id.currency_id")
    price_subtotal = fields.Monetary(
        string="Amount", compute="_compute_amounts", store=True, help="Quantity × unit price, less the discount."
    )
    discount_amount = fields.Monetary(
        string="Discount amount", compute="_compute_amounts", store=True, help="Money taken off by the discount."
    )

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            line.name = line.product_id.name or line.name

    @api.depends("product_id")
    def _compute_price_unit(self):
        for line in self:
            if line.product_id and line.visit_id:
                line.price_unit = line.visit_id._get_service_price(line.product_id, line.quantity)

    @api.depends("quantity", "price_unit", "discount", "currency_id")
    def _compute_amounts(self):
        for line in self:
            gross = line.quantity * line.price_unit
            net = gross * (1.0 - (line.discount or 0.0) / 100.0)
            if line.currency_id:
                gross, net = line.currency_id.round(gross), line.currency_id.round(net)
            line.price_subtotal = net
            line.discount_amount = gross - net

    @api.constrains("quantity", "price_unit", "discount")
    def _check_amounts(self):
        for line in self:
            if line.quantity <= 0:
                raise ValidationError(
                    self.env._(
                        "Visit %(visit)s, «%(service)s»: quantity %(value)s is impossible, it must be above 0.",
                        visit=line.visit_id.display_name,
                        service=line.name,
                        value=line.quantity,
                    )
                )
            if line.price_unit < 0:
                raise ValidationError(
                    self.env._(
                        "Visit %(visit)s, «%(service)s»: price %(value)s is negative; use a discount instead.",
                        visit=line.visit_id.display_name,
                        service=line.name,
                        value=line.price_unit,
                    )
                )
            if not 0 <= line.discount <= 100:
                raise ValidationError(
                    self.env._(
                        "Visit %(visit)s, «%(service)s»: discount %(value)s%% must be from 0 to 100%%.",
                        visit=line.visit_id.display_name,
                        service=line.name,
                        value=line.discount,
                    )
                )
