import { registry } from "@web/core/registry";
import { uploadCsvSteps } from "@crm_campaign_mgmt/../tests/tours/tour_helpers";

// 3 valid rows, 1 invalid email, 1 duplicate (same email as the first row)
const CSV_CONTENT = [
    "First Name;Last Name;Email;Mobile;Company",
    "Asha;Rao;asha.tour@example.com;+91 98765 43210;Acme Pharma",
    "Rahul;Sen;rahul.tour@example.in;+91 98300 12345;Zincox",
    "Meera;Iyer;meera.tour@example.com;+91 99000 11122;Bright Labs",
    "Bad;Email;not-an-email;+91 98765 00001;Nowhere",
    "Dup;Rao;asha.tour@example.com;+91 98765 00002;Acme Pharma",
].join("\r\n");

registry.category("web_tour.tours").add("crm_campaign_mgmt_import_targets_tour", {
    steps: () => [
        {
            content: "The draft campaign form is open",
            trigger: ".o_form_view .o_field_widget[name='title'] input, .o_form_view .o_field_widget[name='title']:contains('Import Tour Campaign')",
        },
        {
            content: "Open the Audience page",
            trigger: ".o_notebook .nav-link:contains('Audience')",
            run: "click",
        },
        {
            content: "Launch the import wizard",
            trigger: ".o_form_view button:contains('Import Targets')",
            run: "click",
        },
        {
            content: "The wizard proposes the campaign's conference",
            trigger: ".modal .o_field_widget[name='event_id'] input:value('Import Tour Summit')",
        },
        ...uploadCsvSteps("tour_targets.csv", CSV_CONTENT),
        {
            content: "Email column guessed as Email",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row:has(td[name='header']:contains('Email')) td[name='field_key']:contains('Email')",
        },
        {
            content: "Mobile column guessed as Phone",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row:has(td[name='header']:contains('Mobile')) td[name='field_key']:contains('Phone')",
        },
        {
            content: "First Name column guessed as First Name",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row:has(td[name='header']:contains('First Name')) td[name='field_key']:contains('First Name')",
        },
        {
            content: "Company column guessed as Company, with its samples",
            trigger: ".modal .o_field_widget[name='line_ids'] .o_data_row:has(td[name='header']:contains('Company')):has(td[name='sample']:contains('Acme Pharma')) td[name='field_key']:contains('Company')",
        },
        {
            content: "Five rows are announced",
            trigger: ".modal .o_field_widget[name='total_rows']:contains(/^\\s*5\\s*$/)",
        },
        {
            content: "Run the import",
            trigger: ".modal footer button[name='action_import']",
            run: "click",
        },
        {
            content: "The import result is shown: done",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains('Done')",
        },
        {
            content: "3 rows imported",
            trigger: ".o_form_view .o_inner_group .o_field_widget[name='count_imported']:contains(/^\\s*3\\s*$/)",
        },
        {
            content: "1 duplicate",
            trigger: ".o_form_view .o_inner_group .o_field_widget[name='count_duplicate']:contains(/^\\s*1\\s*$/)",
        },
        {
            content: "1 invalid row",
            trigger: ".o_form_view .o_inner_group .o_field_widget[name='count_invalid']:contains(/^\\s*1\\s*$/)",
        },
        {
            content: "5 rows read",
            trigger: ".o_form_view .o_inner_group .o_field_widget[name='count_read']:contains(/^\\s*5\\s*$/)",
        },
        {
            content: "The error file can be downloaded",
            trigger: ".o_form_view .o_form_statusbar button[name='action_download_errors']:contains('Download Error File')",
        },
    ],
});
