{
    "name": "Clinic: fiscal receipts on ATOL registers and tax-deduction certificates",
    "summary": "Receipts for visit payments through the ATOL Web Requests JSON task protocol, never lost "
    "or printed twice; card acquiring; the FNS tax-deduction certificate (KND 1151156).",
    "version": "18.0.1.1.0",
    "category": "Services/Clinic",
    "author": "Clinic suite developers",
    "website": "https://github.com/clinic-suite",
    "license": "LGPL-3",
    "depends": ["clinic_scheduling", "queue_job", "portal"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        # Tax-deduction certificates (KND 1151156)
        "security/clinic_tax_certificate_rules.xml",
        "data/clinic_tax_certificate_data.xml",
        "report/clinic_tax_certificate_reports.xml",
        "report/clinic_tax_certificate_templates.xml",
        "views/clinic_tax_certificate_views.xml",
        "views/clinic_tax_certificate_request_views.xml",
        "wizards/clinic_tax_certificate_wizard_views.xml",
        "views/clinic_tax_certificate_menus.xml",
        "views/res_company_views.xml",
        "views/portal_templates.xml",
    ],
    "assets": {
        "web.assets_tests": ["clinic_fiscal_atol/static/tests/tours/*.js"],
    },
    "installable": True,
}
