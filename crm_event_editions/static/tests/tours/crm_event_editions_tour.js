import { registry } from "@web/core/registry";

// A Production Manager opens the new edition, brings last year's people forward with
// the wizard, reads the result and opens the rollover it made.
registry.category("web_tour.tours").add("crm_event_editions_rollover_tour", {
    steps: () => [
        {
            content: "The new edition's form offers to bring people from a past edition",
            trigger: ".o_form_view button[name='action_crm_rollover_wizard']",
            run: "click",
        },
        {
            content: "The past edition of the series is proposed",
            trigger: ".modal .o_field_widget[name='source_event_id'] input:value('Tour Summit (past)')",
        },
        {
            content: "Bring them forward",
            trigger: ".modal footer button[name='action_rollover']",
            run: "click",
        },
        {
            content: "The result: leads created",
            trigger: ".modal .alert-success .o_field_widget[name='created_count']:contains('3')",
        },
        {
            content: "Open the rollover",
            trigger: ".modal footer button[name='action_open_job']",
            run: "click",
        },
        {
            content: "The rollover is done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
        {
            content: "Its leads are one click away",
            trigger: ".o_form_view button[name='action_view_leads'] .o_stat_value:contains('3')",
            run: "click",
        },
        {
            content: "The new leads of the edition",
            trigger: ".o_list_view .o_data_row:nth-child(3)",
        },
    ],
});
