// Helpers shared by the suite's tours (one module, imported by the tour files).

/**
 * Put a file in a (hidden) file input the way a user's file picker would, as
 * website_slides' tours do: a DataTransfer gives a real FileList.
 */
export function fillInFileInput(input, name, type, content) {
    const file = new File([content], name, { type });
    const dataTransfer = new DataTransfer();
    dataTransfer.items.add(file);
    input.files = dataTransfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
}

/**
 * The import wizard's first step as a user does it: put the file ``name`` (``content``, a
 * CSV text) in the wizard's file field, wait until it is loaded, then read its columns.
 */
export function uploadCsvSteps(name, content) {
    return [
        {
            content: `Upload ${name}`,
            trigger: ".modal .o_field_widget[name='file']",
            run() {
                const input = this.anchor.querySelector("input[type='file']");
                fillInFileInput(input, name, "text/csv", content);
            },
        },
        {
            content: "The file is loaded",
            trigger: `.modal .o_field_widget[name='file'] input.o_input:value('${name}')`,
        },
        {
            content: "Read the columns",
            trigger: ".modal footer button[name='action_read_columns']",
            run: "click",
        },
    ];
}

/** Fail when the element is on screen. */
export function assertHidden(selector, what) {
    const element = document.querySelector(selector);
    if (element && element.offsetParent !== null) {
        throw new Error(`${what} should not be visible (${selector})`);
    }
}

/**
 * Fail when the user's menus (what the web client loads, on desktop and on a phone)
 * hold one of ``xmlids``.
 */
export async function assertMenusHidden(xmlids, who) {
    const response = await fetch(`/web/webclient/load_menus/${Date.now()}`);
    const menus = Object.values(await response.json());
    const shown = menus.filter((menu) => xmlids.includes(menu.xmlid)).map((menu) => menu.xmlid);
    if (shown.length) {
        throw new Error(`${who} should not see the menus ${shown.join(", ")}`);
    }
}
