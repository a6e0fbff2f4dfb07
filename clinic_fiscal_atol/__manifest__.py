{
    "name": "Clinic: fiscal receipts on ATOL registers and tax-deduction certificates",
    "summary": "Receipts for visit payments through the ATOL Web Requests JSON task protocol, never lost "
    "or printed twice; card acquiring; the FNS tax-deduction certificate (KND 1151156).",
    "version": "18.0.1.0.0",
    "category": "Services/Clinic",
    "author": "Clinic suite developers",
    "website": "https://github.com/clinic-suite",
    "license": "LGPL-3",
    "depends": ["clinic_scheduling", "queue_job"],
    "external_dependencies": {"python": ["requests"]},
    "data": [
        "security/ir.model.access.csv",
        "security/clinic_fiscal_atol_rules.xml",
        "data/clinic_fiscal_data.xml",
        "views/clinic_fiscal_wizard_views.xml",
        "views/clinic_fiscal_receipt_views.xml",
        "views/clinic_fiscal_register_views.xml",
        "views/clinic_visit_payment_views.xml",
        "views/clinic_fiscal_atol_menus.xml",
    ],
    "demo": ["data/clinic_fiscal_demo.xml"],
    "installable": True,
}
