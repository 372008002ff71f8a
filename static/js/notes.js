// Progress-note editor: autosave while typing. The page works without this
// file ("Save draft" posts the same fields); with it, changes are saved a
// moment after typing stops, when the tab is hidden or closed, and at once
// when the idle-timeout script announces that the session is about to expire.
(function () {
  "use strict";
  const form = document.querySelector("form[data-autosave-url]");
  if (!form) return;
  const url = form.getAttribute("data-autosave-url");
  const stateEl = document.getElementById("save-state");
  const hintsEl = document.getElementById("language-hints");
  const minutesEl = document.querySelector("[data-minutes]");
  const cptEl = document.querySelector("[data-cpt]");
  const DEBOUNCE_MS = 1200;
  let timer = null;
  let retryTimer = null;
  let retryDelay = 2000;
  let dirty = false;
  let inflight = false;
  let again = false;
  let submitting = false;

  function show(text, cls) {
    stateEl.textContent = text;
    stateEl.className = "save-state " + cls;
  }

  function renderHints(hints) {
    if (!hintsEl) return;
    const list = hintsEl.querySelector("ul");
    list.replaceChildren();
    hints.forEach(function (h) {
      const li = document.createElement("li");
      // textContent, never innerHTML: the phrase is the clinician's own text.
      li.textContent = h.field + ": \u201c" + h.phrase + "\u201d \u2192 consider \u201c" + h.suggestion + "\u201d";
      list.appendChild(li);
    });
    hintsEl.hidden = hints.length === 0;
  }

  function firstError(errors) {
    for (const key in errors) {
      if (errors[key] && errors[key].length) return errors[key][0];
    }
    return "check the fields";
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(function () { save(false); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  function save(keepalive) {
    clearTimeout(timer);
    if (!dirty || submitting) return;
    if (inflight) { again = true; return; }
    inflight = true;
    dirty = false;
    show("Saving\u2026", "saving");
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
      keepalive: !!keepalive,
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.ok && data.ok) {
          retryDelay = 2000;
          show("Saved " + data.saved_at, "saved");
          renderHints(data.hints || []);
          if (minutesEl) minutesEl.textContent = data.minutes === null ? "enter start and end time" : data.minutes + " min";
          if (cptEl) cptEl.textContent = data.cpt_suggested || "not billable as psychotherapy";
        } else if (response.status === 400) {
          // A value the server refuses: say which, and wait for the next edit.
          show("Not saved \u2014 " + firstError(data.errors || {}), "failed");
        } else if (response.status === 401) {
          dirty = true;
          show("Not saved \u2014 your session has ended. Sign in again in a new tab; this page keeps what you typed and retries.", "failed");
          scheduleRetry();
        } else if (response.status === 403 || response.status === 404 || response.status === 409) {
          show("Not saved \u2014 this draft can no longer be changed here (signed, or access changed). Reload the page.", "failed");
        } else {
          throw new Error("status " + response.status);
        }
      });
    }).catch(function () {
      dirty = true;
      show("Not saved \u2014 retrying", "failed");
      scheduleRetry();
    }).finally(function () {
      inflight = false;
      if (again) { again = false; save(false); }
    });
  }

  function changed() {
    dirty = true;
    show("Unsaved changes", "saving");
    clearTimeout(timer);
    timer = setTimeout(function () { save(false); }, DEBOUNCE_MS);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    submitting = true;
    clearTimeout(timer);
    clearTimeout(retryTimer);
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") save(true);
  });
  window.addEventListener("pagehide", function () { save(true); });
  // Dispatched by the idle-timeout script shortly before the session expires.
  document.addEventListener("ehr:session-expiring", function () { save(true); });
  window.addEventListener("beforeunload", function (event) {
    if (!submitting && (dirty || inflight)) {
      save(true);
      event.preventDefault();
      event.returnValue = "";
    }
  });
  form.setAttribute("data-autosave-ready", "true");
})();
