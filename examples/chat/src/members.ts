import type { Request } from 'express';

/** The users of the example, and the rooms each belongs to. Hard-coded: the login is fake. */
export const ROOMS: ReadonlyMap<string, readonly string[]> = new Map([
  ['general', ['ada', 'grace', 'linus']],
  ['compilers', ['ada', 'grace']],
  ['kernel', ['linus']],
]);

/** Every user of some room. */
export const USERS: readonly string[] = [...new Set([...ROOMS.values()].flat())];

/** The rooms `user` belongs to, in the order of `ROOMS`. */
export function roomsOf(user: string): string[] {
  return [...ROOMS].filter(([, members]) => members.includes(user)).map(([room]) => room);
}

/** An error the app's error middleware answers with `status` and `{ error: message }`. */
export function httpError(status: number, message: string): Error & { status: number } {
  return Object.assign(new Error(message), { status, expose: true });
}

/** The signed-in user (the `user` cookie set by `POST /login`), else a 401 error. */
export function requireUser(req: Request): string {
  const user = readCookie(req.headers.cookie, 'user');
  if (user === undefined || !USERS.includes(user)) throw httpError(401, 'sign in first');
  return user;
}

/** Checks that `room` exists (else 404) and that `user` belongs to it (else 403). */
export function requireMember(user: string, room: string): void {
  const members = ROOMS.get(room);
  if (!members) throw httpError(404, `no room "${room}"`);
  if (!members.includes(user)) throw httpError(403, `${user} is not a member of "${room}"`);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const [key, ...value] = pair.trim().split('=');
    if (key !== name) continue;
    try {
      return decodeURIComponent(value.join('='));
    } catch {
      return undefined; // malformed escapes: not a user
    }
  }
  return undefined;
}
