/** The demo page: a clock, a live feed of `/events`, and a form that POSTs to `/publish`. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>@sse/fastify example</title>
  <style>
    body { font: 16px/1.5 system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; }
    #feed { padding-left: 1.2rem; }
    code { background: #f3f3f3; padding: 0 .2rem; }
  </style>
</head>
<body>
  <h1>@sse/fastify</h1>
  <p>Server time (<code>/clock</code>): <strong id="clock">connecting...</strong></p>
  <form id="publish">
    <input name="text" placeholder="Say something" required autocomplete="off">
    <button>Publish</button>
  </form>
  <p>Events on <code>/events</code> (open a second tab to see them fan out):</p>
  <ol id="feed"></ol>
  <script>
    const clock = new EventSource('/clock');
    clock.addEventListener('tick', (event) => {
      document.getElementById('clock').textContent = JSON.parse(event.data).now;
    });
    const events = new EventSource('/events');
    events.addEventListener('message', (event) => {
      const item = document.createElement('li');
      item.textContent = '#' + event.lastEventId + ' ' + event.data;
      document.getElementById('feed').append(item);
    });
    document.getElementById('publish').addEventListener('submit', async (event) => {
      event.preventDefault();
      const form = event.target;
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
