// Idle time-out warning. The server ends an idle session on its own
// (practice.middleware.SessionTimeoutMiddleware); this script only warns first,
// lets the user stay signed in, asks open editors to save their drafts, and
// then ends the session and goes to the sign-in page.
//
// Contract with editors: just before the time-out this dispatches
//   document.dispatchEvent(new CustomEvent("ehr:session-expiring"))
// and waits SAVE_GRACE_MS before signing out, so a listener can save a draft.
(() => {
  "use strict";
  const body = document.body;
  const idle = Number(body.dataset.sessionIdle || 0);
  if (!idle) return;
  const warnBefore = Number(body.dataset.sessionWarning || 120);
  const statusUrl = body.dataset.sessionStatusUrl;
  const keepAliveUrl = body.dataset.sessionKeepaliveUrl;
  const timeoutUrl = body.dataset.sessionTimeoutUrl;
  const loginUrl = body.dataset.loginUrl;
  const banner = document.getElementById("session-warning");
  const countdown = banner && banner.querySelector("[data-session-countdown]");
  const stay = banner && banner.querySelector("[data-session-stay]");
  const SAVE_BEFORE_S = 10; // dispatch the save event this long before the end
  const SAVE_GRACE_MS = 3000;
  const ACTIVITY_PING_MS = 60000;

  let deadline = Date.now() + idle * 1000; // when the server will end the session
  let timer = null;
  let tick = null;
  let lastPing = Date.now();

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function schedule() {
    clearTimeout(timer);
    const untilWarning = deadline - warnBefore * 1000 - Date.now();
    timer = setTimeout(checkBeforeWarning, Math.max(0, untilWarning));
  }

  function fromServer(data) {
    deadline = Date.now() + data.remaining * 1000;
  }

  async function askServer(url, method) {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
    if (response.status === 401) return null;
    if (!response.ok) throw new Error("session " + response.status);
    return response.json();
  }

  async function checkBeforeWarning() {
    // Another tab may have kept the session alive: ask before warning.
    try {
      const data = await askServer(statusUrl, "GET");
      if (data === null) return goToLogin();
      fromServer(data);
    } catch (_err) {
      // Offline: keep the local estimate.
    }
    if (deadline - Date.now() > warnBefore * 1000 + 5000) return schedule();
    showWarning();
  }

  function showWarning() {
    if (!banner) return;
    banner.hidden = false;
    if (stay) stay.focus();
    clearInterval(tick);
    tick = setInterval(updateCountdown, 1000);
    updateCountdown();
  }

  function hideWarning() {
    if (banner) banner.hidden = true;
    clearInterval(tick);
  }

  function updateCountdown() {
    const left = Math.round((deadline - Date.now()) / 1000);
    if (countdown) {
      const m = Math.floor(Math.max(left, 0) / 60);
      const s = Math.max(left, 0) % 60;
      countdown.textContent = m ? `${m} min ${String(s).padStart(2, "0")} s` : `${s} seconds`;
    }
    if (left <= SAVE_BEFORE_S) {
      clearInterval(tick);
      expire();
    }
  }

  async function keepAlive() {
    try {
      const data = await askServer(keepAliveUrl, "POST");
      if (data === null) return goToLogin();
      fromServer(data);
      lastPing = Date.now();
      hideWarning();
      schedule();
    } catch (_err) {
      // Leave the warning up; the user can try again.
    }
  }

  async function expire() {
    // Last check: activity in another tab may have extended the session.
    try {
      const data = await askServer(statusUrl, "GET");
      if (data === null) return goToLogin();
      fromServer(data);
      if (deadline - Date.now() > (SAVE_BEFORE_S + 5) * 1000) {
        hideWarning();
        return schedule();
      }
    } catch (_err) {
      // Fall through: sign out as planned.
    }
    document.dispatchEvent(new CustomEvent("ehr:session-expiring"));
    setTimeout(endSession, SAVE_GRACE_MS);
  }

  function endSession() {
    const form = document.createElement("form");
    form.method = "post";
    form.action = timeoutUrl;
    for (const [name, value] of [
      ["csrfmiddlewaretoken", csrfToken()],
      ["next", location.pathname + location.search],
    ]) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.appendChild(input);
    }
    body.appendChild(form);
    form.submit();
  }

  function goToLogin() {
    location.assign(`${loginUrl}?next=${encodeURIComponent(location.pathname + location.search)}`);
  }

  // Typing or clicking in the page is activity too (a long note being written):
  // tell the server at most once a minute, and only while no warning is shown.
  function onActivity() {
    if (banner && !banner.hidden) return;
    if (Date.now() - lastPing > ACTIVITY_PING_MS) keepAlive();
  }

  if (stay) stay.addEventListener("click", keepAlive);
  for (const type of ["keydown", "pointerdown"]) {
    document.addEventListener(type, onActivity, { passive: true });
  }
  schedule();
})();
