/**
 * The web client (Element Web), in its own compartment and on its own public name. Optional;
 * the locked parts of the client (its homeserver, guests, custom servers, integrations,
 * analytics) are not settings at all.
 */
import { z } from 'zod';
import { checked } from './checked';
import { dnsNameProblem } from './validators';

export const clientSchema = z
  .object({
    /** The client's own public name (never the homeserver's: the client's origin holds no Matrix API). */
    hostname: checked(dnsNameProblem),
  })
  .strict();

export type ClientSettings = z.infer<typeof clientSchema>;
