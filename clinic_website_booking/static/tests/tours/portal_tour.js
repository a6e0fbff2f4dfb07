/** «My appointments»: a patient moves an upcoming appointment to another free time, then cancels it. */

import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("clinic_website_booking_portal", {
    url: "/my",
    steps: () => [
        {
            content: "«My appointments» on the portal home, with its counter",
            trigger: ".o_portal_index_card a[href='/my/appointments']:contains(Мои записи)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open the upcoming appointment",
            trigger: ".o_clinic_appointment_row a",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Move it",
            trigger: "a.o_clinic_reschedule",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "to another free time of the same doctor",
            trigger: ".o_clinic_reschedule_page .o_clinic_slot:eq(2)",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Moved",
            trigger: ".o_clinic_moved",
        },
        {
            content: "Cancel it",
            trigger: ".o_clinic_cancel summary",
            run: "click",
        },
        {
            trigger: ".o_clinic_cancel_confirm",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Cancelled, nothing left to change",
            trigger: ".o_clinic_cancelled",
        },
        {
            trigger: ".o_clinic_state[data-state=cancelled]",
        },
    ],
});
