// Initialise the NHS.UK design system's components (header menu, error summary, ...).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();

// A table wider than the screen scrolls sideways in its .rastrack-table-scroll box. Keyboard
// users can only scroll a box they can focus (WCAG 2.1.1; axe: scrollable-region-focusable),
// so while a box overflows it is a focusable region named after its table's caption.
function scrollableTables() {
  document.querySelectorAll(".rastrack-table-scroll").forEach((box) => {
    const overflows = box.scrollWidth > box.clientWidth;
    if (overflows && !box.hasAttribute("tabindex")) {
      const caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table");
      box.setAttribute("data-scroll-region", "");
    } else if (!overflows && box.hasAttribute("data-scroll-region")) {
      ["tabindex", "role", "aria-label", "data-scroll-region"].forEach((name) => box.removeAttribute(name));
    }
  });
}

scrollableTables();
window.addEventListener("resize", scrollableTables);
