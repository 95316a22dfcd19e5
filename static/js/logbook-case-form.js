// The "log a case" form, enhanced (it works without this file too):
// - the steps follow the chosen procedure: fetched as HTML from the form's data-steps-url
//   (the server renders them exactly as on a full page load);
// - each step's role follows the case role (console / bedside / observed) until changed by hand;
// - the unregistered consultant's name is asked only when no registered trainer is chosen.
// The draft script (logbook-draft.js) uses window.RASTrackCaseForm to restore a draft.
(function () {
  "use strict";

  var form = document.querySelector("[data-case-form]");
  if (!form) {
    return;
  }
  var stepsBox = form.querySelector("[data-steps]");
  var procedure = form.elements.namedItem("procedure");
  var supervisor = form.elements.namedItem("supervisor");
  var supervisorName = form.elements.namedItem("supervisor_name");
  var nameGroup = form.querySelector("[data-supervisor-name]");
  var STEP_ROLE_FOR = {
    console_whole: "console",
    console_part: "console",
    bedside_assistant: "bedside",
    observer: "observed"
  };

  function caseRole() {
    var checked = form.querySelector('input[name="role"]:checked');
    return checked ? checked.value : "";
  }

  function applyCaseRole() {
    var wanted = STEP_ROLE_FOR[caseRole()];
    if (!wanted || !stepsBox) {
      return;
    }
    stepsBox.querySelectorAll("select.rastrack-step-role").forEach(function (select) {
      if (!select.hasAttribute("data-touched")) {
        select.value = wanted;
      }
    });
  }

  function showMessage(className, text) {
    var p = document.createElement("p");
    p.className = className;
    p.id = "steps";
    p.textContent = text;
    stepsBox.replaceChildren(p);
  }

  var latestRequest = 0;

  function loadSteps(procedureId) {
    if (!stepsBox) {
      return Promise.resolve();
    }
    if (!procedureId) {
      showMessage("nhsuk-hint", "Choose the procedure to see its steps.");
      return Promise.resolve();
    }
    var url = form.getAttribute("data-steps-url") + "?procedure=" + encodeURIComponent(procedureId);
    // Choosing by keyboard passes through other procedures (typing "radical p" selects
    // "radical c..." first): only the answer for the latest choice may fill the box, whatever
    // order the answers arrive in.
    var request = ++latestRequest;
    return fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        if (request !== latestRequest) {
          return;
        }
        stepsBox.innerHTML = html;
        applyCaseRole();
      })
      .catch(function () {
        if (request !== latestRequest) {
          return;
        }
        showMessage("nhsuk-error-message",
          "The steps of this procedure could not be loaded (no signal?). " +
          "Save the case now and add its steps later.");
      });
  }

  function toggleSupervisorName() {
    if (!supervisor || !nameGroup) {
      return;
    }
    var hasError = nameGroup.querySelector(".nhsuk-error-message") !== null;
    var hasName = supervisorName && supervisorName.value.trim() !== "";
    nameGroup.hidden = supervisor.value !== "" && !hasName && !hasError;
  }

  if (procedure) {
    procedure.addEventListener("change", function () {
      loadSteps(procedure.value).then(function () {
        form.dispatchEvent(new Event("rastrack:steps-loaded"));
      });
    });
  }
  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name === "role") {
      applyCaseRole();
    } else if (target.classList && target.classList.contains("rastrack-step-role")) {
      target.setAttribute("data-touched", "");
    } else if (target === supervisor) {
      toggleSupervisorName();
    }
  });
  toggleSupervisorName();

  window.RASTrackCaseForm = {
    loadSteps: loadSteps,
    refresh: function () {
      if (stepsBox) {
        stepsBox.querySelectorAll("select.rastrack-step-role").forEach(function (select) {
          select.setAttribute("data-touched", "");
        });
      }
      toggleSupervisorName();
    }
  };
})();
