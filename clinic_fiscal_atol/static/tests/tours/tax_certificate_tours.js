/** Tax certificates: a patient asks for the year's certificate from the portal; the accountant issues it. */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("clinic_tax_certificate_portal_request", {
    url: "/my",
    steps: () => [
        {
            content: "«Tax certificates» on the portal home",
            trigger: ".o_portal_index_card a[href='/my/tax-certificates']:contains(Справки для налогового вычета)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Nothing issued yet",
            trigger: ".o_clinic_tax_certificates:contains(Пока нет выданных справок)",
        },
        {
            content: "Choose last year",
            trigger: "select[name=year]",
            run: "selectByIndex 1",
        },
        {
            content: "Ask for the certificate",
            trigger: "button.o_clinic_tax_request_submit",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The request is sent and listed as new",
            trigger: ".o_clinic_requested",
        },
        {
            content: "Listed as new",
            trigger: ".o_clinic_tax_request_state[data-state=new]",
        },
    ],
});

registry.category("web_tour.tours").add("clinic_tax_certificate_accountant_issue", {
    url: "/odoo/action-clinic_fiscal_atol.clinic_tax_certificate_request_action",
    steps: () => [
        {
            content: "The pending request of the patient",
            trigger: ".o_list_view .o_data_row:contains(Иванова) td.o_data_cell",
            run: "click",
        },
        {
            content: "Issue its certificates",
            trigger: "button.o_clinic_issue",
            run: "click",
        },
        {
            content: "The certificate with its number from the register",
            trigger: ".o_form_view .o_clinic_tax_certificate_number:not(:empty)",
        },
        {
            content: "Back to the requests",
            trigger: ".o_breadcrumb .breadcrumb-item a",
            run: "click",
        },
        {
            content: "Nothing left to issue",
            trigger: ".o_view_nocontent, .o_list_view:not(:has(.o_data_row))",
        },
    ],
});

registry.category("web_tour.tours").add("clinic_tax_certificate_accountant_annul", {
    steps: () => [
        {
            content: "Annul the certificate in force",
            trigger: ".o_form_view .o_statusbar_buttons button:contains(Annul)",
            run: "click",
        },
        {
            content: "Say why",
            trigger: ".modal div[name=reason] textarea",
            run: "edit Выдана не тому налогоплательщику",
        },
        {
            content: "Annul",
            trigger: ".modal .modal-footer button[name=action_confirm]",
            run: "click",
        },
        {
            content: "The annulling certificate: same number, correction 999, the reason shown",
            trigger:
                ".o_form_view:has(div[name=correction_number]:contains(999)) .alert-danger:contains(Выдана не тому налогоплательщику)",
        },
    ],
});
