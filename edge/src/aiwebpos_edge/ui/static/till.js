"use strict";
// The till: plain JavaScript over the node's JSON API. Everything here is served by the node itself.

const terminal = new URLSearchParams(location.search).get("terminal") || localStorage.getItem("terminal") || "T1";
localStorage.setItem("terminal", terminal);
const $ = (id) => document.getElementById(id);
const state = { token: null, cashier: null, shiftId: null, sale: null, pin: "", lastReceipt: null, quantity: null };

const money = (cents) =>
  (cents < 0 ? "-M" : "M") + (Math.abs(cents) / 100).toFixed(2).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

function say(text, kind = "error") {
  $("message").textContent = text;
  $("message").className = kind;
}

function show(section) {
  const sections = [
    "login", "open-shift", "sale", "receipt", "z-report", "return-panel", "count-panel", "devices-panel",
    "manager-panel",
  ];
  for (const id of sections) $(id).hidden = id !== section;
}

async function api(method, path, body) {
  const headers = { "Content-Type": "application/json" };
  if (state.token) headers.Authorization = "Bearer " + state.token;
  const answer = await fetch("/api/v1" + path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await answer.json().catch(() => ({}));
  if (answer.status === 401 && state.token) {
    logOut(data.detail || "logged out");
  }
  if (!answer.ok) {
    const error = new Error(data.detail || answer.statusText);
    error.status = answer.status;
    error.data = data;
    throw error;
  }
  return data;
}

// A small prompt that works with touch and keyboard (window.prompt cannot be styled or made touch-sized).
function ask(title, secret = false, initial = "") {
  return new Promise((resolve) => {
    const dialog = $("ask");
    $("ask-title").textContent = title;
    $("ask-input").value = initial;
    $("ask-input").type = secret ? "password" : "text";
    dialog.onclose = () => resolve(dialog.returnValue === "ok" ? $("ask-input").value : null);
    dialog.showModal();
    $("ask-input").focus();
  });
}

// Log in with a PIN on the on-screen pad (or the keyboard).
function buildPinPad() {
  const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "C", "0", "OK"];
  for (const key of keys) {
    const button = document.createElement("button");
    button.textContent = key;
    button.setAttribute("aria-label", key === "C" ? "clear" : key === "OK" ? "log in" : "digit " + key);
    button.onclick = () => pressPin(key);
    $("pin-pad").append(button);
  }
}

function pressPin(key) {
  if (key === "C") state.pin = "";
  else if (key === "OK") return logIn();
  else if (state.pin.length < 8) state.pin += key;
  $("pin-dots").textContent = "•".repeat(state.pin.length);
}

// The login's own screens (shift, quick keys, a new sale) are still loading when the header's buttons
// appear: a tap on Manager or Devices waits for them, or the sale screen would replace its panel.
let loggingIn = Promise.resolve();

function afterLoginSettles() {
  return loggingIn.catch(() => {});
}

async function logIn() {
  try {
    const answer = await api("POST", "/auth/pin", { terminal_id: terminal, pin: state.pin });
    state.token = answer.access_token;
    state.cashier = answer.user.username;
    $("cashier").textContent = "Cashier: " + state.cashier;
    $("manager").hidden = !answer.user.roles.some((role) => role === "manager" || role === "admin");
    say("", "");
    watchLink();
    loggingIn = afterLogIn();
    await loggingIn;
  } catch (error) {
    say(error.message);
  } finally {
    state.pin = "";
    $("pin-dots").textContent = "";
  }
}

function logOut(reason) {
  Object.assign(state, { token: null, cashier: null, sale: null });
  if (devices.reader) devices.reader.cancel().catch(() => {});
  $("cashier").textContent = "";
  $("manager").hidden = true;
  show("login");
  say(reason);
}

async function afterLogIn() {
  watchDevices();
  const open = await api("GET", `/shifts?terminal_id=${encodeURIComponent(terminal)}&status=open`);
  if (open.length === 0) return show("open-shift");
  state.shiftId = open[0].id;
  $("shift").textContent = "Shift open";
  await loadQuickKeys();
  await newSale();
}

