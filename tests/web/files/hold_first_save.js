// Loaded before the workbench's own script: the page's first manual-score POST waits until the test opens
// `window.saveGate`, and the page counts how many of those POSTs were ever in flight at once.
(() => {
  const original = window.fetch.bind(window);
  let open;
  const gate = new Promise((resolve) => { open = resolve; });
  let held = false, inFlight = 0;
  window.saveGate = {open: () => open(), maxInFlight: 0, sent: 0};
  window.fetch = async (url, options) => {
    const isSave = String(url).endsWith("/manual") && options && options.method === "POST";
    if (!isSave) return original(url, options);
    inFlight += 1;
    window.saveGate.sent += 1;
    window.saveGate.maxInFlight = Math.max(window.saveGate.maxInFlight, inFlight);
    try {
      if (!held) { held = true; await gate; }
      return await original(url, options);
    } finally {
      inFlight -= 1;
    }
  };
})();
