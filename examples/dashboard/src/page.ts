import { dashboardScript } from './page-script';

/**
 * The dashboard page: cards fed by `/metrics`, a chart of feed events per second over the last
 * minute (with axes), a "send a burst" form that POSTs to `/load`, and the feed from `/feed`.
 * No build step and no library: one HTML document with a module script.
 */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>SSE live dashboard</title>
    <style>
      :root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --accent: #2563eb; --bg: #f8fafc; }
      * { box-sizing: border-box; }
      body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: var(--ink); background: var(--bg); }
      header { background: var(--ink); color: #fff; padding: 0.9rem 1.5rem; display: flex; align-items: center; gap: 1rem; }
      header h1 { font-size: 1.15rem; margin: 0; }
      header .by { color: #94a3b8; font-size: 0.85rem; margin-left: auto; }
      .pill { font-size: 0.75rem; padding: 0.1rem 0.6rem; border-radius: 999px; background: #475569; }
      .pill.live { background: #16a34a; }
      main { max-width: 60rem; margin: 0 auto; padding: 1.25rem 1.5rem 2rem; }
      .intro { color: var(--muted); margin: 0 0 1rem; }
      .intro code { color: var(--ink); }
      .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.75rem; }
      .card, .panel { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 0.8rem 1rem; }
      .card b { display: block; font-size: 1.7rem; font-variant-numeric: tabular-nums; }
      .card span { color: var(--muted); font-size: 0.85rem; }
      .panel { margin-top: 1rem; }
      .panel h2 { font-size: 0.95rem; margin: 0 0 0.5rem; }
      .panel h2 small { color: var(--muted); font-weight: normal; }
      .grid-lines line { stroke: var(--line); }
      .axis text { fill: var(--muted); font-size: 11px; }
      .axis .title { fill: var(--ink); font-size: 12px; }
      #area { fill: rgba(37, 99, 235, 0.12); stroke: none; }
      #line { fill: none; stroke: var(--accent); stroke-width: 2; stroke-linejoin: round; }
      .row { display: flex; gap: 1rem; align-items: flex-start; }
      .row > .panel { flex: 1; }
      form input { width: 6rem; font: inherit; padding: 0.2rem 0.4rem; }
      form button { font: inherit; padding: 0.25rem 0.9rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; }
      .status { color: var(--muted); font-size: 0.85rem; }
      #feed { margin: 0; padding-left: 0; list-style: none; }
      #feed li { font-family: ui-monospace, monospace; font-size: 0.82rem; padding: 0.15rem 0; border-bottom: 1px solid var(--line); }
      #feed li:first-child { color: var(--accent); }
    </style>
  </head>
  <body>
    <header>
      <h1>Live dashboard</h1>
      <span class="pill" id="status">connecting…</span>
      <span class="by">Server-Sent Events · @sse/core + @sse/express</span>
    </header>
    <main>
      <p class="intro">
        Everything here arrives over two Server-Sent Events streams from this server:
        <code>/metrics</code> sends one sample a second (the cards and the chart) and
        <code>/feed</code> every event of every burst. Send a burst and watch the rate, the
        deliveries and the feed move; open a second tab and both receive it.
      </p>
      <div class="cards">
        <div class="card"><b id="clients">–</b><span>open SSE connections</span></div>
        <div class="card"><b id="rate">–</b><span>feed events / s</span></div>
        <div class="card"><b id="delivered">–</b><span>deliveries (this instance)</span></div>
        <div class="card"><b id="heap">–</b><span>heap MiB · <span id="cpu">–</span>% CPU</span></div>
      </div>
      <section class="panel">
        <h2>Feed events per second <small>last 60 s, one sample a second</small></h2>
        <svg id="chart" viewBox="0 0 640 200" role="img" aria-label="feed events per second over the last 60 seconds">
          <g class="grid-lines" id="grid"></g>
          <g class="axis" id="y-axis"></g>
          <g class="axis">
            <text x="56" y="192" text-anchor="middle">−60 s</text>
            <text x="197" y="192" text-anchor="middle">−45 s</text>
            <text x="338" y="192" text-anchor="middle">−30 s</text>
            <text x="479" y="192" text-anchor="middle">−15 s</text>
            <text x="620" y="192" text-anchor="end">now</text>
            <text class="title" x="14" y="95" transform="rotate(-90 14 95)" text-anchor="middle">events / s</text>
          </g>
          <polygon id="area" points="" />
          <polyline id="line" points="" />
        </svg>
      </section>
      <div class="row">
        <section class="panel">
          <h2>Send a burst</h2>
          <form id="load">
            <label><input name="events" type="number" min="1" max="10000" value="1000" /> events</label>
            <button>Send</button>
          </form>
          <p class="status" id="load-status">Publishes them to the feed channel, one <code>load</code> event each.</p>
        </section>
        <section class="panel">
          <h2>Feed <small>(the latest <span id="feed-lines">12</span> lines, one per 100 events and the last of each burst · <span id="received">0</span> events received)</small></h2>
          <ol id="feed"></ol>
        </section>
      </div>
    </main>
    <script type="module">
${dashboardScript()}
    </script>
  </body>
</html>
`;
}
