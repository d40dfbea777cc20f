// A lesson's self-check: each answer goes to the server, which says whether it is right, the
// right answer and why. The page holds no answer key before the trainee answers.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-self-check]");

  function paragraph(className, text) {
    var p = document.createElement("p");
    if (className) { p.className = className; }
    p.textContent = text;
    return p;
  }

  function answerText(box, answer) {
    if (answer === true) { return box.getAttribute("data-true"); }
    if (answer === false) { return box.getAttribute("data-false"); }
    return Array.isArray(answer) ? answer.join("、") : String(answer);
  }

  function show(box, data) {
    box.textContent = "";
    if (data.error) {
      box.appendChild(paragraph("flash flash-error", data.error));
      return;
    }
    var verdict = paragraph("flash " + (data.correct ? "flash-success" : "flash-error"), "");
    var strong = document.createElement("strong");
    strong.textContent = box.getAttribute(data.correct ? "data-right" : "data-wrong");
    verdict.appendChild(strong);
    verdict.appendChild(document.createTextNode(
      " " + box.getAttribute("data-answer-label") + "：" + answerText(box, data.answer)));
    box.appendChild(verdict);
    box.appendChild(paragraph("", data.explanation));
  }

  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = form.querySelector("[data-feedback]");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
        body: new FormData(form)
      }).then(function (response) {
        return response.json();
      }).then(function (data) {
        show(box, data);
      }).catch(function () {
        form.submit();
      }).then(function () {
        button.disabled = false;
      });
    });
  });
})();
