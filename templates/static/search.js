// Search over the static Pagefind index: title, date and excerpt for each result.
const bundle = document.querySelector("script[data-pagefind]").dataset.pagefind;
const form = document.querySelector(".search-form");
const input = document.getElementById("search-input");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");

let pagefind;
async function load() {
  if (!pagefind) {
    pagefind = await import(bundle);
    await pagefind.init();
  }
  return pagefind;
}

function text(tag, value, className) {
  const el = document.createElement(tag);
  el.textContent = value;
  if (className) el.className = className;
  return el;
}

async function run(query) {
  list.replaceChildren();
  if (!query.trim()) { status.textContent = ""; return; }
  status.textContent = "Searching…";
  const engine = await load();
  const search = await engine.debouncedSearch(query, {}, 150);
  if (search === null) return;
  const results = await Promise.all(search.results.slice(0, 20).map((r) => r.data()));
  status.textContent = results.length ? `${results.length} result${results.length === 1 ? "" : "s"} for “${query}”` : `No results for “${query}”`;
  for (const data of results) {
    const item = document.createElement("li");
    const link = text("a", data.meta.title || data.url);
    link.href = data.url;
    const heading = document.createElement("h2");
    heading.append(link);
    item.append(heading);
    if (data.meta.date) item.append(text("p", data.meta.date, "card-meta"));
    const excerpt = document.createElement("p");
    excerpt.innerHTML = data.excerpt; // Pagefind escapes page text and adds only <mark>
    item.append(excerpt);
    list.append(item);
  }
}

form.addEventListener("submit", (event) => { event.preventDefault(); run(input.value); });
input.addEventListener("input", () => run(input.value));
const initial = new URLSearchParams(location.search).get("q");
if (initial) { input.value = initial; run(initial); }
