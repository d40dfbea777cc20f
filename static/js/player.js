// The lesson video: picks the rendition (the lighter one on a data-saving or slow connection,
// or when the trainee chose 省流量), resumes where they stopped, and reports the parts of the
// video actually played. The server decides what counts (lms/learning/watching.py): this only
// tells it what played, at which rate, and where playback stands.
(function () {
  "use strict";
  var box = document.getElementById("lesson-video");
  if (!box) { return; }
  var video = box.querySelector("video");
  var url = box.getAttribute("data-watch-url");
  var every = parseInt(box.getAttribute("data-report-seconds") || "15", 10) * 1000;
  var meta = document.querySelector("meta[name=csrf-token]");
  var token = meta ? meta.getAttribute("content") : "";
  var saver = document.getElementById("data-saver");
  var percent = document.getElementById("watched-percent");
  var button = document.getElementById("complete-button");
  var KEY = "lms-data-saver";

  var pending = [];        // [start, end] pairs played since the last report
  var segmentStart = null; // where the current continuous run of playback started
  var lastTime = 0;
  var maxRate = 1;

  function storedChoice() {
    try { return window.localStorage.getItem(KEY); } catch (e) { return null; }
  }
  function prefersLow() {
    var stored = storedChoice();
    if (stored !== null) { return stored === "1"; }
    var connection = navigator.connection;
    return !!(connection && (connection.saveData || /2g|3g/.test(connection.effectiveType || "")));
  }
  function useSource(low) {
    var wanted = low && box.getAttribute("data-low") ? box.getAttribute("data-low") : box.getAttribute("data-full");
    if (video.getAttribute("src") === wanted) { return; }
    var at = video.currentTime || parseFloat(box.getAttribute("data-resume")) || 0;
    var playing = !video.paused;
    closeSegment(video.currentTime);
    video.setAttribute("src", wanted);
    video.load();
    video.addEventListener("loadedmetadata", function once() {
      video.removeEventListener("loadedmetadata", once);
      if (at > 0) { video.currentTime = at; }
      lastTime = at;
      if (playing) { video.play(); }
    });
  }

  function closeSegment(end) {
    if (segmentStart !== null && end > segmentStart + 0.05) {
      pending.push([Math.round(segmentStart * 100) / 100, Math.round(end * 100) / 100]);
    }
    segmentStart = video.paused || video.seeking ? null : end;
  }

  function send(beacon) {
    if (!url) { return; }
    closeSegment(video.paused ? lastTime : video.currentTime);
    var played = pending;
    pending = [];
    var rate = Math.max(maxRate, video.playbackRate || 1);
    maxRate = video.playbackRate || 1;
    var body = new URLSearchParams();
    body.set("csrf_token", token);
    body.set("report", JSON.stringify({ played: played, position: video.currentTime || 0, rate: rate }));
    if (beacon && navigator.sendBeacon) {
      navigator.sendBeacon(url, body);
      return;
    }
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) { return; }
      if (percent) { percent.textContent = data.watched_percent; }
      if (button && data.can_complete) { button.disabled = false; }
      box.setAttribute("data-credited", String((parseInt(box.getAttribute("data-credited") || "0", 10)) + data.credited));
    }).catch(function () {
      pending = played.concat(pending); // offline: the next report carries them again
    });
  }

  video.addEventListener("playing", function () {
    segmentStart = video.currentTime;
    lastTime = video.currentTime;
    window.lmsVideoPlaying = true;
  });
  video.addEventListener("timeupdate", function () {
    var now = video.currentTime;
    if (segmentStart !== null && !video.paused && !video.seeking) {
      // A jump (a seek the events did not announce) ends the run where it was.
      if (now < lastTime || now - lastTime > 2 * Math.max(1, video.playbackRate)) {
        closeSegment(lastTime);
        segmentStart = now;
      }
    }
    lastTime = now;
  });
  video.addEventListener("seeking", function () {
    if (segmentStart !== null) {
      if (lastTime > segmentStart) { pending.push([segmentStart, lastTime]); }
      segmentStart = null;
    }
  });
  video.addEventListener("seeked", function () {
    lastTime = video.currentTime;
    if (!video.paused) { segmentStart = video.currentTime; }
  });
  video.addEventListener("ratechange", function () {
    maxRate = Math.max(maxRate, video.playbackRate || 1);
  });
  ["pause", "ended"].forEach(function (name) {
    video.addEventListener(name, function () {
      closeSegment(lastTime);
      segmentStart = null;
      window.lmsVideoPlaying = false;
      send(false);
    });
  });
  window.setInterval(function () { if (!video.paused) { send(false); } }, every);
  window.addEventListener("pagehide", function () { send(true); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { send(true); }
  });

  function resume() {
    var at = parseFloat(box.getAttribute("data-resume")) || 0;
    if (at > 1 && at < video.duration - 2 && video.currentTime < 0.5) {
      video.currentTime = at;
      lastTime = at;
    }
  }
  // The metadata may have arrived before this deferred script ran.
  if (video.readyState >= 1) { resume(); } else { video.addEventListener("loadedmetadata", resume); }

  if (saver) {
    saver.checked = prefersLow();
    saver.addEventListener("change", function () {
      try { window.localStorage.setItem(KEY, saver.checked ? "1" : "0"); } catch (e) { /* private mode */ }
      useSource(saver.checked);
    });
  }
  if (prefersLow() && box.getAttribute("data-low")) { useSource(true); }
})();
