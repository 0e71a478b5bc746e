"use strict";
// Price proposals approved or rejected, fraud alerts confirmed or dismissed: the people's side of the models.
const $ = (id) => document.getElementById(id);
const say = (text) => { $("message").textContent = text; };
const maloti = (cents) => `M ${(cents / 100).toFixed(2)}`;

async function showPrices() {
  const rows = $("prices").querySelector("tbody");
  const proposals = await hq.api("/reviews/prices");
  rows.replaceChildren();
  for (const p of proposals) {
    const row = rows.insertRow();
    row.dataset.id = p.recommendation_id;
    const box = document.createElement("input");
    box.type = "checkbox";
    box.value = p.recommendation_id;
    box.disabled = p.status !== "proposed";
    box.setAttribute("aria-label", `choose ${p.sku} at ${p.store_id || "every store"}`);
    row.insertCell().append(box);
    for (const text of [p.store_id || "every store", p.sku, p.name || "", maloti(p.current_price_cents),
      maloti(p.recommended_price_cents), p.reason, p.status]) row.insertCell().textContent = text;
    row.className = p.status;
  }
}

async function decide(decision) {
  try {
    const ids = [...$("prices").querySelectorAll("tbody input:checked")].map((b) => b.value);
    if (!ids.length) throw new Error("tick the proposals first");
    const done = await hq.api("/reviews/prices", { method: "POST", body: JSON.stringify({ ids, decision, note: $("price-note").value || null }) });
    say(`${done.decided} ${decision}`);
    await showPrices();
    if (done.batch_id) await push.follow(done.batch_id, $("deliveries"), $("push-summary"));
  } catch (error) { say(error.message); }
}

async function showAlerts() {
  const rows = $("alerts").querySelector("tbody");
  const alerts = await hq.api("/reviews/fraud");
  rows.replaceChildren();
  for (const a of alerts) {
    const row = rows.insertRow();
    row.dataset.ref = a.ref;
    for (const text of [a.score.toFixed(2), a.store_id, `${a.kind} ${a.ref}`, a.cashier || "", hq.when(a.occurred_at), a.reasons]) {
      row.insertCell().textContent = text;
    }
    const actions = row.insertCell();
    for (const [verdict, label] of [["fraud", "Fraud"], ["not_fraud", "Not fraud"]]) {
      const button = document.createElement("button");
      button.textContent = label;
      button.onclick = async () => {
        try {
          await hq.api("/reviews/fraud", { method: "POST", body: JSON.stringify({ store_id: a.store_id, kind: a.kind, ref: a.ref, verdict }) });
          say(`${a.kind} ${a.ref}: ${label.toLowerCase()}`);
          await showAlerts();
        } catch (error) { say(error.message); }
      };
      actions.append(button, " ");
    }
  }
  if (!alerts.length) rows.insertRow().insertCell().textContent = "Nothing to review.";
}

$("approve").onclick = () => decide("approved");
$("reject").onclick = () => decide("rejected");
Promise.all([showPrices(), showAlerts()]).catch((e) => say(e.message));