async function openShift() {
  const cents = Math.round(parseFloat($("float").value.replace(",", ".")) * 100);
  try {
    const shift = await api("POST", "/shifts", { terminal_id: terminal, opening_float_cents: cents });
    state.shiftId = shift.id;
    $("shift").textContent = "Shift open";
    await loadQuickKeys();
    await newSale();
  } catch (error) {
    say(error.message);
  }
}

// The favourites grid: the store's quick keys (items with no barcode), loaded once per login.
async function loadQuickKeys() {
  const grid = $("quick-keys");
  grid.replaceChildren();
  const config = await api("GET", "/config");
  for (const sku of config.quick_keys) {
    const product = await api("GET", `/products/${encodeURIComponent(sku)}`).catch(() => null);
    if (!product || !product.active) continue;
    const button = document.createElement("button");
    button.textContent = product.name;
    button.onclick = () => addSku(product);
    grid.append(button);
  }
}

async function newSale() {
  const sale = state.sale;
  if (!(sale && sale.status === "open" && sale.lines.length === 0)) { // an empty open sale is reused
    state.sale = await api("POST", "/sales", { terminal_id: terminal, shift_id: state.shiftId });
  }
  render();
  show("sale");
  $("scan").focus();
}

// The sale on screen: lines, totals, and the cash amounts a cashier is most likely to be handed.
function render(flashLast = false) {
  const sale = state.sale;
  const body = $("cart").querySelector("tbody");
  body.replaceChildren();
  sale.lines.forEach((line, index) => {
    const row = body.insertRow();
    if (line.voided) row.className = "voided";
    if (flashLast && index === sale.lines.length - 1) row.classList.add("flash");
    const discount = line.discount_cents ? money(-line.discount_cents) : "";
    for (const text of [line.name, line.quantity, money(line.unit_price_cents), discount, money(line.total_cents)]) {
      row.insertCell().textContent = text;
    }
    const cell = row.insertCell();
    if (!line.voided) {
      const discount = document.createElement("button");
      discount.textContent = "%";
      discount.setAttribute("aria-label", "discount " + line.name);
      discount.onclick = () => discountLine(line);
      const price = document.createElement("button");
      price.textContent = "M";
      price.setAttribute("aria-label", "change the price of " + line.name);
      price.onclick = () => overridePrice(line);
      cell.append(discount, price);
      const button = document.createElement("button");
      button.textContent = "Void";
      button.setAttribute("aria-label", "void " + line.name);
      button.onclick = () => voidLine(line);
      cell.append(button);
    }
  });
  $("total").textContent = money(sale.total_cents);
  $("vat").textContent = money(sale.vat_cents);
  $("due").textContent = money(sale.cash_due_cents);
  const quick = $("quick-cash");
  quick.replaceChildren();
  const due = sale.cash_due_cents;
  const amounts = new Set([due, ...[1000, 5000, 10000, 20000].map((note) => Math.ceil(due / note) * note)]);
  for (const amount of [...amounts].filter((a) => a > 0).sort((a, b) => a - b).slice(0, 5)) {
    const button = document.createElement("button");
    button.textContent = "Cash " + money(amount);
    button.onclick = () => pay({ method: "cash", amount_cents: amount, currency: $("zar").checked ? "ZAR" : "LSL" });
    quick.append(button);
  }
}

async function scan(code) {
  code = code.trim();
  if (!code) return;
  try {
    state.sale = await api("POST", `/sales/${state.sale.id}/lines`, { barcode: code, quantity: takeQuantity() });
    render(true);
    const line = state.sale.lines[state.sale.lines.length - 1];
    say(`${line.name} — ${money(line.total_cents)}`, "ok");
  } catch (error) {
    say(error.message); // the cart stays as it was
  }
}

// Find by name: each result is a touch-sized button that adds the product by its SKU.
let searchTimer = null;
function searchSoon() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(search, 150);
}

