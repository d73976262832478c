// Polls the job API every second until the job is finished, then reloads the page once.
(function () {
  const box = document.getElementById("job");
  if (!box || box.dataset.finished === "1") return;
  const state = box.querySelector(".state"), bar = box.querySelector("progress"),
        count = box.querySelector(".count"), message = box.querySelector(".job-message");
  async function poll() {
    const response = await fetch(box.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const job = await response.json();
    state.textContent = job.state_label; bar.max = job.total || 1; bar.value = job.progress;
    count.textContent = job.percent + "\u00a0%"; message.textContent = job.message_label;
    if (job.state === "succeeded" || job.state === "failed") { window.location.reload(); return; }
    setTimeout(poll, 1000);
  }
  setTimeout(poll, 1000);
})();
