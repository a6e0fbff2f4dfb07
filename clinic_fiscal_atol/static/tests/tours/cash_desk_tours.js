/** The cash desk: a receptionist takes cash and card payments on a finished visit, then refunds the card. */

import { registry } from "@web/core/registry";

function backToVisit() {
    return {
        content: "Back to the visit",
        trigger: ".o_breadcrumb .breadcrumb-item a",
        run: "click",
    };
}

registry.category("web_tour.tours").add("clinic_fiscal_cash_desk_payments", {
    steps: () => [
        {
            content: "Take a payment on the finished visit",
            trigger: ".o_form_view button[name=action_clinic_fiscal_take_payment]",
            run: "click",
        },
        {
            content: "Cash is the default method",
            trigger: ".modal div[name=method] input[data-value=cash]:checked",
        },
        {
            content: "The patient pays 1000 in cash",
            trigger: ".modal div[name=amount] input",
            run: "edit 1000",
        },
        {
            content: "Take the payment and print its receipt",
            trigger: ".modal .modal-footer button[name=action_confirm].btn-primary",
            run: "click",
        },
        {
            content: "The receipt of the cash payment waits for the register",
            trigger: ".o_form_view div[name=payment_type]:contains(Cash)",
        },
        backToVisit(),
        {
            content: "Take the rest",
            trigger: ".o_form_view button[name=action_clinic_fiscal_take_payment]",
            run: "click",
        },
        {
            content: "By card",
            trigger: ".modal div[name=method] input[data-value=card]",
            run: "click",
        },
        {
            content: "Charge the terminal, take the payment and print its receipt",
            trigger: ".modal .modal-footer button[name=action_confirm].btn-primary",
            run: "click",
        },
        {
            content: "The card receipt waits for the register",
            trigger: ".o_form_view div[name=payment_type]:contains(Card or transfer)",
        },
        backToVisit(),
        {
            content: "Nothing is left to pay",
            trigger: ".o_form_view:has(button[name=action_clinic_fiscal_refund]):not(:has(button[name=action_clinic_fiscal_take_payment]))",
        },
    ],
});

registry.category("web_tour.tours").add("clinic_fiscal_cash_desk_refund", {
    steps: () => [
        {
            content: "Refund on the visit",
            trigger: ".o_form_view button[name=action_clinic_fiscal_refund]",
            run: "click",
        },
        {
            content: "Open the printed payments",
            trigger: ".modal div[name=refund_of_id] input",
            run: "click",
        },
        {
            content: "Pick the card payment",
            trigger: ".o-autocomplete--dropdown-item a:contains(2,150.00)",
            run: "click",
        },
        {
            content: "The card and its amount come from the payment",
            trigger: ".modal div[name=method] input[data-value=card]:checked",
        },
        {
            content: "Refund through the terminal and print the refund receipt",
            trigger: ".modal .modal-footer button[name=action_confirm].btn-primary",
            run: "click",
        },
        {
            content: "The refund receipt waits for the register",
            trigger: ".o_form_view div[name=operation]:contains(Refund)",
        },
    ],
});
