"use strict";
// What every HQ page shares: the token (kept for the browser tab only), API calls, the header.
const hq = {
  token: () => sessionStorage.getItem("hq_token"),
  async api(path, options = {}) {
    const headers = { "Content-Type": "application/json", Authorization: "Bearer " + hq.token() };
    const answer = await fetch("/api/v1" + path, { ...options, headers });
    const data = await answer.json().catch(() => ({}));
    if (answer.status === 401) location.href = "/hq/";
    if (!answer.ok) throw new Error(data.detail || answer.statusText);
    return data;
  },
  async logIn(username, password) {
    const answer = await fetch("/api/v1/auth/login", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ username, password }),
    });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) throw new Error(data.detail || answer.statusText);
    sessionStorage.setItem("hq_token", data.access_token);
    sessionStorage.setItem("hq_user", data.user.username);
  },
  // The pages every HQ page links to, in the order of the header's navigation.
  pages: [
    ["/hq/fleet.html", "Fleet"],
    ["/hq/catalog.html", "Catalog"],
    ["/hq/stores.html", "Store settings"],
    ["/hq/reviews.html", "Reviews"],
    ["/hq/dashboards/", "Dashboards"],
  ],
  header() {
    // A page asks for the shared header with <header data-hq-nav>; the login page has a plain one.
    const bar = document.querySelector("header[data-hq-nav]");
    if (bar) {
      const links = hq.pages.map(([href, name]) =>
        `<a href="${href}"${href === location.pathname ? ' aria-current="page"' : ""}>${name}</a>`);
      bar.innerHTML = `<strong>AIWebPOS HQ</strong> <nav>${links.join(" ")}</nav>`
        + ' <span id="who"></span> <button id="logout">Log out</button>';
    }
    const who = document.getElementById("who");
    if (who) who.textContent = sessionStorage.getItem("hq_user") || "";
    const out = document.getElementById("logout");
    if (out) out.onclick = () => { sessionStorage.clear(); location.href = "/hq/"; };
    if (!hq.token() && location.pathname !== "/hq/") location.href = "/hq/";
  },
  when(iso) {
    return iso ? new Date(iso).toLocaleString("en-GB", { timeZone: "Africa/Maseru" }) : "never";
  },
};
hq.header();
