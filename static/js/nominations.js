// The approvals page: as nominations are ticked, each district's places left show how many are
// picked and warn when more are picked than places remain (the server still decides, and says
// who did not fit). "All matching" counts the whole filtered list, not just this page.
(function () {
  "use strict";
  var form = document.querySelector("form[data-nominations]");
  if (!form) { return; }
  var rows = document.querySelectorAll(".places-left [data-quota-key]");
  var lang = document.documentElement.lang || "";
  var zh = lang.indexOf("zh") === 0;
  function text(picked, left) {
    if (zh) {
      return picked > left ? "（已选 " + picked + " 人，超出剩余名额 " + (picked - left) + " 人）"
                           : "（已选 " + picked + " 人，批准后剩余 " + (left - picked) + " 个）";
    }
    return picked > left ? "(" + picked + " picked: " + (picked - left) + " more than the places left)"
                         : "(" + picked + " picked: " + (left - picked) + " left after approval)";
  }
  function update() {
    var all = form.querySelector("input[data-all-matching]");
    var everything = all && all.checked;
    var counts = {};
    form.querySelectorAll("input[name='enrolment_ids']").forEach(function (box) {
      if (box.checked) {
        var key = box.getAttribute("data-quota-key");
        counts[key] = (counts[key] || 0) + 1;
      }
    });
    rows.forEach(function (row) {
      var key = row.getAttribute("data-quota-key");
      var left = parseInt(row.getAttribute("data-left"), 10) || 0;
      var picked = everything ? parseInt(row.getAttribute("data-matching"), 10) || 0 : counts[key] || 0;
      var out = row.querySelector(".quota-picked");
      out.textContent = picked ? text(picked, left) : "";
      row.classList.toggle("over-quota", picked > left);
    });
  }
  form.addEventListener("change", update);
  update();
})();
