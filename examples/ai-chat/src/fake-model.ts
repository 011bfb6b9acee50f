/**
 * A deterministic fake language model: the same prompt always gives the same tokens, so a test
 * can compare what a page shows with the whole answer, character for character. No network.
 */

const WORDS = `
  streams resume where they left off after a reload and every reader sees the same tokens in
  order Redis keeps run for its ttl so second tab can follow it too while producer writes
  batches of events instance serves any client stop button works from server
`
  .trim()
  .split(/\s+/);

/** How many tokens an answer has (besides the echo of the prompt). */
export const ANSWER_TOKENS = 120;

/** The answer to `prompt`, token by token: an echo of the prompt, then words picked by a seeded generator. */
export function answerTokens(prompt: string): string[] {
  const tokens = [`You asked: "${prompt}". `];
  let seed = hash(prompt);
  for (let i = 0; i < ANSWER_TOKENS; i++) {
    seed = nextSeed(seed);
    const word = WORDS[seed % WORDS.length]!;
    // A full stop now and then, so the answer reads as sentences.
    tokens.push(i % 12 === 11 ? `${word}. ` : `${word} `);
  }
  return tokens;
}

/** The whole answer to `prompt`, as a reader that missed nothing shows it. */
export function answerText(prompt: string): string {
  return answerTokens(prompt).join('');
}

/** Options of `streamAnswer`. */
export interface StreamAnswerOptions {
  /** Stops the answer early (the stop button). */
  signal?: AbortSignal;
  /**
   * Milliseconds between tokens, as a model "thinking".
   * @default 30
   */
  delayMs?: number;
}

/** Yields the answer to `prompt` a token at a time, `delayMs` apart; stops when `signal` aborts. */
export async function* streamAnswer(
  prompt: string,
  { signal, delayMs = 30 }: StreamAnswerOptions = {},
): AsyncGenerator<string> {
  for (const token of answerTokens(prompt)) {
    if (signal?.aborted) return;
    await delay(delayMs, signal);
    if (signal?.aborted) return;
    yield token;
  }
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/** FNV-1a over the prompt's UTF-16 code units: a 32-bit seed. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** One step of xorshift32 (never 0 from a non-zero seed). */
function nextSeed(seed: number): number {
  let x = seed || 1;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x >>> 0;
}
