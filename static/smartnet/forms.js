// Forms that guide (no inline script: the Content Security Policy forbids it).
// - The error summary of a failed form takes the focus, so it is read first.
// - A link in the summary moves the focus to its field and shows the field's
//   label above it (GOV.UK pattern), rather than scrolling the label away.
// - [data-select-all] checkboxes tick or untick every checkbox named in their
//   data-select-all attribute, inside the same form (hidden without JS).
// - The person picker (templates/includes/person_picker.html): a person ticked
//   among the matches moves to "Chosen", so the next search keeps them; Enter
//   in its search field searches in place (htmx) instead of posting the form.
(function () {
  "use strict";

  function focusSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary && document.activeElement !== summary) {
      summary.focus();
    }
  }

  function onSummaryClick(event) {
    var link = event.target.closest("[data-error-summary] a[data-field]");
    if (!link) {
      return;
    }
    var field = document.getElementById(link.getAttribute("data-field"));
    if (!field) {
      return;
    }
    event.preventDefault();
    var label = document.querySelector('label[for="' + field.id + '"]');
    var legend = field.closest("fieldset") && field.closest("fieldset").querySelector("legend");
    (label || legend || field).scrollIntoView();
    field.focus({ preventScroll: true });
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + field.id);
    }
  }

  function boxesFor(control) {
    var form = control.form || document;
    var name = control.getAttribute("data-select-all");
    return Array.prototype.filter.call(
      form.querySelectorAll('input[type="checkbox"]'),
      function (box) { return box.name === name && !box.disabled; }
    );
  }

  function syncSelectAll(control) {
    var boxes = boxesFor(control);
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    control.checked = boxes.length > 0 && ticked === boxes.length;
    control.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  function setUpSelectAll() {
    var controls = document.querySelectorAll("[data-select-all]");
    Array.prototype.forEach.call(controls, function (control) {
      var wrapper = control.closest("[data-select-all-wrapper]");
      if (wrapper) {
        wrapper.hidden = false;
      }
      control.addEventListener("change", function () {
        boxesFor(control).forEach(function (box) { box.checked = control.checked; });
      });
      boxesFor(control).forEach(function (box) {
        box.addEventListener("change", function () { syncSelectAll(control); });
      });
      syncSelectAll(control);
    });
  }

  function onPickerChange(event) {
    var box = event.target;
    if (!box.matches || !box.matches('[data-person-picker] .picker-results input[type="checkbox"]')) {
      return;
    }
    var picker = box.closest("[data-person-picker]");
    var list = picker.querySelector("[data-picker-chosen-list]");
    if (box.checked && list) {
      list.appendChild(box.closest("li"));
      var nobody = picker.querySelector("[data-picker-nobody]");
      if (nobody) {
        nobody.hidden = true;
      }
      box.focus();
    }
  }

  function onPickerKey(event) {
    var field = event.target;
    if (event.key === "Enter" && field.matches && field.matches("[data-picker-search][hx-get]") && window.htmx) {
      event.preventDefault();
      window.htmx.trigger(field, "search");
    }
  }

  document.addEventListener("click", onSummaryClick);
  document.addEventListener("change", onPickerChange);
  document.addEventListener("keydown", onPickerKey);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { focusSummary(); setUpSelectAll(); });
  } else {
    focusSummary();
    setUpSelectAll();
  }
})();
