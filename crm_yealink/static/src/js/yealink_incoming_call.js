/** @odoo-module **/

import { registry } from "@web/core/registry";
import { _t } from "@web/core/l10n/translation";

/**
 * Incoming call pop-up: the server sends "crm_yealink/incoming_call" on the user's bus
 * channel when his phone rings; the notification opens the caller's lead.
 */
export const yealinkIncomingCallService = {
    dependencies: ["bus_service", "notification", "action"],
    start(env, { bus_service, notification, action }) {
        bus_service.subscribe("crm_yealink/incoming_call", (payload) => {
            const who = [payload.caller, payload.number].filter(Boolean).join(" ");
            const buttons = [];
            if (payload.lead_id) {
                buttons.push({
                    name: _t("Open lead"),
                    primary: true,
                    onClick: () =>
                        action.doAction({
                            type: "ir.actions.act_window",
                            res_model: "crm.lead",
                            res_id: payload.lead_id,
                            views: [[false, "form"]],
                        }),
                });
            }
            const message = payload.lead_name ? `${who} - ${payload.lead_name}` : who || _t("Unknown number");
            notification.add(message, {
                title: payload.title || _t("Incoming call"),
                type: "info",
                sticky: true,
                buttons,
            });
        });
        bus_service.start();
    },
};

registry.category("services").add("crm_yealink_incoming_call", yealinkIncomingCallService);