async function search() {
  const text = $("search").value.trim();
  const results = $("results");
  results.replaceChildren();
  if (text.length < 2) return;
  const found = await api("GET", `/products?q=${encodeURIComponent(text)}&limit=8`);
  for (const product of found) {
    const button = document.createElement("button");
    button.setAttribute("role", "listitem");
    button.textContent = `${product.name} ${money(product.price_cents)}`;
    button.onclick = () => addSku(product);
    results.append(button);
  }
}

// "Qty" then an item: that many of it (the quantity is used once).
async function setQuantity() {
  const quantity = await ask("How many of the next item?");
  state.quantity = quantity ? quantity.trim() : null;
  $("quantity").textContent = state.quantity ? `Qty ${state.quantity}` : "Qty";
  $("scan").focus();
}

function takeQuantity() {
  const quantity = state.quantity || undefined;
  state.quantity = null;
  $("quantity").textContent = "Qty";
  return quantity;
}

async function cancelSale() {
  const reason = await ask("Why cancel this sale?");
  if (!reason) return;
  try {
    await api("POST", `/sales/${state.sale.id}/cancel`, { reason });
    say("Sale cancelled", "ok");
    state.sale = null;
    await newSale();
  } catch (error) {
    say(error.message);
  }
}

async function addSku(product) {
  let quantity = takeQuantity();
  const weigh = product.unit === "kg" && !quantity && devices.mine.scale;
  if (product.unit === "kg" && !quantity && !weigh) {
    quantity = await ask(`Weight of ${product.name} in kg`);
    if (!quantity) return;
  }
  try {
    // With a scale the node reads the weight itself, and only a steady one: it is never typed.
    const body = weigh ? { sku: product.sku, weigh: true } : { sku: product.sku, quantity };
    state.sale = await api("POST", `/sales/${state.sale.id}/lines`, body);
    render(true);
    $("search").value = "";
    $("results").replaceChildren();
    say(`${product.name} added`, "ok");
  } catch (error) {
    say(error.message);
  }
}

// Park a sale (the customer went for their purse) and bring it back, at this till or another.
async function suspend() {
  try {
    await api("POST", `/sales/${state.sale.id}/suspend`);
    say("Sale suspended", "ok");
    await newSale();
  } catch (error) {
    say(error.message);
  }
}

async function listSuspended() {
  const waiting = await api("GET", "/sales?status=suspended");
  const list = $("suspended");
  list.replaceChildren();
  if (!waiting.length) return say("No suspended sales", "ok");
  for (const sale of waiting) {
    const button = document.createElement("button");
    button.textContent = `${sale.terminal_id} ${sale.cashier} ${money(sale.total_cents)}`;
    button.setAttribute("aria-label", `resume the sale of ${money(sale.total_cents)} from ${sale.terminal_id}`);
    button.onclick = () => resume(sale.id);
    list.append(button);
  }
}

async function resume(saleId) {
  try {
    if (state.sale && !state.sale.lines.length) {
      await api("POST", `/sales/${state.sale.id}/cancel`, { reason: "replaced by a resumed sale" });
    }
    state.sale = await api("POST", `/sales/${saleId}/resume`, { terminal_id: terminal, shift_id: state.shiftId });
    $("suspended").replaceChildren();
    render();
    say("Sale resumed", "ok");
  } catch (error) {
    say(error.message);
  }
}

// A return against a receipt number (typed, or scanned from the receipt's QR code).
let returning = null;
async function startReturn() {
  const receiptNo = await ask("Receipt number of the sale");
  if (!receiptNo) return;
  try {
    returning = await api("GET", `/receipts/${encodeURIComponent(receiptNo.trim())}`);
  } catch (error) {
    return say(error.message);
  }
  $("return-title").textContent = `Return against ${returning.receipt_no}`;
  const body = $("return-lines").querySelector("tbody");
  body.replaceChildren();
  for (const line of returning.lines) {
    const row = body.insertRow();
    row.insertCell().textContent = line.name;
    row.insertCell().textContent = line.quantity;
    const input = document.createElement("input");
    input.value = "0";
    input.inputMode = "decimal";
    input.dataset.lineId = line.line_id;
    input.setAttribute("aria-label", `quantity of ${line.name} to return`);
    row.insertCell().append(input);
  }
  show("return-panel");
}

