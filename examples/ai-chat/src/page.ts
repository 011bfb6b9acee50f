import { chatScript } from './page-script';

/**
 * The chat page: a question box, the answer as it streams in, and a Stop button. One HTML
 * document with a module script, no build step.
 */
export function chatPage(): string {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>SSE AI chat</title>
    <style>
      :root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --accent: #2563eb; --bg: #f8fafc; }
      * { box-sizing: border-box; }
      body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: var(--ink); background: var(--bg); }
      header { background: var(--ink); color: #fff; padding: 0.9rem 1.5rem; display: flex; align-items: center; gap: 1rem; }
      header h1 { font-size: 1.15rem; margin: 0; }
      .pill { font-size: 0.75rem; padding: 0.1rem 0.6rem; border-radius: 999px; background: #475569; }
      .pill.answering, .pill.done { background: #16a34a; }
      .pill.reconnecting, .pill.stopping, .pill.stopped { background: #d97706; }
      .pill.failed, .pill.closed { background: #dc2626; }
      main { max-width: 48rem; margin: 0 auto; padding: 1.25rem 1.5rem 2rem; }
      .intro { color: var(--muted); margin: 0 0 1rem; }
      .intro code { color: var(--ink); }
      .panel { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 0.8rem 1rem; margin-bottom: 1rem; }
      form { display: flex; gap: 0.5rem; }
      form input { flex: 1; font: inherit; padding: 0.25rem 0.5rem; }
      button { font: inherit; padding: 0.25rem 0.9rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; }
      button:disabled { background: #94a3b8; cursor: default; }
      #prompt { font-weight: 600; margin: 0 0 0.5rem; }
      #answer { white-space: pre-wrap; min-height: 6rem; margin: 0; }
      #error { color: #dc2626; min-height: 1.3em; }
    </style>
  </head>
  <body>
    <header>
      <h1>AI chat</h1>
      <span class="pill" id="status">idle</span>
    </header>
    <main>
      <p class="intro">
        <code>POST /chat</code> starts an answer (a run, <code>hub.run</code>) and returns its
        id; <code>GET /chat/:id/events</code> reads it. Reload mid-answer, open the link in a
        second tab, or stop it: every instance sharing the Redis serves the same answer.
      </p>
      <section class="panel">
        <form id="ask">
          <input name="prompt" autocomplete="off" maxlength="500" placeholder="Ask anything" />
          <button id="ask-button">Ask</button>
          <button type="button" id="stop" disabled>Stop</button>
        </form>
        <div id="error"></div>
      </section>
      <section class="panel">
        <p id="prompt"></p>
        <p id="answer"></p>
      </section>
    </main>
    <script type="module">
${chatScript()}
    </script>
  </body>
</html>
`;
}
