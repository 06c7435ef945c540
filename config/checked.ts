/** The bridge from the `...Problem` validators (one rule, one message) to zod schemas. */
import { z } from 'zod';

/** A string checked by a `...Problem` validator: its message is the issue reported. */
export function checked(problem: (value: string) => string | null) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  });
}
