/** The demo page: an EventSource on /events and /clock, and a form that POSTs to /publish. */
export const page = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>SSE example</title>
    <style>
      body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; }
      #clock { font-variant-numeric: tabular-nums; }
      #events li { font-family: ui-monospace, monospace; }
      .status { color: #666; font-size: 0.9em; }
    </style>
  </head>
  <body>
    <h1>Server-Sent Events</h1>
    <p>Clock (<code>/clock</code>): <strong id="clock">…</strong></p>
    <form id="publish">
      <input name="text" placeholder="Say something" autocomplete="off" required />
      <button>Publish</button>
      <span class="status" id="status">connecting…</span>
    </form>
    <ul id="events"></ul>
    <script type="module">
      const clock = new EventSource('/clock');
      clock.addEventListener('tick', (event) => {
        document.getElementById('clock').textContent = new Date(event.data).toLocaleTimeString();
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
        await fetch('/publish', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: form.text.value }),
        });
        form.reset();
      });
    </script>
  </body>
</html>
`;
