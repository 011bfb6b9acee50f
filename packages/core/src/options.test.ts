import { afterEach, describe, expect, it, vi } from 'vitest';
import { BUN_DEFAULT_HEARTBEAT_MS, DEFAULT_HEARTBEAT_MS, validateStreamOptions } from './options';

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('validateStreamOptions', () => {
  it('defaults heartbeat to 15 s', () => {
    expect(validateStreamOptions({}).heartbeat).toBe(DEFAULT_HEARTBEAT_MS);
    expect(DEFAULT_HEARTBEAT_MS).toBe(15_000);
  });

  it("defaults heartbeat to 5 s on Bun, under Bun.serve's 10 s idleTimeout", () => {
    vi.stubGlobal('Bun', { version: '1.4.5' });
    expect(validateStreamOptions({}).heartbeat).toBe(BUN_DEFAULT_HEARTBEAT_MS);
    expect(BUN_DEFAULT_HEARTBEAT_MS).toBe(5000);
    // An explicit value wins everywhere.
    expect(validateStreamOptions({ heartbeat: 20_000 }).heartbeat).toBe(20_000);
    expect(validateStreamOptions({ heartbeat: false }).heartbeat).toBe(false);
  });
});
