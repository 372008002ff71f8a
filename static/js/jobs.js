// Progress of a background document: polls the JSON status endpoint and reloads
// the page once the job has finished. Without JavaScript the page refreshes itself.
(function () {
  const box = document.querySelector("[data-job-status-url]");
  if (!box) return;
  const start = box.getAttribute("data-job-status");
  if (start === "done" || start === "failed") return;
  const url = box.getAttribute("data-job-status-url");
  const bar = box.querySelector("[data-job-progress]");
  const label = box.querySelector("[data-job-label]");
  const message = box.querySelector("[data-job-message]");
  let delay = 1000;
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((state) => {
        if (bar) { bar.value = state.progress; bar.textContent = state.progress + "%"; }
        if (label) label.textContent = state.status_label;
        if (message) {
          message.hidden = !state.waiting_for_broker;
          if (state.message) message.textContent = state.message;
        }
        if (state.status === "done" || state.status === "failed") {
          window.location.reload();
          return;
        }
        delay = state.waiting_for_broker ? 5000 : Math.min(delay * 1.3, 4000);
        window.setTimeout(poll, delay);
      })
      .catch(() => window.setTimeout(poll, 5000));
  }
  window.setTimeout(poll, 600);
})();
