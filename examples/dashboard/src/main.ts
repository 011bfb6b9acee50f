import { createDashboard } from './app';

const port = Number(process.env.PORT ?? 3001);
const { app } = createDashboard({ redisUrl: process.env.REDIS_URL });

app.listen(port, () => {
  const shared = process.env.REDIS_URL ? `, feed shared through ${process.env.REDIS_URL}` : '';
  console.log(`SSE live dashboard on http://localhost:${port}${shared}`);
});
