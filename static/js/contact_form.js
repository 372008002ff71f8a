// Contact note form: keep each person's release status in step with the
// contact date typed. The page works without this file (the server shows the
// status for the date submitted); the data comes from a JSON block, not code.
(() => {
  const data = document.getElementById("person-statuses");
  const when = document.getElementById("id_contact_at");
  const person = document.getElementById("id_person");
  if (!data || !when || !person) return;
  const people = JSON.parse(data.textContent);

  function status(entry, day) {
    if (entry.rep && (!entry.rep_until || day < entry.rep_until)) {
      return `personal representative on ${day}`;
    }
    const active = entry.releases.some(
      ([signed, expires, revoked]) =>
        signed <= day && day <= expires && (!revoked || revoked > day),
    );
    return active ? `release active on ${day}` : `no active release on ${day}`;
  }

  function refresh() {
    const day = (when.value || "").slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return;
    for (const option of person.options) {
      const entry = people[option.value];
      if (entry) option.textContent = `${entry.label} · ${status(entry, day)}`;
    }
  }

  when.addEventListener("change", refresh);
  when.addEventListener("input", refresh);
})();
