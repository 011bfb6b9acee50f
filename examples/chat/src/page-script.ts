/**
 * The chat page's script: the fake sign-in, one EventSource on `/events?room=…` for every room
 * of the user (messages) and the user's own topic (mentions), the room list with unread
 * counts, and the form that posts to the selected room. User text is only ever set as
 * `textContent`.
 */
export function chatScript(): string {
  return `      const $ = (id) => document.getElementById(id);
      const rooms = new Map(); // name -> { messages, unread }
      let current;
      let source;

      function setStatus(text) {
        $('status').textContent = text;
        $('status').className = 'pill ' + text;
      }

      function item(parts) {
        const li = document.createElement('li');
        for (const [tag, text] of parts) {
          const node = document.createElement(tag);
          node.textContent = text;
          li.append(node);
        }
        return li;
      }

      function renderRooms() {
        $('rooms').replaceChildren(
          ...[...rooms].map(([name, room]) => {
            const button = document.createElement('button');
            button.type = 'button';
            button.dataset.room = name;
            button.className = name === current ? 'selected' : '';
            button.textContent = '#' + name;
            const badge = document.createElement('span');
            badge.className = 'badge';
            badge.textContent = room.unread > 0 ? String(room.unread) : '';
            button.append(badge);
            button.onclick = () => select(name);
            const li = document.createElement('li');
            li.append(button);
            return li;
          }),
        );
      }

      function renderMessages() {
        $('room-title').textContent = '#' + current;
        const room = rooms.get(current);
        $('messages').replaceChildren(
          ...room.messages.map((m) => item([['b', m.from], ['span', m.text]])),
        );
      }

      function select(name) {
        current = name;
        rooms.get(name).unread = 0;
        renderRooms();
        renderMessages();
      }

      function showLogin() {
        source?.close();
        $('login').hidden = false;
        $('chat').hidden = true;
        $('me-box').hidden = true;
        setStatus('signed out');
      }

      function showChat(me) {
        $('login').hidden = true;
        $('chat').hidden = false;
        $('me-box').hidden = false;
        $('me').textContent = me.user;
        $('notifications').replaceChildren();
        rooms.clear();
        for (const name of me.rooms) rooms.set(name, { messages: [], unread: 0 });
        select(me.rooms[0]);
        const query = me.rooms.map((name) => 'room=' + encodeURIComponent(name)).join('&');
        setStatus('connecting');
        source = new EventSource('/events?' + query);
        source.onopen = () => setStatus('connected');
        // A refused stream (401, 403) is closed for good; otherwise the browser reconnects and
        // resumes from Last-Event-ID.
        source.onerror = () =>
          setStatus(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
        source.addEventListener('message', (event) => {
          const message = JSON.parse(event.data);
          const room = rooms.get(message.room);
          room.messages.push(message);
          if (message.room === current) renderMessages();
          else room.unread++;
          renderRooms();
        });
        source.addEventListener('mention', (event) => {
          const m = JSON.parse(event.data);
          $('notifications').prepend(item([['b', m.from], ['span', ' mentioned you in #' + m.room + ': ' + m.text]]));
        });
        source.addEventListener('sse-gap', () => {
          $('notifications').prepend(item([['i', 'Some messages are too old to replay: reload the page.']]));
        });
      }

      for (const button of document.querySelectorAll('#login button')) {
        button.onclick = async () => {
          const response = await fetch('/login', {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ user: button.dataset.user }),
          });
          if (response.ok) showChat(await response.json());
        };
      }

      $('logout').onclick = async () => {
        await fetch('/logout', { method: 'POST' });
        showLogin();
      };

      $('post').onsubmit = async (event) => {
        event.preventDefault();
        const input = $('post').elements.text;
        const response = await fetch('/rooms/' + encodeURIComponent(current) + '/messages', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ text: input.value }),
        });
        const body = await response.json();
        $('post-status').textContent = response.ok ? '' : body.error;
        if (response.ok) input.value = '';
      };

      const me = await fetch('/me');
      if (me.ok) showChat(await me.json());
      else showLogin();`;
}