async function refund() {
  const lines = [...$("return-lines").querySelectorAll("input")]
    .filter((input) => parseFloat(input.value) > 0)
    .map((input) => ({ line_id: Number(input.dataset.lineId), quantity: input.value.trim() }));
  if (!lines.length) return say("choose how many of which line to return");
  const reason = await ask("Why is it coming back?");
  if (!reason) return;
  const method = $("refund-method").value;
  const reference = method === "card" ? await ask("Card refund reference") : undefined;
  try {
    const credit = await withApproval((approver_pin) => api("POST", "/returns", {
      terminal_id: terminal, receipt_no: returning.receipt_no, lines, refund_method: method, reason,
      reference, approver_pin,
    }));
    showReceipt(credit);
  } catch (error) {
    say(error.message);
  }
}

// Close the shift: count the drawer note by note and coin by coin (LSL; rand notes count at par), and
// the Z report comes back.
const DENOMINATIONS = [20000, 10000, 5000, 2000, 1000, 500, 200, 100, 50, 20, 10, 5];

function counts() {
  const result = {};
  for (const input of $("denominations").querySelectorAll("input")) {
    const count = parseInt(input.value, 10);
    if (count > 0) result[input.dataset.value] = count;
  }
  return result;
}

function showCount() {
  if (state.sale && state.sale.lines.length) return say("finish or cancel the sale before closing the shift");
  const grid = $("denominations");
  if (!grid.children.length) {
    for (const value of DENOMINATIONS) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.inputMode = "numeric";
      input.value = "0";
      input.dataset.value = value;
      input.setAttribute("aria-label", `number of ${money(value)}`);
      input.oninput = () => {
        const total = Object.entries(counts()).reduce((sum, [v, n]) => sum + Number(v) * n, 0);
        $("counted").textContent = money(total);
      };
      label.append(money(value), input);
      grid.append(label);
    }
  }
  show("count-panel");
}

async function closeShift() {
  try {
    if (state.sale) await api("POST", `/sales/${state.sale.id}/cancel`, { reason: "empty sale at shift close" });
    const z = await api("POST", `/shifts/${state.shiftId}/close`, { denominations: counts() });
    const out = [`Till ${z.terminal_id}  ${z.cashier}`, `Sales ${z.sales_count}`.padEnd(24) + money(z.sales_total_cents).padStart(14)];
    for (const t of z.tenders) out.push(`  ${t.method}`.padEnd(24) + money(t.amount_cents).padStart(14));
    out.push("Expected cash".padEnd(24) + money(z.expected_cash_cents).padStart(14));
    out.push("Counted cash".padEnd(24) + money(z.counted_cash_cents).padStart(14));
    out.push("Variance".padEnd(24) + money(z.variance_cents).padStart(14));
    out.push(`Voids ${z.voids_count}  Returns ${z.returns_count}  No-sales ${z.no_sales_count}`);
    $("z-text").textContent = out.join("\n");
    state.shiftId = null;
    state.sale = null;
    $("shift").textContent = "";
    show("z-report");
    say("Shift closed", "ok");
  } catch (error) {
    say(error.message);
  }
}

// Something that needs a manager answers 403 with approval_required: ask for a manager's PIN, try again.
async function withApproval(send) {
  try {
    return await send(undefined);
  } catch (error) {
    if (!(error.data && error.data.approval_required)) throw error;
    const pin = await ask(error.message + " — manager PIN", true);
    if (pin === null) throw new Error("not approved");
    return await send(pin);
  }
}

async function voidLine(line) {
  const reason = await ask(`Why void ${line.name}?`);
  if (!reason) return;
  try {
    state.sale = await withApproval((approver_pin) =>
      api("DELETE", `/sales/${state.sale.id}/lines/${line.line_id}`, { reason, approver_pin }));
    render();
    say(`${line.name} voided`, "ok");
  } catch (error) {
    say(error.message);
  }
}

