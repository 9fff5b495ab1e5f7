// The web phone's assets, shipped inside the package as strings (no build step, no CDN, works
// offline): the stylesheet. The script writes every outside text with
// textContent; the page's Content-Security-Policy (assets.ts) allows only these same-origin files.
// Edit them here; they hold no backticks or template placeholders (String.raw keeps them verbatim).

/** /ui/app.css. */
export const APP_CSS = String.raw`:root {
  --bg: #f4f5f7; --panel: #fff; --line: #dde1e6; --ink: #1d2430; --muted: #6b7482;
  --mine: #2f6fed; --theirs: #e9ecf1; --bad: #c62828; --ok: #2e7d32;
}
* { box-sizing: border-box; }
/* The views, forms and notes are shown and hidden with the hidden attribute: no display rule may win over it. */
[hidden] { display: none !important; }
html, body { height: 100%; margin: 0; }
body {
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: var(--bg); display: flex; flex-direction: column;
}
button, input, select, textarea { font: inherit; }
button { border: 1px solid var(--line); background: var(--panel); border-radius: 6px; padding: 4px 10px; cursor: pointer; }
button:hover { border-color: #b9c0ca; }
button.danger { color: var(--bad); }
.top {
  display: flex; flex-wrap: wrap; align-items: center; gap: 8px 12px; padding: 8px 14px;
  background: var(--panel); border-bottom: 1px solid var(--line);
}
.top h1 { font-size: 16px; margin: 0 8px 0 0; }
.tabs { display: flex; gap: 4px; }
.tab.active { background: var(--ink); color: #fff; border-color: var(--ink); }
.count { font-size: 11px; opacity: .8; }
#search { flex: 1 1 160px; min-width: 0; max-width: 360px; padding: 4px 8px; border: 1px solid var(--line); border-radius: 6px; }
.live { font-size: 12px; color: var(--muted); }
.live.on { color: var(--ok); }
main { flex: 1; min-height: 0; display: flex; }
.view { flex: 1; min-height: 0; overflow: auto; }
.phone { display: grid; grid-template-columns: 220px 240px 1fr; }
.col { border-right: 1px solid var(--line); background: var(--panel); min-height: 0; overflow: auto; display: flex; flex-direction: column; }
.col h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); margin: 10px 12px 6px; }
.list { list-style: none; margin: 0; padding: 0; flex: 1; }
.list li { padding: 8px 12px; cursor: pointer; border-bottom: 1px solid #f0f2f5; }
.list li:hover { background: #f6f8fb; }
.list li.active { background: #e8f0fe; }
.list .sub { display: block; font-size: 12px; color: var(--muted); overflow: hidden; white-space: nowrap; text-overflow: ellipsis; }
.tag { font-size: 11px; background: var(--theirs); border-radius: 4px; padding: 0 5px; margin-left: 4px; color: var(--muted); }
.tag.optout { background: #fdecea; color: var(--bad); font-weight: 600; }
.optouts { margin: 0 16px; }
.optout-line {
  display: flex; flex-wrap: wrap; align-items: center; gap: 6px 10px; margin: 0 0 6px; padding: 6px 10px;
  background: #fdecea; color: #7f1d1d; border-radius: 8px; font-size: 12px; overflow-wrap: anywhere;
}
.optout-line span { flex: 1 1 220px; }
.inline { display: flex; gap: 6px; padding: 8px 12px; border-top: 1px solid var(--line); }
.inline input, .inline select { flex: 1; min-width: 0; padding: 4px 6px; border: 1px solid var(--line); border-radius: 6px; }
.thread { background: var(--bg); }
.bubbles { list-style: none; margin: 0; padding: 12px 16px; flex: 1; min-height: 0; overflow: auto; display: flex; flex-direction: column; gap: 8px; }
.bubble {
  max-width: 70%; padding: 8px 12px; border-radius: 16px; background: var(--theirs);
  align-self: flex-start; white-space: pre-wrap; overflow-wrap: anywhere;
}
.bubble.mine { background: var(--mine); color: #fff; align-self: flex-end; }
.bubble .meta { display: block; font-size: 11px; opacity: .75; margin-top: 4px; }
.bubble img, .bubble video { display: block; max-width: 100%; max-height: 280px; border-radius: 10px; margin: 4px 0; }
.bubble audio { display: block; margin: 4px 0; }
.bubble a { color: inherit; }
.bubble.failed { outline: 2px solid var(--bad); }
.status-failed, .status-undelivered { color: #ffd5d5; font-weight: 600; }
.bubble:not(.mine) .status-failed { color: var(--bad); }
.note { margin: 8px 16px; color: var(--muted); font-size: 12px; }
.compose { border-top: 1px solid var(--line); background: var(--panel); padding: 8px 12px; }
.compose.drop { outline: 2px dashed var(--mine); }
.compose .row { display: flex; gap: 8px; align-items: flex-end; }
.compose textarea { flex: 1; resize: vertical; border: 1px solid var(--line); border-radius: 8px; padding: 6px 8px; }
.attach { cursor: pointer; border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; }
.attach input { display: none; }
.attachments { list-style: none; margin: 0 0 6px; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
.attachments li { background: var(--theirs); border-radius: 6px; padding: 2px 8px; font-size: 12px; }
.attachments button { border: 0; background: none; padding: 0 0 0 4px; }
.error { color: var(--bad); margin: 4px 0 0; min-height: 1em; font-size: 12px; }
.hooks { width: 100%; border-collapse: collapse; background: var(--panel); font-size: 13px; }
.hooks th, .hooks td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
.hooks td.url { max-width: 320px; overflow-wrap: anywhere; }
.hooks pre { white-space: pre-wrap; overflow-wrap: anywhere; max-width: 520px; margin: 4px 0; font-size: 12px; }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.faults { display: grid; gap: 12px; max-width: 480px; padding: 16px; }
.faults fieldset { display: grid; gap: 10px; border: 1px solid var(--line); border-radius: 8px; background: var(--panel); margin: 0; }
.faults legend { font-weight: 600; padding: 0 4px; }
.faults label { display: flex; justify-content: space-between; gap: 12px; align-items: center; }
.faults input { width: 120px; flex: none; padding: 4px 6px; border: 1px solid var(--line); border-radius: 6px; }
.faults input:invalid { border-color: var(--bad); }
#faults-status { overflow-wrap: anywhere; }
/* Narrow screens: the columns stack and the page scrolls; the thread takes a screen of its own. */
@media (max-width: 760px) {
  .top h1 { font-size: 15px; }
  .view.phone { display: block; }
  .col { border-right: 0; border-bottom: 1px solid var(--line); }
  .handsets .list { max-height: 40vh; overflow: auto; }
  .threads .list { max-height: 30vh; overflow: auto; }
  .thread { height: 100%; min-height: 360px; }
  .bubble { max-width: 85%; }
  .hooks thead { display: none; }
  .hooks tr { display: block; border-bottom: 1px solid var(--line); padding: 6px 0; }
  .hooks td { display: block; border: 0; padding: 2px 12px; }
  .hooks pre { max-width: none; }
}
`;
