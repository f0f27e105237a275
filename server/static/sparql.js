// Query UI: YASGUI against this server only (no outbound calls), named queries, share and download links.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("sparql-config").textContent);
  const examples = JSON.parse(document.getElementById("sparql-examples").textContent);

  // Before constructing Yasgui: the "class"/"property" completers call the LOV web service.
  Yasgui.Yasqe.defaults.autocompleters = ["prefixes", "variables"];
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    populateFromUrl: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: config.endpoint }] },
    yasqe: { prefixCcApi: null, value: config.query },
    yasr: { prefixes: config.prefixes },
  });
  const tab = yasgui.getTab();
  const yasqe = tab.getYasqe();
  // Full cell text, no click-to-expand ellipsis: the first click on an IRI follows the link.
  const table = tab.getYasr().plugins.table;
  if (table) table.persistentConfig.isEllipsed = false;

  // IRIs under the base IRI open this server's pages (same tab), e.g. /id/organisation/x.
  function localise(root) {
    root.querySelectorAll("a[href]").forEach((a) => {
      const href = a.getAttribute("href");
      if (!href.startsWith(config.baseIri)) return;
      a.setAttribute("href", config.localBase + href.slice(config.baseIri.length));
      a.removeAttribute("target");
      a.classList.add("local-iri");
    });
  }
  // A malformed query's message names each missing prefix as "add PREFIX p: <iri>" (server/queryerrors.py):
  // offer one button that adds them all and runs the query again.
  const fixes = document.getElementById("query-fixes");
  function offerFixes() {
    const error = document.querySelector("#yasgui .errorResult");
    const lines = error ? [...new Set(error.textContent.match(/(?<=add )PREFIX [^\s:]*: <[^<>\s]*>/g))] : [];
    if (fixes.dataset.lines === lines.join("\n")) return;
    fixes.dataset.lines = lines.join("\n");
    fixes.replaceChildren();
    if (!lines.length) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "fix-prefixes";
    button.textContent = "Add " + lines.join(", ") + " and run";
    button.addEventListener("click", () => {
      yasqe.setValue(lines.join("\n") + "\n" + yasqe.getValue());
      yasqe.query();
    });
    fixes.append(button);
  }
  new MutationObserver(() => {
    localise(document.getElementById("yasgui"));
    offerFixes();
  }).observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  function queryUrl(extra) {
    const params = new URLSearchParams({ query: yasqe.getValue(), ...extra });
    return config.endpoint + "?" + params.toString();
  }

  function updateLinks() {
    const share = new URLSearchParams({ query: yasqe.getValue() });
    document.getElementById("share-link").setAttribute("href", "?" + share.toString());
    const type = (yasqe.getQueryType() || "SELECT").toUpperCase();
    const kind = type === "CONSTRUCT" || type === "DESCRIBE" ? "graph" : "results";
    const downloads = document.getElementById("downloads");
    downloads.replaceChildren();
    config.formats[kind].forEach(([name, mediaType], i) => {
      const a = document.createElement("a");
      a.href = queryUrl({ format: name });
      a.textContent = name.toUpperCase();
      a.title = mediaType;
      a.className = "download";
      a.setAttribute("download", "query-results." + name);
      if (i) downloads.append(" ");
      downloads.append(a);
    });
  }

  yasqe.on("change", updateLinks);
  yasqe.on("query", () => {
    updateLinks();
    history.replaceState(null, "", document.getElementById("share-link").getAttribute("href"));
  });
  document.querySelectorAll("button.example").forEach((button) => {
    button.addEventListener("click", () => {
      yasqe.setValue(examples[button.dataset.example]);
      yasqe.focus();
    });
  });
  updateLinks();
  if (config.runOnLoad) yasqe.query();
})();
