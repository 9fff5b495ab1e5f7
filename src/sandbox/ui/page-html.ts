// The web phone's assets, shipped inside the package as strings (no build step, no CDN, works
// offline): the page. The script writes every outside text with
// textContent; the page's Content-Security-Policy (assets.ts) allows only these same-origin files.
// Edit them here; they hold no backticks or template placeholders (String.raw keeps them verbatim).

/** The page at /. */
export const INDEX_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>mms sandbox · web phone</title>
<link rel="stylesheet" href="/ui/app.css">
<script src="/ui/app.js" defer></script>
</head>
<body>
<header class="top">
  <h1>mms sandbox</h1>
  <nav class="tabs" aria-label="Views">
    <button type="button" data-view="phone" class="tab active">Phone</button>
    <button type="button" data-view="webhooks" class="tab">Webhooks <span id="webhook-count" class="count"></span></button>
    <button type="button" data-view="faults" class="tab">Faults</button>
  </nav>
  <input id="search" type="search" placeholder="Search numbers and text" aria-label="Search numbers and text">
  <span id="live" class="live" role="status">connecting…</span>
  <button type="button" id="clear-all" class="danger">Clear all</button>
</header>
<main>
  <section id="view-phone" class="view phone">
    <nav class="col handsets" aria-label="Handsets">
      <h2>Handsets</h2>
      <ul id="handset-list" class="list"></ul>
      <form id="new-handset" class="inline">
        <input id="new-number" placeholder="+15551234567" aria-label="New handset number" autocomplete="off">
        <button type="submit">Add</button>
      </form>
    </nav>
    <nav class="col threads" aria-label="Conversations">
      <h2 id="threads-title">Conversations</h2>
      <ul id="thread-list" class="list"></ul>
      <form id="new-thread" class="inline" hidden>
        <select id="new-thread-to" aria-label="Sandbox number to write to"></select>
        <button type="submit">Write</button>
      </form>
    </nav>
    <section class="col thread" id="thread" aria-label="Thread">
      <h2 id="thread-title">Pick a handset</h2>
      <div id="optouts" class="optouts" role="status" hidden></div>
      <ol id="bubbles" class="bubbles"></ol>
      <p id="compose-note" class="note" hidden></p>
      <form id="compose" class="compose" hidden>
        <ul id="attachments" class="attachments"></ul>
        <div class="row">
          <label class="attach" title="Attach files">Attach<input type="file" id="compose-file" multiple></label>
          <textarea id="compose-body" rows="2" placeholder="Text message (drop files here)" aria-label="Message text"></textarea>
          <button type="submit" id="compose-send">Send</button>
        </div>
        <p id="compose-error" class="error" role="alert"></p>
      </form>
    </section>
  </section>
  <section id="view-webhooks" class="view" hidden>
    <table class="hooks">
      <thead><tr><th>Time</th><th>Kind</th><th>Message</th><th>URL</th><th>Answer</th><th>ms</th><th>Request / response</th><th></th></tr></thead>
      <tbody id="webhook-rows"></tbody>
    </table>
    <p id="webhook-more" class="note" hidden></p>
  </section>
  <section id="view-faults" class="view" hidden>
    <form id="faults-form" class="faults" novalidate>
      <fieldset>
        <legend>Message requests (empty: off)</legend>
        <label>Rate limit (requests/s per provider, above 0) <input name="rateLimit" type="number" min="0" step="any"></label>
        <label>Fail rate (0–1, provider 500) <input name="failRate" type="number" min="0" max="1" step="any"></label>
        <label>Throttle rate (0–1, provider 429) <input name="throttleRate" type="number" min="0" max="1" step="any"></label>
        <label>Reset rate (0–1, connection reset after create) <input name="resetRate" type="number" min="0" max="1" step="any"></label>
        <label>Timeout rate (0–1, never answered) <input name="timeoutRate" type="number" min="0" max="1" step="any"></label>
        <label>Latency min ms (0–600000) <input name="latencyMin" type="number" min="0" max="600000" step="1"></label>
        <label>Latency max ms (0–600000) <input name="latencyMax" type="number" min="0" max="600000" step="1"></label>
      </fieldset>
      <fieldset>
        <legend>Webhook chaos (empty: off)</legend>
        <label>Duplicates (0–1 of webhooks sent twice) <input name="chaosDup" type="number" min="0" max="1" step="any"></label>
        <label>Reorder (0–1 of status callbacks held back) <input name="chaosReorder" type="number" min="0" max="1" step="any"></label>
        <label>Late: delay up to ms (0–600000) <input name="chaosLateMs" type="number" min="0" max="600000" step="1"></label>
        <label>Late: share (0–1; empty: every callback) <input name="chaosLate" type="number" min="0" max="1" step="any"></label>
      </fieldset>
      <div class="row"><button type="submit">Apply</button> <span id="faults-status" role="status"></span></div>
    </form>
  </section>
</main>
</body>
</html>
`;
