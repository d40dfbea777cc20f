// Live preview of a lesson being edited: the server renders the Markdown with the sanitising
// renderer trainees' pages use, so the preview shows exactly what they will see.
(function () {
  "use strict";
  var body = document.querySelector("textarea[data-preview-url]");
  var preview = document.getElementById("preview");
  if (!body || !preview) { return; }
  var url = body.getAttribute("data-preview-url");
  var token = document.querySelector("meta[name=csrf-token]").getAttribute("content");
  var timer = null;
  var sent = 0;

  function render() {
    var mine = ++sent;
    var data = new FormData();
    data.append("csrf_token", token);
    data.append("body", body.value);
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token },
      body: data
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (result) {
      // The HTML comes from the server's allow-list sanitiser; a late answer is dropped.
      if (result && mine === sent) { preview.innerHTML = result.html; }
    }).catch(function () { /* offline: the next change tries again */ });
  }

  body.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(render, 400);
  });
})();
