from odoo.tests import Form, TransactionCase, tagged
from odoo.tools.safe_eval import safe_eval


@tagged("post_install", "-at_install")
class TestServiceForm(TransactionCase):
    """«Medical services» opens a service form: codes, price, duration, who performs it; no price lists,
    product categories or sales and purchase switches of the stock product form."""

    def test_services_menu_opens_the_service_form(self):
        action = self.env["ir.actions.act_window"]._for_xml_id("clinic_base.product_template_action_service")
        form_view = self.env.ref("clinic_base.product_template_view_form_service")
        self.assertIn([form_view.id, "form"], [list(view) for view in action["views"]])
        arch = self.env["product.template"].get_view(form_view.id, "form")["arch"]
        for stock in ('name="categ_id"', "pricelist", 'name="sale_ok"', 'name="purchase_ok"', 'name="taxes_id"'):
            self.assertNotIn(stock, arch)
        self.assertIn('name="service_code_id"', arch)
        code = self.env["clinic.nsi.service.code"].search([("code", "=", "B01.023.001")])
        Template = self.env["product.template"].with_context(**safe_eval(action["context"]))
        with Form(Template, view=form_view) as form:
            form.name = "Приём врача-невролога первичный"
            form.service_code_id = code
            form.list_price = 1800
            form.duration_minutes = 40
        service = form.record
        self.assertEqual(
            (service.is_medical_service, service.type, service.service_code_id.code, service.list_price),
            (True, "service", "B01.023.001", 1800),
        )
        self.assertIn(service, self.env["product.template"].search(safe_eval(action["domain"])))
