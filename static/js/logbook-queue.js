// The validation queue: a "Select all" button for the batch (without it, tick each case).
(function () {
  "use strict";

  var button = document.querySelector("[data-select-all]");
  if (!button) {
    return;
  }
  var boxes = Array.prototype.slice.call(document.querySelectorAll("[data-queue-select]"));
  function label() {
    var all = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
    button.textContent = all ? "Select none" : "Select all";
    return all;
  }
  button.hidden = false;
  label();
  button.addEventListener("click", function () {
    var all = label();
    boxes.forEach(function (box) { box.checked = !all; });
    label();
  });
  boxes.forEach(function (box) { box.addEventListener("change", label); });
})();
