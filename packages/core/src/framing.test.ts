import { createParser, type EventSourceMessage } from 'eventsource-parser';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseFormatError } from './errors';
import { formatComment, formatEvent, type SseEventFields } from './framing';

/** Parses frames as a browser would (eventsource-parser follows the WHATWG algorithm). */
function parse(wire: string): {
  events: EventSourceMessage[];
  comments: string[];
  retries: number[];
} {
  const events: EventSourceMessage[] = [];
  const comments: string[] = [];
  const retries: number[] = [];
  const parser = createParser({
    onEvent: (event) => events.push(event),
    onComment: (comment) => comments.push(comment),
    onRetry: (retry) => retries.push(retry),
  });
  parser.feed(wire);
  return { events, comments, retries };
}

/** What a client rebuilds from `data`: the spec turns every CR, LF or CRLF into one LF. */
const asClientSees = (text: string) => text.replace(/\r\n|\r/g, '\n');

describe('formatEvent', () => {
  it.each([
    ['plain text', 'hello'],
    ['LF inside data', 'one\ntwo\nthree'],
    ['CR inside data', 'one\rtwo'],
    ['CRLF inside data', 'one\r\ntwo'],
    ['mixed and trailing line breaks', '\na\r\nb\rc\n'],
    ['leading spaces', '  two spaces'],
    ['a leading space on a later line', 'a\n b'],
    ['an empty string', ''],
    ['only a line break', '\n'],
    ['a colon at the start', ':not a comment'],
    ['unicode', 'héllo ✓ 日本語'],
    ['astral characters', '😀 𝄞 🏳️‍🌈'],
    ['a NUL', 'a\0b'],
  ])('round-trips %s through a spec-compliant parser', (_name, data) => {
    const { events } = parse(formatEvent({ data }));
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toBe(asClientSees(data));
  });

  it('serializes objects as JSON, once per frame', () => {
    const value = { user: 'ada', lines: 'a\nb', n: [1, 2] };
    const { events } = parse(formatEvent({ data: value }));
    expect(JSON.parse(events[0]!.data)).toEqual(value);
  });

  it('uses the given serializer for non-string data and leaves strings as they are', () => {
    const serialize = (value: unknown) => `<${String(value)}>`;
    expect(parse(formatEvent({ data: 42 }, serialize)).events[0]!.data).toBe('<42>');
    expect(parse(formatEvent({ data: '42' }, serialize)).events[0]!.data).toBe('42');
  });

  it("splits a serializer's line breaks into data lines; JSON is one line", () => {
    const pretty = (value: unknown) => JSON.stringify(value, null, 2);
    const value = { text: 'a\r\nb' };
    expect(formatEvent({ data: value }, pretty)).toBe(
      'data: {\ndata:   "text": "a\\r\\nb"\ndata: }\n\n',
    );
    expect(formatEvent({ data: value })).toBe('data: {"text":"a\\r\\nb"}\n\n');
    expect(parse(formatEvent({ data: value }, pretty)).events[0]!.data).toBe(pretty(value));
  });

  it('writes event, id and retry so the client sees them', () => {
    const { events, retries } = parse(
      formatEvent({ data: 'x', event: 'update', id: 'a-1', retry: 2500 }),
    );
    expect(events).toEqual([{ id: 'a-1', event: 'update', data: 'x' }]);
    expect(retries).toEqual([2500]);
  });

  it('ends every frame with exactly one blank line', () => {
    expect(formatEvent({ data: 'a' })).toBe('data: a\n\n');
    expect(formatEvent({ data: 'a\nb', id: '1' })).toBe('id: 1\ndata: a\ndata: b\n\n');
  });

  it('writes comments that clients ignore, one line per line', () => {
    const wire =
      formatEvent({ comment: 'keep\nalive' }) + formatComment() + formatEvent({ data: 'x' });
    const { events, comments } = parse(wire);
    expect(events.map((e) => e.data)).toEqual(['x']);
    expect(comments.map((c) => c.trim())).toEqual(['keep', 'alive', '']);
  });

  it('round-trips any string as data (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (data) => {
        const { events } = parse(formatEvent({ data }));
        expect(events).toHaveLength(1);
        expect(events[0]!.data).toBe(asClientSees(data));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips line-break-heavy strings as data (property)', () => {
    const piece = fc.constantFrom('\r', '\n', '\r\n', ' ', ':', 'a', 'é', '😀', '\0');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 40 }), (pieces) => {
        const data = pieces.join('');
        expect(parse(formatEvent({ data })).events[0]!.data).toBe(asClientSees(data));
      }),
      { numRuns: 500 },
    );
  });

  it('round-trips event names and ids without CR, LF or NUL (property)', () => {
    const field = fc
      .string({ unit: 'binary', minLength: 1, maxLength: 40 })
      .filter((s) => !/[\r\n\0]/.test(s));
    fc.assert(
      fc.property(field, field, fc.string({ unit: 'binary' }), (event, id, data) => {
        const { events } = parse(formatEvent({ data, event, id }));
        expect(events).toHaveLength(1);
        expect(events[0]).toEqual({ event, id, data: asClientSees(data) });
      }),
      { numRuns: 300 },
    );
  });

  it.each<[string, SseEventFields, string]>([
    ['event with LF', { data: 'x', event: 'a\nb' }, 'event'],
    ['event with CR', { data: 'x', event: 'a\rb' }, 'event'],
    ['id with LF', { data: 'x', id: '1\n2' }, 'id'],
    ['id with CR', { data: 'x', id: '1\r' }, 'id'],
    ['id with NUL', { data: 'x', id: '1\u00002' }, 'id'],
    ['negative retry', { data: 'x', retry: -1 }, 'retry'],
    ['fractional retry', { data: 'x', retry: 1.5 }, 'retry'],
    ['NaN retry', { data: 'x', retry: Number.NaN }, 'retry'],
    ['infinite retry', { data: 'x', retry: Number.POSITIVE_INFINITY }, 'retry'],
    ['non-number retry', { data: 'x', retry: '10' as unknown as number }, 'retry'],
    ['non-string event', { data: 'x', event: 1 as unknown as string }, 'event'],
    ['non-string comment', { comment: {} as unknown as string }, 'comment'],
  ])('rejects %s with SseFormatError naming the field', (_name, fields, field) => {
    let thrown: unknown;
    try {
      formatEvent(fields);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SseFormatError);
    expect(thrown).toBeInstanceOf(TypeError);
    expect(thrown).toMatchObject({ field, code: 'ERR_SSE_FORMAT', name: 'SseFormatError' });
    expect((thrown as Error).message).toContain(`"${field}"`);
  });

  it('rejects a serializer that does not return a string', () => {
    expect(() => formatEvent({ data: () => 1 })).toThrow(
      expect.objectContaining({ field: 'data', code: 'ERR_SSE_FORMAT' }),
    );
  });
});
