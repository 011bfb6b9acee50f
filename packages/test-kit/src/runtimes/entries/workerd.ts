import { fixtureFetch } from '../fixture-app';

/** A module Worker: workerd calls `fetch` for every request. */
export default { fetch: fixtureFetch };
