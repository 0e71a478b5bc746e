"use strict";
// HQ dashboards page: the filters, one card per dashboard (its chart from charts.js, its data table, its
// downloads), all from the JSON API with the token HQ's login keeps in sessionStorage.

const API = "/api/v1/dashboards";
const $ = (selector, root = document) => root.querySelector(selector);
let generation = 0; // a newer refresh makes the answers of an older one stale

// ---- the API ---------------------------------------------------------------------------------------

async function api(path) {
  const answer = await fetch(path, { headers: { Authorization: `Bearer ${sessionStorage.getItem("hq_token")}` } });
  if (answer.status === 401) throw new Error("Your HQ session has ended: log in again, then reload this page.");
  if (!answer.ok) {
    const detail = await answer.json().then((body) => body.detail, () => null);
    throw new Error(detail || `the server answered ${answer.status} ${answer.statusText}`);
  }
  return answer;
}

function query() {
  const params = new URLSearchParams({ date_from: $("#date-from").value, date_to: $("#date-to").value });
  for (const option of $("#stores").selectedOptions) params.append("store", option.value);
  if ($("#category").value) params.set("category", $("#category").value);
  return params.toString();
}

// ---- the page --------------------------------------------------------------------------------------

function showMessage(text) {
  $("#message").textContent = text;
  $("#message").hidden = !text;
}

function addCard(dashboard) {
  const card = $("#card").content.firstElementChild.cloneNode(true);
  card.dataset.dashboard = dashboard.name;
  card.dataset.kind = dashboard.kind;
  $("h2", card).textContent = dashboard.title;
  $("h2", card).id = `title-${dashboard.name}`;
  card.setAttribute("aria-labelledby", `title-${dashboard.name}`);
  for (const button of card.querySelectorAll("[data-format]")) {
    button.setAttribute("aria-label", `download ${dashboard.title} as ${button.dataset.format.toUpperCase()}`);
    button.addEventListener("click", () => download(dashboard.name, button.dataset.format).catch((e) => showMessage(e.message)));
  }
  $("#cards").append(card);
}

async function fillCard(card, asked, params) {
  card.dataset.state = "loading";
  let data;
  try {
    data = await (await api(`${API}/${card.dataset.dashboard}?${params}`)).json();
  } catch (error) {
    if (asked !== generation) return;
    card.dataset.state = "error";
    throw error;
  }
  if (asked !== generation) return; // the filters changed meanwhile
  const empty = data.rows.length === 0;
  $(".chart", card).replaceChildren(...(empty ? [] : draw(data)));
  $(".note", card).textContent = empty ? "Nothing to show for these filters." : "";
  $(".note", card).hidden = !empty;
  $(".table-wrap", card).replaceChildren(dataTable(data));
  card.dataset.rows = String(data.rows.length);
  card.dataset.state = "ready";
}

async function refresh() {
  const asked = ++generation;
  const params = query();
  const cards = $("#cards");
  cards.dataset.state = "loading";
  const outcomes = await Promise.allSettled([...cards.children].map((card) => fillCard(card, asked, params)));
  if (asked !== generation) return;
  const failed = outcomes.find((outcome) => outcome.status === "rejected");
  showMessage(failed ? failed.reason.message : "");
  cards.dataset.query = params;
  cards.dataset.state = failed ? "error" : "ready";
}

async function download(name, format) {
  const answer = await api(`${API}/${name}/export?${query()}&format=${format}`);
  const named = /filename="([^"]+)"/.exec(answer.headers.get("Content-Disposition") || "");
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await answer.blob());
  link.download = named ? named[1] : `${name}.${format}`;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

async function start() {
  if (!sessionStorage.getItem("hq_token")) {
    showMessage("Log in to HQ first: the dashboards need your session.");
    return;
  }
  const [list, choices] = await Promise.all([api(`${API}/`), api(`${API}/filters`)].map((p) => p.then((a) => a.json())));
  for (const store of choices.stores) $("#stores").add(new Option(store.name ? `${store.store_id} · ${store.name}` : store.store_id, store.store_id));
  for (const category of choices.categories) $("#category").add(new Option(category, category));
  $("#date-from").value = choices.date_from;
  $("#date-to").value = choices.date_to;
  list.forEach(addCard);
  $("#filters").addEventListener("submit", (event) => event.preventDefault());
  $("#filters").addEventListener("change", refresh);
  $("#all-stores").addEventListener("click", () => {
    for (const option of $("#stores").options) option.selected = false;
    refresh();
  });
  await refresh();
}

start().catch((error) => showMessage(error.message));
