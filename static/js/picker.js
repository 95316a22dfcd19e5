// A long list of checkboxes (the evidence a trainee attaches to a sign-off request, and any
// other `fieldset[data-picker]`) gets a filter box and a live count: "12 of 58 shown, 3
// selected". Without JavaScript every option is simply shown. A file of its own, no inline
// script (see the CSP).
(function () {
  "use strict";

  function number(n) {
    return n.toLocaleString("en-GB");
  }

  document.querySelectorAll("fieldset[data-picker]").forEach(function (fieldset, index) {
    var items = Array.prototype.slice.call(fieldset.querySelectorAll(".nhsuk-checkboxes__item"));
    var list = fieldset.querySelector(".nhsuk-checkboxes");
    if (!items.length || !list) {
      return;
    }
    var id = (fieldset.getAttribute("data-picker") || "picker-" + index) + "-filter";
    var group = document.createElement("div");
    group.className = "nhsuk-form-group rastrack-picker";
    var label = document.createElement("label");
    label.className = "nhsuk-label";
    label.htmlFor = id;
    label.textContent = "Filter this list";
    var input = document.createElement("input");
    input.className = "nhsuk-input nhsuk-u-width-two-thirds";
    input.type = "search";
    input.id = id;
    input.autocomplete = "off";
    input.setAttribute("data-picker-filter", "");
    var count = document.createElement("div");
    count.className = "nhsuk-hint rastrack-picker__count";
    count.id = id + "-count";
    count.setAttribute("aria-live", "polite");
    count.setAttribute("data-picker-count", "");
    input.setAttribute("aria-describedby", count.id);
    group.appendChild(label);
    group.appendChild(input);
    group.appendChild(count);
    list.parentNode.insertBefore(group, list);

    var texts = items.map(function (item) {
      return item.textContent.replace(/\s+/g, " ").trim().toLowerCase();
    });

    function update() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      var selected = 0;
      items.forEach(function (item, i) {
        var box = item.querySelector("input");
        var checked = box && box.checked;
        // A chosen option stays in sight, so the filter never hides what will be sent.
        var match = checked || words.every(function (word) { return texts[i].indexOf(word) !== -1; });
        item.hidden = !match;
        shown += match ? 1 : 0;
        selected += checked ? 1 : 0;
      });
      count.textContent = number(shown) + " of " + number(items.length) + " shown, " + number(selected) + " selected";
    }
    input.addEventListener("input", update);
    list.addEventListener("change", update);
    // Enter in the filter box filters; it must not send the form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
    update();
  });
})();
