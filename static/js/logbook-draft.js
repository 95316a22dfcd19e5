// Keeps the unsent "log a case" form on this device (localStorage), for theatres where the
// signal drops:
// - saves the form's fields on every input, under the form's data-draft-key (one per person);
// - on load, restores a saved draft (unless the server is re-showing a posted form) with a
//   notice and a "Discard" button;
// - a submit while offline is held back: the draft stays and the user is told;
// - the page after a successful save carries data-logbook-clear-draft="<key>": the draft is
//   forgotten there, and only there;
// - a form the server refused (data-refused-fields, the fields it refused) replaces the stored
//   draft with its fields but the refused ones, and a refused field's text is stored again only once the person has changed it:
//   text the server would not keep (patient details in the notes, say) is not kept here either.
// Signing out forgets every draft on the device (sign-out.js).
(function () {
  "use strict";

  var MAX_AGE_MS = 14 * 24 * 60 * 60 * 1000;
  var SKIP_NAMES = { csrfmiddlewaretoken: true, action: true };
  var SKIP_TYPES = { submit: true, button: true, file: true, reset: true };

  function openStorage() {
    try {
      var storage = window.localStorage;
      storage.setItem("rastrack:probe", "1");
      storage.removeItem("rastrack:probe");
      return storage;
    } catch (error) {
      return null; // private browsing, storage full or disabled: the form still works
    }
  }

  var store = openStorage();
  if (!store) {
    return;
  }

  document.querySelectorAll("[data-logbook-clear-draft]").forEach(function (element) {
    store.removeItem(element.getAttribute("data-logbook-clear-draft"));
  });

  var form = document.querySelector("form[data-draft-key]");
  if (!form) {
    return;
  }
  var key = form.getAttribute("data-draft-key");
  var refused = {};
  (form.getAttribute("data-refused-fields") || "").split(" ").forEach(function (name) {
    if (name) {
      refused[name] = true;
    }
  });
  var notice = document.querySelector("[data-draft-notice]");
  var offlineNotice = document.querySelector("[data-offline-notice]");

  function fieldsOf() {
    var fields = [];
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || SKIP_NAMES[element.name] || SKIP_TYPES[element.type] || element.disabled ||
          refused[element.name]) {
        return;
      }
      if ((element.type === "checkbox" || element.type === "radio") && !element.checked) {
        return;
      }
      fields.push([element.name, element.value]);
    });
    return fields;
  }

  function save() {
    try {
      store.setItem(key, JSON.stringify({ savedAt: Date.now(), fields: fieldsOf() }));
    } catch (error) {
      // Storage full: nothing more to do; the form is still sent normally.
    }
  }

  function load() {
    try {
      var draft = JSON.parse(store.getItem(key));
      if (!draft || !Array.isArray(draft.fields)) {
        return null;
      }
      if (Date.now() - draft.savedAt > MAX_AGE_MS) {
        store.removeItem(key);
        return null;
      }
      return draft;
    } catch (error) {
      return null;
    }
  }

  function valuesOf(fields) {
    var values = {};
    fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    return values;
  }

  function apply(values) {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || SKIP_NAMES[element.name] || SKIP_TYPES[element.type]) {
        return;
      }
      var saved = values[element.name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = saved.indexOf(element.value) !== -1;
      } else if (saved.length) {
        element.value = saved[0];
      }
    });
  }

  function restore(draft) {
    var values = valuesOf(draft.fields);
    var procedure = form.elements.namedItem("procedure");
    var wanted = values.procedure ? values.procedure[0] : "";
    var ready = Promise.resolve();
    if (procedure && wanted && procedure.value !== wanted && window.RASTrackCaseForm) {
      procedure.value = wanted;
      ready = window.RASTrackCaseForm.loadSteps(wanted); // its steps first, then their ticks
    }
    return ready.then(function () {
      apply(values);
      // Unfold "More details" when the draft has something in it.
      form.querySelectorAll("details").forEach(function (details) {
        var fields = details.querySelectorAll("input, select, textarea");
        if (Array.prototype.some.call(fields, function (f) { return f.value && f.value !== "none"; })) {
          details.open = true;
        }
      });
      if (window.RASTrackCaseForm) {
        window.RASTrackCaseForm.refresh();
      }
      if (notice) {
        notice.hidden = false;
      }
    });
  }

  var draft = form.hasAttribute("data-bound") ? null : load();
  if (draft) {
    restore(draft);
  }
  if (form.hasAttribute("data-refused-fields")) {
    save(); // in place of what was stored when it was sent: all but the refused fields
  }

  function edited(event) {
    if (event.target && event.target.name) {
      delete refused[event.target.name]; // changed since the refusal: the person's new text
    }
    save();
  }

  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  form.addEventListener("rastrack:steps-loaded", save);

  form.addEventListener("submit", function (event) {
    save();
    if (navigator.onLine === false) {
      event.preventDefault();
      if (offlineNotice) {
        offlineNotice.hidden = false;
        offlineNotice.scrollIntoView({ block: "center" });
      }
    }
  });
  window.addEventListener("online", function () {
    if (offlineNotice) {
      offlineNotice.hidden = true;
    }
  });

  var discard = document.querySelector("[data-draft-discard]");
  if (discard) {
    discard.addEventListener("click", function () {
      store.removeItem(key);
      // A fresh load, not a reload: some browsers keep typed values over a reload.
      window.location.assign(window.location.pathname);
    });
  }
})();
