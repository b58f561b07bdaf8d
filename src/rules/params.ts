import * as z from 'zod';

/** A whole number of at least `minimum`, with messages that read after the param's path. */
export const count = (minimum: number) =>
  z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(minimum, { error: `must be at least ${minimum}` });

/** Params object of a rule type with a single limit, e.g. `{ "min": 10 }`. */
export const limit = <Key extends string>(key: Key, minimum: number) =>
  z.strictObject({ [key]: count(minimum) } as Record<Key, ReturnType<typeof count>>, {
    error: 'must be an object',
  });
