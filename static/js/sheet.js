// The marking sheet: saves as the examiner goes (a second after the last change). The sheet
// carries the version it was loaded at; a save from a stale tab is refused by the server and
// shown, never merged. Without JavaScript the Save and Submit buttons post the form.
(function () {
  "use strict";
  var form = document.getElementById("sheet");
  if (!form || form.querySelector("fieldset[disabled]")) { return; }
  var token = document.querySelector("meta[name=csrf-token]").getAttribute("content");
  var state = document.getElementById("save-state");
  var version = form.querySelector("input[name=version]");
  var timer = null;
  var saving = false;
  var again = false;
  var stale = false;
  var submitAfterSave = null;

  function show(text, bad) {
    state.textContent = text;
    state.classList.toggle("offline", !!bad);
  }

  function save() {
    if (stale) { return; }
    if (saving) { again = true; return; }
    saving = true;
    show(form.dataset.textSaving);
    var body = new FormData(form);
    body.set("step", "save");
    fetch(window.location.href, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token }
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (result) {
      if (result.ok) {
        version.value = result.data.version;
        var total = document.querySelector("[data-testid=my-total]");
        total.textContent = result.data.total === null ? "—" : result.data.total;
        show(form.dataset.textSaved);
      } else {
        stale = result.data.error && result.data.error.code === "conflict";
        show(result.data.error ? result.data.error.message : form.dataset.textOffline, true);
      }
    }).catch(function () {
      show(form.dataset.textOffline, true);
      window.setTimeout(save, 3000);
    }).finally(function () {
      saving = false;
      if (again) { again = false; save(); return; }
      if (submitAfterSave && !stale) {
        var button = submitAfterSave;
        submitAfterSave = null;
        form.requestSubmit(button);
      }
    });
  }

  // Submitting while a save is under way would send an outdated version: wait for the save.
  form.addEventListener("submit", function (event) {
    // Submitting asks on the server's confirmation page, which says whose sheet it hands in.
    var button = event.submitter;
    window.clearTimeout(timer);
    if (saving) {
      event.preventDefault();
      submitAfterSave = button;
    }
  });
  form.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 1000);
  });
  form.addEventListener("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(save, 300);
  });
})();