// A manager changes a line's price (their own login, or their PIN typed at the till).
async function overridePrice(line) {
  const price = await ask(`New unit price of ${line.name} (maloti)`);
  if (!price) return;
  const reason = await ask("Why?");
  if (!reason) return;
  const cents = Math.round(parseFloat(price.replace(",", ".")) * 100);
  try {
    state.sale = await withApproval((approver_pin) =>
      api("POST", `/sales/${state.sale.id}/lines/${line.line_id}/price`, { unit_price_cents: cents, reason, approver_pin }));
    render();
    say(`${line.name} now ${money(cents)}`, "ok");
  } catch (error) {
    say(error.message);
  }
}

// An on-screen keyboard for finding by name on a till without one.
function buildKeyboard() {
  const keys = [..."QWERTYUIOPASDFGHJKLZXCVBNM", "␣", "⌫"];
  for (const key of keys) {
    const button = document.createElement("button");
    button.textContent = key;
    button.setAttribute("aria-label", key === "␣" ? "space" : key === "⌫" ? "delete" : "key " + key);
    button.onclick = () => {
      const input = $("search");
      input.value = key === "⌫" ? input.value.slice(0, -1) : input.value + (key === "␣" ? " " : key.toLowerCase());
      searchSoon();
    };
    $("keyboard").append(button);
  }
}

async function discountLine(line) {
  const percent = await ask(`Discount on ${line.name}, in percent`);
  if (!percent) return;
  try {
    state.sale = await withApproval((approver_pin) =>
      api("POST", `/sales/${state.sale.id}/lines/${line.line_id}/discount`, { percent: percent.trim(), approver_pin }));
    render();
    say(`${percent.trim()} % off ${line.name}`, "ok");
  } catch (error) {
    say(error.message);
  }
}

// The customer's account: find them, then charge what is due (the node refuses past their credit limit).
async function payAccount() {
  const text = await ask("Customer name or phone");
  if (!text) return;
  const found = await api("GET", `/customers?q=${encodeURIComponent(text.trim())}`);
  const list = $("customers");
  list.replaceChildren();
  if (!found.length) return say(`no customer matches "${text}"`);
  for (const customer of found.slice(0, 6)) {
    const button = document.createElement("button");
    button.textContent = `Charge ${customer.name} (${money(customer.available_credit_cents)} available)`;
    button.onclick = async () => {
      list.replaceChildren();
      await pay({ method: "account", amount_cents: state.sale.outstanding_cents, customer_id: customer.id });
    };
    list.append(button);
  }
}

async function discountSale() {
  const percent = await ask("Discount on the whole sale, in percent");
  if (!percent) return;
  try {
    state.sale = await withApproval((approver_pin) =>
      api("POST", `/sales/${state.sale.id}/discount`, { percent: percent.trim(), approver_pin }));
    render();
    say(`${percent.trim()} % off the sale`, "ok");
  } catch (error) {
    say(error.message);
  }
}

async function reprint() {
  if (!state.lastReceipt) return say("no receipt yet on this till");
  try {
    showReceipt(await api("GET", `/receipts/${encodeURIComponent(state.lastReceipt)}`), true);
  } catch (error) {
    say(error.message);
  }
}

async function pay(payment) {
  try {
    state.sale = await api("POST", `/sales/${state.sale.id}/payments`, payment);
    render();
    const sale = state.sale;
    say(sale.outstanding_cents > 0 ? `Still due ${money(sale.cash_due_cents)}` : `Change ${money(sale.change_cents)}`, "ok");
  } catch (error) {
    say(error.message);
  }
}

// Card and mobile money take what is due, or part of it (split tender): the amount is asked, due prefilled.
async function payOther(method, label) {
  const due = (state.sale.outstanding_cents / 100).toFixed(2);
  const amount = await ask(`${label} amount (maloti)`, false, due);
  if (!amount) return;
  const reference = await ask(`${label} reference (approval code or transaction id)`);
  if (!reference) return;
  const cents = Math.round(parseFloat(amount.replace(",", ".")) * 100);
  await pay({ method, amount_cents: cents, reference });
}

async function complete() {
  try {
    showReceipt(await api("POST", `/sales/${state.sale.id}/complete`, {}));
  } catch (error) {
    say(error.message);
  }
}

