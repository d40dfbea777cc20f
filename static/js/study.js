// Study-time heartbeats for the lesson reader. The server decides what time counts; this only
// reports that the page is open, visible and in use.
(function () {
  "use strict";
  var article = document.querySelector("article[data-heartbeat-url]");
  if (!article) { return; }
  var url = article.getAttribute("data-heartbeat-url");
  var every = parseInt(article.getAttribute("data-heartbeat-seconds"), 10) * 1000;
  var token = document.querySelector("meta[name=csrf-token]").getAttribute("content");
  var minutes = document.getElementById("lesson-minutes");
  var button = document.getElementById("complete-button");
  var IDLE_LIMIT = 10 * 60 * 1000;
  var lastActivity = Date.now();

  ["scroll", "touchstart", "keydown", "mousemove", "click"].forEach(function (name) {
    window.addEventListener(name, function () { lastActivity = Date.now(); }, { passive: true });
  });

  function beat() {
    if (document.visibilityState !== "visible") { return; }
    // While the lesson's video plays, its reports (player.js) keep the study clock instead.
    if (window.lmsVideoPlaying) { return; }
    if (Date.now() - lastActivity > IDLE_LIMIT) { return; }
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) { return; }
      if (minutes) { minutes.textContent = Math.floor(data.lesson_seconds / 60); }
      if (button && data.can_complete) { button.disabled = false; }
    }).catch(function () { /* offline: the next beat tries again */ });
  }

  beat();
  window.setInterval(beat, every);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { lastActivity = Date.now(); beat(); }
  });
})();
