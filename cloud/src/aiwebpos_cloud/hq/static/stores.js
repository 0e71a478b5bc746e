"use strict";
// Store users, VAT rates and limits pushed to the stores; each store's answer followed on the right.
const $ = (id) => document.getElementById(id);
const say = (text) => { $("message").textContent = text; };
const STORE_ROLES = ["cashier", "manager", "admin", "analyst", "logistics", "hr"];

function lisente(text) {
  if (!text.trim()) return null;
  const match = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) throw new Error(`${text} is not an amount: write it as 250.00`);
  return Number(match[1]) * 100 + Number((match[2] || "0").padEnd(2, "0"));
}

async function send(path, body) {
  const batch = await hq.api(path, { method: "POST", body: JSON.stringify({ ...body, stores: push.chosen($("stores")) }) });
  say("");
  showRecent();
  await push.follow(batch.batch_id, $("deliveries"), $("push-summary"));
  showRecent();
}

function on(formId, build) {
  $(formId).onsubmit = async (event) => {
    event.preventDefault();
    try { await send(...build()); } catch (error) { say(error.message); }
  };
}

on("user-form", () => {
  const body = {
    username: $("username").value.trim(), full_name: $("full-name").value, active: $("user-active").checked,
    roles: [...$("roles").querySelectorAll("input:checked")].map((b) => b.value),
  };
  if ($("password").value) body.password = $("password").value;
  if ($("pin").value) body.pin = $("pin").value;
  return ["/commands/users", body];
});
on("vat-form", () => ["/commands/vat-rates", {
  vat_class: $("vat-class").value, rate_percent: $("rate").value.trim(), effective_from: $("effective-from").value,
}]);
on("settings-form", () => {
  const body = {};
  if ($("discount-limit").value.trim()) body.discount_limit_percent = $("discount-limit").value.trim();
  const returns = lisente($("return-limit").value), voids = lisente($("void-limit").value);
  if (returns !== null) body.return_approval_limit_cents = returns;
  if (voids !== null) body.void_approval_limit_cents = voids;
  if ($("rounding").value) body.cash_rounding_cents = Number($("rounding").value);
  if ($("footer").value) body.receipt_footer = $("footer").value;
  return ["/commands/settings", body];
});

async function showRecent() {
  const rows = $("recent").querySelector("tbody");
  const batches = await hq.api("/commands/?limit=15").catch(() => []);
  rows.replaceChildren();
  for (const b of batches) {
    const row = rows.insertRow();
    row.insertCell().textContent = hq.when(b.issued_at);
    row.insertCell().textContent = b.type;
    row.insertCell().textContent = b.issued_by;
    row.insertCell().textContent = Object.entries(b.states).map(([state, n]) => `${n} ${state}`).join(", ");
  }
}

for (const role of STORE_ROLES) {
  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.value = role;
  label.append(box, ` ${role}`);
  $("roles").append(label);
}
$("effective-from").valueAsDate = new Date();
push.storePicker($("stores")).catch((e) => say(e.message));
showRecent();
