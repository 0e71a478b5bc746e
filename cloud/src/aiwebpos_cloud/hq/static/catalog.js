"use strict";
// The catalog master: find and edit products, keep price lists, push to the stores and follow each
// store's answer. Prices are typed in maloti and travel in lisente (integers, never floats).
const $ = (id) => document.getElementById(id);
const say = (text) => { $("message").textContent = text; };

function toLisente(text) {
  const match = /^\s*(\d+)(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) throw new Error(`${text} is not a price: write it as 12.50`);
  return Number(match[1]) * 100 + Number((match[2] || "0").padEnd(2, "0"));
}
const maloti = (cents) => `M ${(cents / 100).toFixed(2)}`;

async function showProducts() {
  const found = await hq.api(`/catalog/products?search=${encodeURIComponent($("search").value)}&limit=200`);
  const rows = $("products").querySelector("tbody");
  rows.replaceChildren();
  for (const p of found.products) {
    const row = rows.insertRow();
    row.dataset.sku = p.sku;
    for (const text of [p.sku, p.name, p.category, p.vat_class, maloti(p.price_cents)]) row.insertCell().textContent = text;
    const edit = document.createElement("button");
    edit.textContent = "Edit";
    edit.onclick = () => editProduct(p);
    row.insertCell().append(edit);
    if (!p.active) row.className = "inactive";
  }
  $("count").textContent = `${found.total} product${found.total === 1 ? "" : "s"}`;
}

function editProduct(p) {
  $("sku").value = p.sku;
  $("name").value = p.name;
  $("price").value = (p.price_cents / 100).toFixed(2);
  $("vat-class").value = p.vat_class;
  $("category").value = p.category;
  $("unit").value = p.unit;
  $("barcodes").value = p.barcodes.join(", ");
  $("active").checked = p.active;
  $("price").focus();
}

async function saveProduct(event) {
  event.preventDefault();
  try {
    const body = {
      name: $("name").value, price_cents: toLisente($("price").value), vat_class: $("vat-class").value,
      category: $("category").value, unit: $("unit").value, active: $("active").checked,
      barcodes: $("barcodes").value.split(",").map((c) => c.trim()).filter(Boolean),
    };
    const saved = await hq.api(`/catalog/products/${encodeURIComponent($("sku").value.trim())}`, { method: "PUT", body: JSON.stringify(body) });
    say(`${saved.sku} saved at ${maloti(saved.price_cents)}: push it to the stores to change their tills`);
    await showProducts();
  } catch (error) { say(error.message); }
}

async function showPriceLists() {
  const lists = await hq.api("/catalog/price-lists");
  const rows = $("price-lists").querySelector("tbody");
  rows.replaceChildren();
  for (const list of lists) {
    const row = rows.insertRow();
    row.insertCell().textContent = `${list.name}${list.description ? ` (${list.description})` : ""}`;
    row.insertCell().textContent = list.stores.join(", ") || "none";
    row.insertCell().textContent = Object.keys(list.prices).length;
    const edit = document.createElement("button");
    edit.textContent = "Edit";
    edit.onclick = () => {
      $("list-name").value = list.name;
      $("list-description").value = list.description;
      $("list-stores").value = list.stores.join(", ");
      $("list-prices").value = Object.entries(list.prices).map(([sku, c]) => `${sku} ${(c / 100).toFixed(2)}`).join("\n");
    };
    row.insertCell().append(edit);
  }
}

async function savePriceList(event) {
  event.preventDefault();
  try {
    const prices = {};
    for (const line of $("list-prices").value.split("\n").map((l) => l.trim()).filter(Boolean)) {
      const [sku, price] = line.split(/\s+/);
      prices[sku] = toLisente(price || "");
    }
    const body = {
      description: $("list-description").value, prices,
      stores: $("list-stores").value.split(",").map((s) => s.trim()).filter(Boolean),
    };
    await hq.api(`/catalog/price-lists/${encodeURIComponent($("list-name").value.trim())}`, { method: "PUT", body: JSON.stringify(body) });
    say(`price list ${$("list-name").value} saved`);
    await showPriceLists();
  } catch (error) { say(error.message); }
}

// What one store sells at, and why: the master's price, its price list's, or its own (an approved
// recommendation for that store, which HQ can take back).
const SOURCES = { master: "master", list: "price list", store: "this store" };

function showStorePrices(storeId, prices) {
  const rows = $("store-prices").querySelector("tbody");
  rows.replaceChildren();
  for (const p of prices) {
    const row = rows.insertRow();
    row.dataset.sku = p.sku;
    const from = p.source === "list" ? `${SOURCES.list} ${p.price_list}` : SOURCES[p.source] || p.source;
    for (const text of [p.sku, p.name, maloti(p.master_cents), maloti(p.price_cents), from]) row.insertCell().textContent = text;
    const cell = row.insertCell();
    if (p.source !== "store") continue;
    const back = document.createElement("button");
    back.textContent = "Use the list or master price";
    back.setAttribute("aria-label", `use the list or master price for ${p.sku} at ${storeId}`);
    back.onclick = async () => {
      try {
        const path = `/catalog/stores/${encodeURIComponent(storeId)}/prices/${encodeURIComponent(p.sku)}`;
        showStorePrices(storeId, await hq.api(path, { method: "DELETE" }));
        say(`${p.sku} at ${storeId} follows its price list or the master again: push it to change the till`);
      } catch (error) { say(error.message); }
    };
    cell.append(back);
  }
}

async function loadStorePrices(event) {
  event.preventDefault();
  try {
    const storeId = $("price-store").value;
    if (!storeId) throw new Error("no store has reported to HQ yet");
    showStorePrices(storeId, await hq.api(`/catalog/stores/${encodeURIComponent(storeId)}/prices`));
  } catch (error) { say(error.message); }
}

async function fillStoreChoice() {
  const select = $("price-store");
  select.replaceChildren();
  for (const s of await hq.api("/fleet/")) select.append(new Option(s.store_id, s.store_id));
}

async function pushToStores() {
  try {
    const only = $("only-this").checked;
    if (only && !$("sku").value.trim()) throw new Error("choose a product first, or untick 'Only the product above'");
    const body = { stores: push.chosen($("stores")), skus: only ? [$("sku").value.trim()] : null };
    const batch = await hq.api("/catalog/push", { method: "POST", body: JSON.stringify(body) });
    say("");
    await push.follow(batch.batch_id, $("deliveries"), $("push-summary"));
  } catch (error) { say(error.message); }
}

$("search-form").onsubmit = (event) => { event.preventDefault(); showProducts().catch((e) => say(e.message)); };
$("product-form").onsubmit = saveProduct;
$("price-list-form").onsubmit = savePriceList;
$("push").onclick = pushToStores;
$("store-prices-form").onsubmit = loadStorePrices;
Promise.all([showProducts(), showPriceLists(), push.storePicker($("stores")), fillStoreChoice()]).catch((e) => say(e.message));
