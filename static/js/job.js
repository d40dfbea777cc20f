// Follows a background job: polls its status and updates the progress bar until it ends,
// then reloads the page once to show the final state.
(function () {
  "use strict";
  const card = document.getElementById("job");
  if (!card || card.dataset.active !== "1") return;
  const bar = card.querySelector("[data-testid=job-progress]");
  const set = (id, text) => { card.querySelector(`[data-testid=${id}]`).textContent = text; };
  async function poll() {
    try {
      const response = await fetch(card.dataset.statusUrl, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const job = await response.json();
        bar.max = job.total || 1;
        bar.value = job.done;
        set("job-done", job.done);
        set("job-total", job.total);
        set("job-percent", job.percent);
        set("job-stage", job.stage_label);
        if (job.status === "finished" || job.status === "failed") {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      // A dropped connection: keep polling, the job runs on the server regardless.
    }
    window.setTimeout(poll, 1000);
  }
  poll();  // at once: the page may be seconds old by the time the script runs
})();
