/**
 * The dashboard page's script: two EventSources (`/metrics`, `/feed`), the chart drawn in SVG
 * with its y axis scaled to the busiest second shown, and the burst form.
 */
export function dashboardScript(): string {
  return `      const $ = (id) => document.getElementById(id);
      const SVG = 'http://www.w3.org/2000/svg';
      // The chart's plot area, in viewBox units (see the <svg> of the page).
      const plot = { left: 56, right: 620, top: 12, bottom: 172 };
      const SAMPLES = 60;
      const FEED_LINES = 12;
      const rates = [];
      $('feed-lines').textContent = FEED_LINES;

      // 10, 20, 50, 100, 200, 500, ...: the smallest at or above the busiest second.
      function niceTop(max) {
        let top = 10;
        for (let step = 0; top < max; step++) top *= step % 3 === 1 ? 2.5 : 2;
        return top;
      }

      function svg(name, attributes, text) {
        const node = document.createElementNS(SVG, name);
        for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
        if (text !== undefined) node.textContent = text;
        return node;
      }

      function drawAxis(top) {
        const grid = $('grid');
        const axis = $('y-axis');
        grid.replaceChildren();
        axis.replaceChildren();
        for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
          const y = plot.bottom - fraction * (plot.bottom - plot.top);
          grid.append(svg('line', { x1: plot.left, x2: plot.right, y1: y, y2: y }));
          axis.append(
            svg('text', { x: plot.left - 6, y: y + 4, 'text-anchor': 'end' }, (top * fraction).toLocaleString('en')),
          );
        }
      }

      function drawChart() {
        const top = niceTop(Math.max(...rates));
        drawAxis(top);
        const step = (plot.right - plot.left) / (SAMPLES - 1);
        const points = rates.map((rate, i) => {
          const x = plot.right - (rates.length - 1 - i) * step;
          const y = plot.bottom - (rate / top) * (plot.bottom - plot.top);
          return x.toFixed(1) + ',' + y.toFixed(1);
        });
        $('line').setAttribute('points', points.join(' '));
        const first = points[0].split(',')[0];
        $('area').setAttribute(
          'points',
          first + ',' + plot.bottom + ' ' + points.join(' ') + ' ' + plot.right + ',' + plot.bottom,
        );
      }

      const metrics = new EventSource('/metrics');
      metrics.onopen = () => {
        $('status').textContent = 'live';
        $('status').classList.add('live');
      };
      metrics.onerror = () => {
        $('status').textContent = 'reconnecting…';
        $('status').classList.remove('live');
      };
      metrics.addEventListener('metrics', (event) => {
        const sample = JSON.parse(event.data);
        $('clients').textContent = sample.clients;
        $('rate').textContent = sample.eventsPerSecond.toLocaleString('en');
        $('delivered').textContent = sample.delivered.toLocaleString('en');
        $('heap').textContent = sample.heapUsedMb;
        $('cpu').textContent = sample.cpuPercent;
        rates.push(sample.eventsPerSecond);
        if (rates.length > SAMPLES) rates.shift();
        drawChart();
      });

      let received = 0;
      const feed = new EventSource('/feed');
      feed.addEventListener('load', (event) => {
        const { burst, n, of } = JSON.parse(event.data);
        $('received').textContent = (++received).toLocaleString('en');
        // A burst can be 10 000 events: one line per 100 of them, and its last.
        if (n !== of && n % 100 !== 0) return;
        const item = document.createElement('li');
        item.textContent = '#' + event.lastEventId + ' burst ' + burst + ': ' + n + '/' + of;
        $('feed').prepend(item);
        while ($('feed').children.length > FEED_LINES) $('feed').lastChild.remove();
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
      });`;
}
