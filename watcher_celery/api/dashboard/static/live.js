/* Server-sent events read with fetch(), so the request can carry the auth token header
   (EventSource cannot send headers). Reconnects with ?after=<last id> until an "end". */
"use strict";

const Live = (() => {
  function parse(block) {
    const msg = { event: "message", data: "", id: null };
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      const i = line.indexOf(":");
      const field = i < 0 ? line : line.slice(0, i);
      const value = i < 0 ? "" : line.slice(i + 1).replace(/^ /, "");
      if (field === "event") msg.event = value;
      else if (field === "data") msg.data += (msg.data ? "\n" : "") + value;
      else if (field === "id") msg.id = value;
    }
    return msg.data ? msg : null;
  }

  /* follow(url, headers, onMessage) → {stop()}; onMessage(event, data). */
  function follow(url, headers, onMessage, onError) {
    const ctrl = new AbortController();
    let after = null, ended = false;
    async function once() {
      const full = after === null ? url : `${url}?after=${after}`;
      const resp = await fetch(full, { headers, signal: ctrl.signal });
      if (!resp.ok) {
        ended = true;
        onError(resp.status, await resp.text());
        return;
      }
      const reader = resp.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const msg = parse(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
          if (!msg) continue;
          if (msg.id !== null) after = msg.id;
          if (msg.event === "end") ended = true;
          onMessage(msg.event, JSON.parse(msg.data));
        }
      }
    }
    (async () => {
      while (!ended && !ctrl.signal.aborted) {
        try { await once(); } catch (e) { if (ctrl.signal.aborted) return; }
        if (!ended) await new Promise((r) => setTimeout(r, 1000));
      }
    })();
    return { stop: () => ctrl.abort() };
  }

  return { follow, parse };
})();
