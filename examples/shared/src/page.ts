const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * The demo page every example serves at `/`: a clock on `/clock`, a live feed of `/events`, and
 * a form that POSTs JSON to `/publish`.
 *
 * @param framework - The name shown in the title and heading, e.g. `'express'`.
 */
export function examplePage(framework: string): string {
  const name = escapeHtml(framework);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>SSE example (${name})</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
      #clock { font-variant-numeric: tabular-nums; }
      #events li { font-family: ui-monospace, monospace; }
      code { background: #f3f3f3; padding: 0 0.2rem; }
      .status { color: #666; font-size: 0.9em; }
    </style>
  </head>
  <body>
    <h1>Server-Sent Events with <code>@sse/${name}</code></h1>
    <p>Served by <strong id="framework">${name}</strong>.</p>
    <p>Server time (<code>/clock</code>): <strong id="clock">…</strong></p>
    <form id="publish">
      <input name="text" placeholder="Say something" autocomplete="off" required />
      <button>Publish</button>
      <span class="status" id="status">connecting…</span>
    </form>
    <p>Events on <code>/events</code> (open a second tab to see them fan out):</p>
    <ul id="events"></ul>
    <script type="module">
      const clock = new EventSource('/clock');
      clock.addEventListener('tick', (event) => {
        const { now } = JSON.parse(event.data);
        document.getElementById('clock').textContent = new Date(now).toLocaleTimeString();
      });

      const status = document.getElementById('status');
      const events = new EventSource('/events');
      events.onopen = () => (status.textContent = 'connected');
      events.onerror = () => (status.textContent = 'reconnecting…');
      events.onmessage = (event) => {
        const item = document.createElement('li');
        item.textContent = '#' + event.lastEventId + ' ' + event.data;
        document.getElementById('events').prepend(item);
      };

      document.getElementById('publish').addEventListener('submit', async (event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const response = await fetch('/publish', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: form.text.value }),
        });
        if (response.ok) form.reset();
        else status.textContent = (await response.json()).error;
      });
    </script>
  </body>
</html>
`;
}