// The tax invoice, laid out as it is printed.
function showReceipt(r, copy = false) {
  state.lastReceipt = r.receipt_no;
  const out = [r.store_name, r.store_address, `VAT no. ${r.vat_number}`, "",
    { vat_invoice: "VAT INVOICE", credit_note: "CREDIT NOTE" }[r.document] || "TAX INVOICE",
    `Receipt ${r.receipt_no}` + (r.original_receipt_no ? ` (for ${r.original_receipt_no})` : ""),
    `${new Date(r.completed_at).toLocaleString("en-GB")}  Till ${r.terminal_id}  ${r.cashier}`, ""];
  for (const line of r.lines) {
    out.push(line.name, `  ${line.quantity} x ${money(line.unit_price_cents)}`.padEnd(30) + money(line.total_cents).padStart(12));
    if (line.discount_cents) out.push("  discount".padEnd(30) + money(-line.discount_cents).padStart(12));
  }
  out.push("", "TOTAL".padEnd(30) + money(r.total_cents).padStart(12));
  if (r.rounding_cents) out.push("Rounding".padEnd(30) + money(r.rounding_cents).padStart(12));
  for (const v of r.vat_breakdown) {
    out.push(`VAT ${v.vat_class} ${v.rate}%`.padEnd(30) + money(v.vat_cents).padStart(12));
  }
  for (const p of r.payments) out.push(`${p.method} ${p.currency}`.padEnd(30) + money(p.amount_cents).padStart(12));
  out.push("Change".padEnd(30) + money(r.change_cents).padStart(12));
  if (copy) out.unshift("*** COPY ***", "");
  $("receipt-text").textContent = out.join("\n");
  show("receipt");
  say(`Completed: ${r.receipt_no}`, "ok");
}

// A keyboard-wedge scanner types digits fast and presses Enter: catch it wherever the focus is.
document.addEventListener("keydown", (event) => {
  if ($("login").hidden === false) {
    if (/^[0-9]$/.test(event.key)) pressPin(event.key);
    else if (event.key === "Enter") pressPin("OK");
    else if (event.key === "Backspace") pressPin("C");
    return;
  }
  if ($("sale").hidden || $("ask").open || ["INPUT", "SELECT"].includes(event.target.tagName)) return;
  if (/^[0-9]$/.test(event.key)) {
    $("scan").focus();
    $("scan").value += event.key;
    event.preventDefault();
  }
});
$("scan").addEventListener("keydown", (event) => {
  if (event.key === "Enter") {
    const code = $("scan").value;
    $("scan").value = "";
    scan(code);
  }
});

// The node's peripherals for this till: health in the header, serial scans into the same path as the
// keyboard wedge, server-sent by the node (fetch, not EventSource, so the bearer token goes along).
const devices = { health: {}, mine: {}, reader: null };

function myDevices(health) {
  const mine = devices.mine;
  return Object.entries(health).filter(([name, d]) =>
    d.terminal_id === terminal || (mine.printer && name === `printer-${mine.printer}`));
}

function renderDevices() {
  const badge = $("devices");
  const mine = myDevices(devices.health);
  badge.hidden = mine.length === 0;
  const wrong = mine.filter(([, d]) => d.state !== "ok");
  const waiting = mine.reduce((n, [, d]) => n + (d.queued_jobs || 0), 0);
  badge.textContent = wrong.length
    ? wrong.map(([name, d]) => `${name}: ${d.detail || d.state}`).join(" · ") + (waiting ? ` · ${waiting} to print` : "")
    : "devices ok";
  badge.className = wrong.length ? "devices offline" : "devices online";
}

