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
