import { chatScript } from './page-script';

/**
 * The chat page: sign in as one of `users`, then the rooms you belong to (with unread counts),
 * the selected room's messages, a form to post to it, and your mentions. One HTML document
 * with a module script, no build step.
 */
export function chatPage(users: readonly string[]): string {
  const logins = users
    .map((user) => `<button type="button" data-user="${user}">${user}</button>`)
    .join('\n          ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>SSE rooms chat</title>
    <style>
      :root { --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --accent: #2563eb; --bg: #f8fafc; }
      * { box-sizing: border-box; }
      body { font: 15px/1.5 system-ui, sans-serif; margin: 0; color: var(--ink); background: var(--bg); }
      header { background: var(--ink); color: #fff; padding: 0.9rem 1.5rem; display: flex; align-items: center; gap: 1rem; }
      header h1 { font-size: 1.15rem; margin: 0; }
      header .me { margin-left: auto; font-size: 0.9rem; }
      .pill { font-size: 0.75rem; padding: 0.1rem 0.6rem; border-radius: 999px; background: #475569; }
      .pill.connected { background: #16a34a; }
      main { max-width: 64rem; margin: 0 auto; padding: 1.25rem 1.5rem 2rem; }
      .intro { color: var(--muted); margin: 0 0 1rem; }
      .intro code { color: var(--ink); }
      .panel { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 0.8rem 1rem; }
      .panel h2 { font-size: 0.95rem; margin: 0 0 0.5rem; }
      #chat { display: grid; grid-template-columns: 11rem 1fr 16rem; gap: 1rem; align-items: start; }
      ul { margin: 0; padding: 0; list-style: none; }
      #rooms button { width: 100%; text-align: left; font: inherit; border: 0; background: none; padding: 0.3rem 0.5rem; border-radius: 6px; cursor: pointer; }
      #rooms button.selected { background: #dbeafe; }
      .badge { float: right; font-size: 0.75rem; background: var(--accent); color: #fff; border-radius: 999px; padding: 0 0.45rem; }
      .badge:empty { display: none; }
      #messages { min-height: 12rem; }
      #messages li, #notifications li { padding: 0.25rem 0; border-bottom: 1px solid var(--line); }
      #messages b { margin-right: 0.25rem; }
      #notifications li { color: var(--accent); font-size: 0.9rem; }
      form { display: flex; gap: 0.5rem; margin-top: 0.75rem; }
      form input { flex: 1; font: inherit; padding: 0.25rem 0.5rem; }
      button.primary, #login button, header button { font: inherit; padding: 0.25rem 0.9rem; border: 0; border-radius: 6px; background: var(--accent); color: #fff; cursor: pointer; }
      .status { color: var(--muted); font-size: 0.85rem; min-height: 1.3em; }
    </style>
  </head>
  <body>
    <header>
      <h1>Rooms chat</h1>
      <span class="pill" id="status">signed out</span>
      <span class="me" id="me-box" hidden>signed in as <b id="me"></b> <button type="button" id="logout">sign out</button></span>
    </header>
    <main>
      <p class="intro">
        One Server-Sent Events stream per tab, <code>/events?room=…</code>, follows the topics
        <code>room:&lt;name&gt;</code> of every room you belong to and <code>user:&lt;you&gt;</code>
        for mentions. The server checks membership before the stream opens (401, 403). Mention
        someone with <code>@name</code>; open a second browser as another user to watch.
      </p>
      <section class="panel" id="login">
        <h2>Sign in as</h2>
        ${logins}
      </section>
      <div id="chat" hidden>
        <section class="panel"><h2>Rooms</h2><ul id="rooms"></ul></section>
        <section class="panel">
          <h2 id="room-title"></h2>
          <ul id="messages"></ul>
          <form id="post">
            <input name="text" autocomplete="off" maxlength="500" placeholder="Message, @name to mention" />
            <button class="primary">Send</button>
          </form>
          <div class="status" id="post-status"></div>
        </section>
        <section class="panel"><h2>Mentions</h2><ul id="notifications"></ul></section>
      </div>
    </main>
    <script type="module">
${chatScript()}
    </script>
  </body>
</html>
`;
}
