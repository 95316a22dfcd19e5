// Initialise the NHS.UK design system's components (header menu, error summary, ...).
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

initAll();
