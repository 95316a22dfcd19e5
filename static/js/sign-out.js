// Signing out forgets what this device keeps for the person: the unsent case drafts
// (logbook-draft.js, "rastrack:case-draft:<id>"), so the next person at a shared computer or
// phone finds none of it.
(function () {
  "use strict";

  var PREFIXES = ["rastrack:case-draft:"];

  function forgetDrafts() {
    try {
      var storage = window.localStorage;
      for (var index = storage.length - 1; index >= 0; index -= 1) {
        var name = storage.key(index);
        if (name && PREFIXES.some(function (prefix) { return name.indexOf(prefix) === 0; })) {
          storage.removeItem(name);
        }
      }
    } catch (error) {
      // No storage (private browsing, disabled): nothing was kept.
    }
  }

  document.querySelectorAll("form[data-sign-out]").forEach(function (form) {
    form.addEventListener("submit", forgetDrafts);
  });
})();
