/** @odoo-module **/

import { PhoneField } from "@web/views/fields/phone/phone_field";
import { useService } from "@web/core/utils/hooks";
import { patch } from "@web/core/utils/patch";
import { _t } from "@web/core/l10n/translation";

// models whose phone fields get a "Dial" button (crm.lead / res.partner action_yealink_dial)
const DIAL_MODELS = ["crm.lead", "res.partner"];

patch(PhoneField.prototype, {
    setup() {
        super.setup(...arguments);
        this.orm = useService("orm");
        this.notification = useService("notification");
    },
    get yealinkCanDial() {
        const record = this.props.record;
        return (
            DIAL_MODELS.includes(record.resModel) &&
            Boolean(record.resId) &&
            Boolean(record.data[this.props.name])
        );
    },
    async onYealinkDial(ev) {
        ev.stopPropagation();
        ev.preventDefault();
        const record = this.props.record;
        if (record.isDirty) {
            await record.save();
        }
        const result = await this.orm.call(record.resModel, "action_yealink_dial", [[record.resId]], {
            field_name: this.props.name,
        });
        this.notification.add(result.message || _t("Dialing..."), {
            type: "success",
            title: _t("Yealink"),
        });
        await record.load();
    },
});
