"use strict";
// The fleet table, refreshed every 5 s: a store going offline shows without a reload.
async function showFleet() {
  try {
    const stores = await hq.api("/fleet/");
    const rows = document.querySelector("#fleet tbody");
    rows.replaceChildren();
    for (const s of stores) {
      const row = rows.insertRow();
      row.dataset.store = s.store_id;
      row.className = s.online ? "online" : "offline";
      row.insertCell().textContent = s.store_id;
      row.insertCell().textContent = s.online ? "online" : "offline";
      row.insertCell().textContent = hq.when(s.last_seen);
      row.insertCell().textContent = s.outbox_pending === null ? "–" : `${s.outbox_pending} events`;
      const gaps = row.insertCell();
      if (s.missing_events === null) gaps.textContent = "–";
      else if (!s.missing_events) gaps.textContent = "none";
      else {
        gaps.textContent = `${s.missing_events} events (seq ${s.seq_gaps.map((g) => g.first_missing === g.last_missing ? g.first_missing : `${g.first_missing}–${g.last_missing}`).join(", ")})`;
        gaps.className = "problem";
      }
      row.insertCell().textContent = s.software_version || "–";
      row.insertCell().textContent = (s.models.map((m) => `${m.name.replace("aiwebpos-", "")} v${m.version}`).join(", ") || "none")
        + (s.model_problems.length ? ` (refused: ${s.model_problems.map((p) => p.reason).join("; ")})` : "");
      const devices = row.insertCell();
      devices.textContent = s.device_problems.length
        ? s.device_problems.map((d) => `${d.name}: ${d.detail || d.state}`).join("; ")
        : (s.devices ? `${s.devices} ok` : "none");
      if (s.device_problems.length) devices.className = "problem";
    }
    const online = stores.filter((s) => s.online).length;
    document.getElementById("summary").textContent = `${online} of ${stores.length} stores online`;
  } catch (error) {
    document.getElementById("message").textContent = error.message;
  }
}
showFleet();
setInterval(showFleet, 5000);
