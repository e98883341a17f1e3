// The status page (page.html), bundled into the binary as text. It is kept
// as a real .html file so it can be read and edited as one.

import page from "./page.html" with { type: "text" };

/** The HTML document served at /. */
export const STATUS_PAGE: string = page as unknown as string;
