/**
 * The dashboard page: cards fed by `/metrics`, a chart of events per second over the last
 * minute, a "send a burst" form that POSTs to `/load`, and the last feed events from `/feed`.
 * No build step and no library: one HTML document with a module script.
 */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>SSE live dashboard</title>
    <style>
      body { font: 15px/1.5 system-ui, sans-serif; max-width: 56rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
      .cards { display: grid; grid-template-columns: repeat(4, 1fr); gap: 0.75rem; }
      .card { border: 1px solid #ddd; border-radius: 8px; padding: 0.75rem; }
      .card b { display: block; font-size: 1.6rem; font-variant-numeric: tabular-nums; }
      .card span { color: #666; font-size: 0.85rem; }
      svg { width: 100%; height: 120px; border: 1px solid #ddd; border-radius: 8px; margin: 1rem 0; }
      polyline { fill: none; stroke: #2563eb; stroke-width: 2; }
      #feed li { font-family: ui-monospace, monospace; font-size: 0.85rem; }
      .status { color: #666; }
    </style>
  </head>
  <body>
    <h1>Live dashboard <small class="status" id="status">connecting…</small></h1>
    <div class="cards">
      <div class="card"><b id="clients">–</b><span>open SSE connections</span></div>
      <div class="card"><b id="rate">–</b><span>feed events / s</span></div>
      <div class="card"><b id="delivered">–</b><span>deliveries (this instance)</span></div>
      <div class="card"><b id="heap">–</b><span>heap MiB · <span id="cpu">–</span>% CPU</span></div>
    </div>
    <svg id="chart" viewBox="0 0 600 120" preserveAspectRatio="none" aria-label="events per second, last 60 s">
      <polyline id="line" points="" />
    </svg>
    <form id="load">
      <label>Send a burst of <input name="events" type="number" min="1" max="10000" value="1000" /> events</label>
      <button>Send</button>
      <span class="status" id="load-status"></span>
    </form>
    <h2>Feed <small class="status">(the last 20 of <span id="received">0</span> received)</small></h2>
    <ol id="feed"></ol>
    <script type="module">
      const $ = (id) => document.getElementById(id);
      const rates = [];

      const metrics = new EventSource('/metrics');
      metrics.onopen = () => ($('status').textContent = 'live');
      metrics.onerror = () => ($('status').textContent = 'reconnecting…');
      metrics.addEventListener('metrics', (event) => {
        const sample = JSON.parse(event.data);
        $('clients').textContent = sample.clients;
        $('rate').textContent = sample.eventsPerSecond.toLocaleString('en');
        $('delivered').textContent = sample.delivered.toLocaleString('en');
        $('heap').textContent = sample.heapUsedMb;
        $('cpu').textContent = sample.cpuPercent;
        rates.push(sample.eventsPerSecond);
        if (rates.length > 60) rates.shift();
        const top = Math.max(10, ...rates);
        $('line').setAttribute(
          'points',
          rates.map((rate, i) => (i * 10) + ',' + (118 - (rate / top) * 112).toFixed(1)).join(' '),
        );
      });

      let received = 0;
      const feed = new EventSource('/feed');
      feed.addEventListener('load', (event) => {
        const { burst, n, of } = JSON.parse(event.data);
        $('received').textContent = ++received;
        // Only the last event of a burst (or of every 100) gets a line: a burst can be 10 000.
        if (n !== of && n % 100 !== 0) return;
        const item = document.createElement('li');
        item.textContent = '#' + event.lastEventId + ' burst ' + burst + ': ' + n + '/' + of;
        $('feed').prepend(item);
        while ($('feed').children.length > 20) $('feed').lastChild.remove();
      });

      $('load').addEventListener('submit', async (event) => {
        event.preventDefault();
        const events = Number(event.currentTarget.events.value);
        const response = await fetch('/load', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        });
        const body = await response.json();
        $('load-status').textContent = response.ok ? 'published ' + body.published : body.error;
      });
    </script>
  </body>
</html>
`;
}
