// The exam paper: saves every answer as soon as it changes, keeps unsent answers on the phone
// (localStorage) until the server acknowledges them, and counts down the server's deadline.
// Without JavaScript the paper is a plain form that saves and hands in everything at once.
(function () {
  "use strict";
  var form = document.getElementById("paper");
  if (!form) { return; }
  var token = document.querySelector("meta[name=csrf-token]").getAttribute("content");
  var answerUrl = form.dataset.answerUrl;
  // Saves go to the attempt's own path with its signed token; if the token stops holding (a
  // sign-out or password change elsewhere), the signed-in session's path takes over.
  var autosaveUrl = form.dataset.autosaveUrl;
  var autosaveToken = form.dataset.autosaveToken;
  var landingUrl = form.dataset.landingUrl;
  var storageKey = "exam-" + form.dataset.attempt + "-pending";
  var state = document.getElementById("save-state");
  var timer = document.getElementById("timer");
  var t0 = performance.now();
  var serverMs = parseInt(form.dataset.serverMs, 10);
  var deadline = t0 + parseInt(form.dataset.remaining, 10) * 1000;
  var inflight = false;
  var retryDelay = 1000;
  var finished = false;

  // Ordering number of a save: the server's clock at page load plus time since, so saves from
  // this page always beat older ones, and a late retry of an old save cannot win.
  function nextSeq() { return serverMs + Math.round(performance.now() - t0); }

  function loadPending() {
    try { return JSON.parse(window.localStorage.getItem(storageKey)) || {}; } catch (e) { return {}; }
  }
  var pending = loadPending();
  function persist() {
    try { window.localStorage.setItem(storageKey, JSON.stringify(pending)); } catch (e) { /* full */ }
  }
  function show(text, offline) {
    state.textContent = text;
    state.classList.toggle("offline", !!offline);
  }

  function valueOf(fieldset) {
    var type = fieldset.dataset.type;
    var inputs = fieldset.querySelectorAll("input, textarea");
    if (type === "multiple") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; })
        .map(function (i) { return i.value; });
    }
    if (type === "short") { return inputs[0].value; }
    var checked = fieldset.querySelector("input:checked");
    if (!checked) { return null; }
    if (type === "truefalse") { return checked.value === "true"; }
    return [checked.value];
  }

  function applyValue(fieldset, value) {
    var type = fieldset.dataset.type;
    if (type === "short") { fieldset.querySelector("textarea").value = value; return; }
    fieldset.querySelectorAll("input").forEach(function (input) {
      if (type === "truefalse") { input.checked = (input.value === "true") === value; }
      else { input.checked = value.indexOf(input.value) !== -1; }
    });
  }

  function markAnswered(position, value) {
    var link = form.querySelector("[data-palette='" + position + "']");
    var answered = value !== null && value !== "" && !(Array.isArray(value) && value.length === 0);
    if (link) { link.classList.toggle("answered", answered); }
    document.getElementById("answered-count").textContent =
      form.querySelectorAll("[data-palette].answered").length;
  }

  function record(fieldset) {
    var position = parseInt(fieldset.dataset.position, 10);
    var value = valueOf(fieldset);
    if (value === null) { return; }
    pending[position] = { value: value, seq: nextSeq() };
    persist();
    markAnswered(position, value);
    flush();
  }

  function flush() {
    if (inflight || finished) { return; }
    var positions = Object.keys(pending);
    if (!positions.length) { show(form.dataset.textSaved); return; }
    var position = parseInt(positions[0], 10);
    var entry = pending[position];
    inflight = true;
    show(form.dataset.textSaving);
    var viaToken = !!autosaveToken;
    fetch(viaToken ? autosaveUrl : answerUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: viaToken
        ? { "Content-Type": "application/json", "X-Exam-Token": autosaveToken }
        : { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ position: position, value: entry.value, seq: entry.seq })
    }).then(function (response) {
      inflight = false;
      if (viaToken && response.status === 401) { autosaveToken = ""; return flush(); }
      if (!viaToken && response.redirected) {
        // Signed out: the answers wait on this phone until the candidate signs in again.
        finished = true;
        window.location.href = response.url;
        return;
      }
      if (response.status === 409) { return timeUp(); }
      if (response.status === 400) {
        delete pending[position]; persist(); return flush();
      }
      if (!response.ok) { throw new Error("status " + response.status); }
      return response.json().then(function (data) {
        if (pending[position] && pending[position].seq === entry.seq) {
          delete pending[position];
          persist();
        }
        deadline = performance.now() + data.remaining_seconds * 1000;
        retryDelay = 1000;
        flush();
      });
    }).catch(function () {
      inflight = false;
      show(form.dataset.textOffline, true);
      window.setTimeout(flush, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  function timeUp() {
    if (finished) { return; }
    finished = true;
    window.alert(form.dataset.textTimeup);
    window.location.href = landingUrl;
  }

  function tick() {
    var left = Math.max(0, Math.round((deadline - performance.now()) / 1000));
    timer.textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
    timer.classList.toggle("urgent", left < 300);
    if (left === 0 && !finished) {
      // The server hands the paper in at its deadline; go and see.
      finished = true;
      window.setTimeout(function () { window.location.href = landingUrl; }, 1500);
    }
  }

  // One question at a time on phones; the palette jumps between them.
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  function showQuestion(position) {
    questions.forEach(function (q) {
      q.classList.toggle("current", parseInt(q.dataset.position, 10) === position);
    });
    form.querySelectorAll("[data-palette]").forEach(function (link) {
      link.classList.toggle("current", parseInt(link.dataset.palette, 10) === position);
    });
    var target = form.querySelector("#q-" + position + " input, #q-" + position + " textarea");
    if (target) { target.focus({ preventScroll: true }); }
    window.scrollTo(0, 0);
  }
  // Where the candidate stands is kept on the server, so that a reload or the paper opened on
  // another device goes back to the same question. One request at a time; the latest wins.
  var positionUrl = form.dataset.positionUrl;
  var sentPosition = parseInt(form.dataset.current, 10) || 0;
  var wantedPosition = sentPosition;
  var positionInflight = false;
  function sendPosition() {
    if (positionInflight || finished || wantedPosition === sentPosition) { return; }
    var position = wantedPosition;
    positionInflight = true;
    fetch(positionUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ position: position })
    }).then(function (response) {
      positionInflight = false;
      if (response.ok || response.status === 400) { sentPosition = position; }
      if (response.ok) { sendPosition(); }
    }).catch(function () {
      positionInflight = false;
      window.setTimeout(sendPosition, 5000);
    });
  }
  function goTo(position) {
    showQuestion(position);
    wantedPosition = position;
    sendPosition();
  }
  window.addEventListener("online", sendPosition);
  document.body.classList.add("js-paged");
  if (window.matchMedia("(min-width: 900px)").matches) {
    document.getElementById("palette-box").open = true;
  }
  form.addEventListener("click", function (event) {
    var link = event.target.closest("[data-palette], [data-go]");
    if (!link) { return; }
    event.preventDefault();
    goTo(parseInt(link.dataset.palette || link.dataset.go, 10));
    if (link.dataset.palette && !window.matchMedia("(min-width: 900px)").matches) {
      document.getElementById("palette-box").open = false;
    }
  });
  var opening = parseInt(form.dataset.current, 10);
  if (!form.querySelector("#q-" + opening)) {
    opening = questions.length ? parseInt(questions[0].dataset.position, 10) : 1;
  }
  showQuestion(opening);

  form.addEventListener("change", function (event) {
    var fieldset = event.target.closest("fieldset.question");
    if (fieldset) { record(fieldset); }
  });
  var typing = null;
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") { return; }
    window.clearTimeout(typing);
    var fieldset = event.target.closest("fieldset.question");
    typing = window.setTimeout(function () { record(fieldset); }, 800);
  });
  form.addEventListener("submit", function (event) {
    if (!event.submitter || event.submitter.name !== "finish") { return; }
    var unanswered = questions.filter(function (q) {
      var link = form.querySelector("[data-palette='" + q.dataset.position + "']");
      return link && !link.classList.contains("answered");
    }).length;
    var question = unanswered ? form.dataset.textConfirm.replace("{n}", unanswered)
                              : form.dataset.textConfirmAll;
    if (!window.confirm(question)) {
      event.preventDefault();
      return;
    }
    finished = true;
    try { window.localStorage.removeItem(storageKey); } catch (e) { /* ignore */ }
  });
  window.addEventListener("online", flush);
  window.addEventListener("beforeunload", function (event) {
    if (Object.keys(pending).length && !finished) { event.preventDefault(); event.returnValue = ""; }
  });

  // Answers this phone kept but never got acknowledged are shown, then sent.
  Object.keys(pending).forEach(function (position) {
    var fieldset = form.querySelector("#q-" + position);
    if (fieldset) { applyValue(fieldset, pending[position].value); markAnswered(position, pending[position].value); }
  });
  window.setInterval(tick, 1000);
  tick();
  flush();  // answers left unsent by an earlier page (crash, lost connection) go first
})();