async function watchDevices() {
  if (devices.reader) return;
  try {
    const config = await api("GET", "/devices");
    devices.mine = config.terminals[terminal] || {};
    devices.health = config.devices;
    renderDevices();
  } catch { /* the header just stays empty */ }
  while (state.token) {
    try {
      const answer = await fetch(`/api/v1/devices/events?terminal_id=${encodeURIComponent(terminal)}`, {
        headers: { Authorization: "Bearer " + state.token },
      });
      if (!answer.ok) throw new Error(answer.statusText);
      devices.reader = answer.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await devices.reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split("\n").filter((l) => l.startsWith("data: ")).map((l) => l.slice(6)).join("\n");
          if (data) deviceEvent(JSON.parse(data));
        }
      }
    } catch { /* the node restarted or the network blinked: try again shortly */ }
    devices.reader = null;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function deviceEvent(event) {
  if (event.type === "devices") {
    devices.health = event.devices;
    renderDevices();
  } else if (event.type === "scan" && !$("sale").hidden && state.sale) {
    scan(event.code);
  }
}

async function showDevices() {
  await afterLoginSettles();
  const list = $("device-list").querySelector("tbody");
  list.replaceChildren();
  for (const [name, d] of myDevices(devices.health)) {
    const row = list.insertRow();
    row.insertCell().textContent = name;
    row.insertCell().textContent = d.state === "ok" ? "ok" : d.detail || d.state;
    row.insertCell().textContent = d.since ? new Date(d.since).toLocaleTimeString("en-GB") : "";
  }
  const queue = $("print-queue").querySelector("tbody");
  queue.replaceChildren();
  try {
    const jobs = await api("GET", `/print-jobs?terminal_id=${encodeURIComponent(terminal)}&status=queued`);
    for (const job of jobs) {
      const row = queue.insertRow();
      row.insertCell().textContent = `#${job.id}`;
      row.insertCell().textContent = `${job.kind.replace("_", " ")} ${job.reference || ""}`;
      row.insertCell().textContent = job.last_error || "waiting for the printer";
    }
    state.queuedJobs = jobs;
  } catch (error) {
    say(error.message);
  }
  show("devices-panel");
}

// The manager's screen: the forecast as a bar chart, what to reorder, what the fraud model flagged.
const SVG = "http://www.w3.org/2000/svg";

function svg(tag, attributes, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  if (text !== undefined) element.textContent = text;
  return element;
}

function drawForecast(days) {
  const chart = $("forecast-chart");
  chart.replaceChildren();
  const width = 720, height = 240, top = 24, bottom = 40;
  const most = Math.max(1, ...days.map((d) => d.value_cents));
  const step = width / Math.max(days.length, 1);
  days.forEach((day, i) => {
    const date = new Date(day.date + "T12:00:00");
    const barHeight = ((height - top - bottom) * day.value_cents) / most;
    const x = i * step + step * 0.15, y = height - bottom - barHeight;
    const weekend = date.getDay() === 0 || date.getDay() === 6;
    const bar = svg("rect", {
      x, y, width: step * 0.7, height: barHeight, class: weekend ? "bar weekend" : "bar",
      "data-date": day.date, "data-value-cents": day.value_cents,
    });
    bar.append(svg("title", {}, `${day.date}: ${money(day.value_cents)} expected, ${day.units.toFixed(0)} items`));
    chart.append(bar);
    chart.append(svg("text", { x: x + step * 0.35, y: y - 6, "text-anchor": "middle" }, "M" + Math.round(day.value_cents / 100)));
    const label = date.toLocaleDateString("en-GB", { weekday: "short", day: "numeric" });
    chart.append(svg("text", { x: x + step * 0.35, y: height - bottom + 18, "text-anchor": "middle" }, label));
  });
}

