/**
 * The chat page's script. The answer's run id lives in the URL hash, so a reload (or the link
 * opened in a second tab) follows the same answer. A new `EventSource` reads the run from its
 * first event and the page rebuilds the answer from it: nothing to keep in the browser, and
 * nothing shown twice. Within one page, the browser's own reconnects send `Last-Event-ID` and
 * get exactly what came after. Model text is only ever set as text, never as HTML.
 */
export function chatScript(): string {
  return `      const $ = (id) => document.getElementById(id);
      let source;
      let runId;

      function setStatus(text) {
        $('status').textContent = text;
        $('status').className = 'pill ' + text;
      }

      function setAnswering(answering) {
        $('stop').disabled = !answering;
        $('ask-button').disabled = answering;
      }

      function finish(status) {
        source.close();
        setStatus(status);
        setAnswering(false);
      }

      function follow(id) {
        source?.close();
        runId = id;
        $('prompt').textContent = '';
        $('answer').textContent = '';
        $('error').textContent = '';
        setStatus('connecting');
        setAnswering(true);
        source = new EventSource('/chat/' + encodeURIComponent(id) + '/events');
        source.onopen = () => setStatus('answering');
        source.onerror = () => {
          // A refused stream (404) is closed for good; a dropped one is retried with the
          // last id this page got.
          if (source.readyState === EventSource.CLOSED) finish('closed');
          else setStatus('reconnecting');
        };
        source.addEventListener('prompt', (event) => {
          $('prompt').textContent = event.data;
        });
        source.onmessage = (event) => {
          $('answer').append(event.data);
        };
        source.addEventListener('sse-end', (event) => finish(JSON.parse(event.data).reason));
        source.addEventListener('sse-error', (event) => {
          $('error').textContent = JSON.parse(event.data).message;
          finish('failed');
        });
      }

      $('ask').onsubmit = async (event) => {
        event.preventDefault();
        const input = $('ask').elements.prompt;
        const response = await fetch('/chat', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ prompt: input.value }),
        });
        const body = await response.json();
        if (!response.ok) {
          $('error').textContent = body.error;
          return;
        }
        input.value = '';
        // In the hash, so a reload or a copied link follows this answer (no hashchange event).
        history.replaceState(null, '', '#' + body.id);
        follow(body.id);
      };

      $('stop').onclick = async () => {
        $('stop').disabled = true;
        setStatus('stopping');
        $('error').textContent = '';
        // Once: the server records the stop in Redis beside the answer, where the instance
        // producing it finds it even if it missed the message.
        const url = '/chat/' + encodeURIComponent(runId) + '/stop';
        const response = await fetch(url, { method: 'POST' }).catch(() => undefined);
        if (response?.ok || source.readyState === EventSource.CLOSED) return;
        // Not recorded (the server could not reach Redis): the reader may press it again.
        $('error').textContent = 'Stop did not get through: try again.';
        setStatus('answering');
        $('stop').disabled = false;
      };

      // An answer from the hash (a reload, a link) may be gone: its ttl passed, or it never was.
      async function resume(id) {
        runId = id;
        const response = await fetch('/chat/' + encodeURIComponent(id));
        const { status } = response.ok ? await response.json() : { status: 'unknown' };
        if (status !== 'unknown') return follow(id);
        setStatus('expired');
        $('error').textContent = 'This answer is no longer available: ask again.';
      }

      window.onhashchange = () => {
        const id = location.hash.slice(1);
        if (id && id !== runId) void resume(id);
      };

      if (location.hash.length > 1) void resume(location.hash.slice(1));
      else setStatus('idle');`;
}
