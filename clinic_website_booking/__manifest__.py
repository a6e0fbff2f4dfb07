{
    "name": "Clinic: online booking on the website and exchange API",
    "summary": "Published doctors and services on the Odoo website, booking in three steps from live slots with "
    "patient matching and consents, «My appointments» in the portal, a pop-up for the front desk, and a versioned "
    "JSON API with keys, rate limits and idempotent bookings for outside sites.",
    "version": "18.0.1.0.1",
    "category": "Services/Clinic",
    "author": "Clinic suite developers",
    "website": "https://github.com/clinic-suite",
    "license": "LGPL-3",
    "depends": ["clinic_scheduling", "website", "portal"],
    "data": [
        "security/ir.model.access.csv",
        "security/clinic_website_booking_rules.xml",
        "data/ir_cron_data.xml",
        "data/website_menu_data.xml",
        "views/clinic_api_consumer_views.xml",
        "views/clinic_booking_funnel_views.xml",
        "views/clinic_rate_limit_views.xml",
        "views/clinic_appointment_views.xml",
        "views/clinic_representation_request_views.xml",
        "views/clinic_online_reservation_views.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
        "wizards/clinic_api_key_wizard_views.xml",
        "views/website_clinic_templates.xml",
        "views/website_footer_templates.xml",
        "views/website_booking_templates.xml",
        "views/portal_templates.xml",
        "views/clinic_website_booking_menus.xml",
    ],
    "demo": ["demo/clinic_website_booking_demo.xml"],
    "assets": {
        "web.assets_frontend": [
            "clinic_website_booking/static/src/scss/booking.scss",
            "clinic_website_booking/static/src/js/booking_form.js",
        ],
        "web.assets_tests": [
            "clinic_website_booking/static/tests/tours/*.js",
        ],
    },
    "installable": True,
}
