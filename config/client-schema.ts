/**
 * The web client (Element Web), in its own compartment and on its own public name. Optional;
 * the locked parts of the client (its homeserver, guests, custom servers, integrations,
 * analytics) are not settings at all.
 */
import { z } from 'zod';
import { dnsNameProblem } from './validators';

function checked(problem: (value: string) => string | null) {
  return z.string().superRefine((value, ctx) => {
    const message = problem(value);
    if (message) ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  });
}

export const clientSchema = z
  .object({
    /** The client's own public name (never the homeserver's: the client's origin holds no Matrix API). */
    hostname: checked(dnsNameProblem),
  })
  .strict();

export type ClientSettings = z.infer<typeof clientSchema>;
