// Loaded synchronously as the first element of <body>: marks the page as scripted before it
// renders, which the NHS.UK design system's CSS expects. (No inline scripts: see the CSP.)
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
