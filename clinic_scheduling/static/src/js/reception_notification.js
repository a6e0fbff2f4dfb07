/** Pop-ups for the front desk: website bookings, cancellations, waiting-list answers. */

import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";

export const clinicReceptionService = {
    dependencies: ["bus_service", "notification", "action"],
    start(env, { bus_service, notification, action }) {
        bus_service.subscribe("clinic/reception", (payload) => {
            const buttons = [];
            if (payload.res_model && payload.res_id) {
                buttons.push({
                    name: _t("Open"),
                    primary: true,
                    onClick: () =>
                        action.doAction({
                            type: "ir.actions.act_window",
                            res_model: payload.res_model,
                            res_id: payload.res_id,
                            views: [[false, "form"]],
                        }),
                });
            }
            notification.add(payload.message, {
                title: payload.title,
                type: payload.kind === "website_booking" ? "success" : "info",
                sticky: Boolean(payload.sticky),
                buttons,
            });
        });
        bus_service.start();
    },
};

registry.category("services").add("clinic_reception", clinicReceptionService);
