// A live count under each long text field (`data-character-count="<max>"`, set by the forms
// from the limit the server checks): "You have 4,980 characters remaining", read out politely
// by screen readers. A file of its own, no inline script (see the CSP).
(function () {
  "use strict";

  function plural(n, word) {
    return n.toLocaleString("en-GB") + " " + word + (Math.abs(n) === 1 ? "" : "s");
  }

  document.querySelectorAll("textarea[data-character-count]").forEach(function (field) {
    var max = parseInt(field.getAttribute("data-character-count"), 10);
    if (!max) {
      return;
    }
    var message = document.createElement("div");
    message.className = "nhsuk-hint nhsuk-character-count__message";
    message.id = field.id + "-count";
    message.setAttribute("aria-live", "polite");
    message.setAttribute("data-character-count-message", "");
    field.insertAdjacentElement("afterend", message);
    var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    described.push(message.id);
    field.setAttribute("aria-describedby", described.join(" "));

    function update() {
      var left = max - field.value.length;
      message.textContent = left >= 0 ? "You have " + plural(left, "character") + " remaining"
        : "You have " + plural(-left, "character") + " too many";
    }
    field.addEventListener("input", update);
    update();
  });
})();
