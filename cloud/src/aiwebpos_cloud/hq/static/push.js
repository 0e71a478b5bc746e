"use strict";
// Pushing to stores, shared by the catalog and store-settings pages: which stores to send to, and
// each store's delivery and apply result, followed until every store has answered.
const push = {
  async storePicker(element) {
    const stores = await hq.api("/fleet/");
    element.querySelectorAll("label").forEach((label) => label.remove());  // the legend stays
    for (const s of stores) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = s.store_id;
      label.append(box, ` ${s.store_id}${s.online ? "" : " (offline: gets it when back)"}`);
      element.append(label);
    }
  },
  // The stores ticked, or null (every store) when none is.
  chosen(element) {
    const ticked = [...element.querySelectorAll("input:checked")].map((b) => b.value);
    return ticked.length ? ticked : null;
  },
  // Show a push's deliveries in `table` and refresh them until no store is still to answer.
  async follow(batchId, table, summary) {
    for (let round = 0; round < 300; round++) {
      const batch = await hq.api(`/commands/${batchId}`);
      const rows = table.querySelector("tbody");
      rows.replaceChildren();
      for (const d of batch.deliveries) {
        const row = rows.insertRow();
        row.dataset.store = d.store_id;
        row.className = d.state;
        row.insertCell().textContent = d.store_id;
        row.insertCell().textContent = d.state;
        row.insertCell().textContent = d.detail;
        row.insertCell().textContent = d.answered_at ? hq.when(d.answered_at) : "–";
      }
      const waiting = batch.deliveries.filter((d) => d.state === "queued" || d.state === "sent").length;
      summary.textContent = waiting
        ? `${batch.type}: waiting for ${waiting} of ${batch.deliveries.length}`
        : `${batch.type}: every store has answered`;
      if (!waiting) return batch;
      await new Promise((done) => setTimeout(done, 1000));
    }
  },
};
