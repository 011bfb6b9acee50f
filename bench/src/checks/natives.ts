import { setFlagsFromString } from 'node:v8';

interface Natives {
  sameMap(a: object, b: object): boolean;
  fastProperties(object: object): boolean;
}
let natives: Natives | undefined;

/** V8's own answers through its natives syntax, compiled on first use. */
function v8Natives(): Natives {
  if (natives) return natives;
  // Also passed on the command line (`check:shapes`); set here so the file runs without it.
  setFlagsFromString('--allow-natives-syntax');
  // Natives syntax only parses in code compiled after the flag is set: hence Function.
  /* eslint-disable @typescript-eslint/no-implied-eval */
  natives = {
    sameMap: new Function('a', 'b', 'return %HaveSameMap(a, b)') as Natives['sameMap'],
    fastProperties: new Function('o', 'return %HasFastProperties(o)') as Natives['fastProperties'],
  };
  /* eslint-enable @typescript-eslint/no-implied-eval */
  return natives;
}

/** How many of `objects` share the hidden class (V8 map) of the first. */
export function countSharingHiddenClass(objects: readonly object[]): number {
  const first = objects[0];
  if (first === undefined) return 0;
  const { sameMap } = v8Natives();
  return objects.filter((object) => sameMap(first, object)).length;
}

/** Whether V8 keeps `object` in fast mode (properties at fixed offsets, not a dictionary). */
export function hasFastProperties(object: object): boolean {
  return v8Natives().fastProperties(object);
}