async function showManager() {
  await afterLoginSettles();
  show("manager-panel");
  try {
    const forecast = await api("GET", "/inventory/forecast?days=14");
    $("forecast-note").textContent =
      `Expected takings at today's prices, from the forecast model v${forecast.version}.`;
    drawForecast(forecast.days);
    const reorder = await api("GET", "/inventory/reorder-suggestions");
    const rows = $("reorder").querySelector("tbody");
    rows.replaceChildren();
    for (const s of reorder.suggestions) {
      const row = rows.insertRow();
      row.insertCell().textContent = `${s.name || s.sku} (${s.sku})`;
      row.insertCell().textContent = s.on_hand;
      row.insertCell().textContent = s.on_hand <= 0 ? "out of stock" : s.cover_days === null ? "–" : s.cover_days.toFixed(1);
      row.insertCell().textContent = s.suggested_qty;
    }
    if (reorder.suggestions.length === 0) rows.insertRow().insertCell().textContent = "Nothing to order today.";
  } catch (error) {
    $("forecast-note").textContent = error.message;
    $("forecast-chart").replaceChildren();
    $("reorder").querySelector("tbody").replaceChildren();
  }
  try {
    const flagged = await api("GET", "/fraud/scores?hours=168&min_score=0.5");
    const rows = $("fraud").querySelector("tbody");
    rows.replaceChildren();
    for (const f of flagged) {
      const row = rows.insertRow();
      row.insertCell().textContent = new Date(f.occurred_at).toLocaleString("en-GB");
      row.insertCell().textContent = `${f.kind} ${f.ref}` + (f.kind === "shift" ? "" : ` (${money(f.total_cents)})`);
      row.insertCell().textContent = f.cashier;
      const score = row.insertCell();
      score.textContent = f.score.toFixed(2);
      score.className = "score-high";
      row.insertCell().textContent = f.reasons.join("; ");
    }
    if (flagged.length === 0) rows.insertRow().insertCell().textContent = "Nothing flagged this week.";
  } catch (error) {
    say(error.message);
  }
}

async function retryPrinting() {
  const jobs = state.queuedJobs || [];
  if (jobs.length === 0) return say("nothing is waiting to print", "ok");
  try {
    await api("POST", `/print-jobs/${jobs[jobs.length - 1].id}/retry`);
    say("Printing again", "ok");
  } catch (error) {
    say(error.message);
  }
}

// With a receipt printer the node prints a COPY; without one the browser prints the receipt.
async function printReceipt() {
  if (!devices.mine.printer || !state.lastReceipt) return window.print();
  try {
    await api("POST", `/receipts/${encodeURIComponent(state.lastReceipt)}/print`, { terminal_id: terminal });
    say("Copy sent to the printer", "ok");
  } catch (error) {
    say(error.message);
  }
}

async function watchLink() {
  if (!state.token) return;
  try {
    const status = await api("GET", "/sync/status");
    $("link").textContent = status.connected ? "online" : `offline · ${status.outbox_pending} waiting`;
    $("link").className = status.connected ? "online" : "offline";
  } catch {
    $("link").textContent = "node unreachable";
    $("link").className = "offline";
  }
}

$("terminal").textContent = "Till " + terminal;
$("scan-button").onclick = () => { const code = $("scan").value; $("scan").value = ""; scan(code); };
$("open-shift-button").onclick = openShift;
$("pay-card").onclick = () => payOther("card", "Card");
$("pay-mobile").onclick = () => payOther("mobile_money", "Mobile money");
$("pay-account").onclick = payAccount;
$("sale-discount").onclick = discountSale;
$("reprint").onclick = reprint;
$("complete").onclick = complete;
$("new-sale").onclick = newSale;
$("print").onclick = printReceipt;
$("devices").onclick = showDevices;
$("manager").onclick = showManager;
$("manager-back").onclick = () => show(state.sale ? "sale" : "login");
$("devices-back").onclick = () => show(state.sale ? "sale" : "login");
$("print-retry").onclick = retryPrinting;
$("ask-cancel").onclick = () => $("ask").close("cancel"); // Enter submits with OK, the form's default
$("search").addEventListener("input", searchSoon);
$("close-shift").onclick = showCount;
$("close-confirm").onclick = closeShift;
$("count-cancel").onclick = () => show("sale");
$("suspend").onclick = suspend;
$("cancel-sale").onclick = cancelSale;
$("quantity").onclick = setQuantity;
$("resume").onclick = listSuspended;
$("return").onclick = startReturn;
$("refund").onclick = refund;
$("return-cancel").onclick = () => show("sale");
$("z-done").onclick = () => logOut("Logged out");
buildPinPad();
buildKeyboard();
$("show-keyboard").onclick = () => { $("keyboard").hidden = !$("keyboard").hidden; };
show("login");
setInterval(watchLink, 5000);
