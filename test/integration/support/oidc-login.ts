/**
 * The one way into the homeserver: single sign-on through the identity provider, walked like a
 * browser through the gateway. Synapse's SSO redirect sends the browser to Keycloak's public
 * login page (the gateway's `/auth/` routes); the directory password is posted, then the second
 * factor (TOTP: enrolled at the first login from the secret the page shows, afterwards the OTP
 * form), both codes computed here as an authenticator app would; Keycloak sends the browser back
 * to Synapse's callback, whose answer carries a `loginToken` for the client, which then logs in
 * with `m.login.token`.
 *
 * `login` keeps the shape of the former password login (endpoint, user, password, options ->
 * the `/login` answer), so the probes read as before; when the identity provider refuses, no
 * `/login` call is made and the answer is Keycloak's last page, marked with the stage it stopped at.
 */
import { randomBytes } from 'node:crypto';
import { SYNAPSE_IDP_ID } from '../../../model/identity';
import { Browser, formOf, keycloakMessage, keycloakPageKind, totpEnrolment, type Page, type Resolver } from '../../support/html-form';
import { msLeftInStep, totpFromBase32 } from '../../support/totp';
import { call, type Answer, type Endpoint } from './matrix-client';

/** Where the "client" asks Synapse to send the browser back (never requested: the login token is read from the URL). */
export const CLIENT_REDIRECT_URL = 'https://client.invalid/after-login';

/** Where a login ended: Synapse's `/login` answer, or the identity provider's page that stopped it. */
export type LoginStage = 'matrix' | 'password' | 'second-factor' | 'identity-provider';

export interface LoginAnswer extends Answer {
  readonly stage: LoginStage;
  /** Keycloak's message on the page that stopped the login (e.g. "Invalid username or password."). */
  readonly message?: string;
  /** True when this login enrolled the TOTP device (the first login of the user). */
  readonly enrolled: boolean;
}

/** The TOTP secrets the "authenticator app" holds, per server and user, and the last time step each code was used in. */
export class TotpDevices {
  private readonly secrets = new Map<string, { base32: string; lastStep: number }>();

  private key(endpoint: Endpoint, user: string): string {
    return `${endpoint.servername} ${user}`;
  }

  secretOf(endpoint: Endpoint, user: string): string | undefined {
    return this.secrets.get(this.key(endpoint, user))?.base32;
  }

  enrol(endpoint: Endpoint, user: string, base32: string): void {
    this.secrets.set(this.key(endpoint, user), { base32, lastStep: -1 });
  }

  forget(endpoint: Endpoint, user: string): void {
    this.secrets.delete(this.key(endpoint, user));
  }

  /**
   * The code to type now: waits for a fresh 30 s step when this user's last code was of the
   * current step (Keycloak accepts a code once) or the step ends within 3 s.
   */
  async code(endpoint: Endpoint, user: string): Promise<string> {
    const device = this.secrets.get(this.key(endpoint, user));
    if (!device) throw new Error(`no TOTP device enrolled for ${user} on ${endpoint.servername}`);
    const step = () => Math.floor(Date.now() / 30_000);
    if (device.lastStep === step() || msLeftInStep() < 3_000) await new Promise((resolve) => setTimeout(resolve, msLeftInStep() + 300));
    device.lastStep = step();
    return totpFromBase32(device.base32);
  }
}

/** The devices of this test file (module state: one per jest test file). */
export const DEVICES = new TotpDevices();

export interface LoginOptions {
  /** Ask Synapse for a refresh token with the access token. */
  readonly refreshToken?: boolean;
  /** `skip`: stop at the second factor (enrolment or OTP form) without answering it, as someone without the device would. */
  readonly secondFactor?: 'totp' | 'skip';
  /** A wrong code instead of the right one (the OTP form must refuse it). */
  readonly wrongCode?: boolean;
  readonly devices?: TotpDevices;
  /** Which endpoint reaches which URL (default: the server's public name through the gateway, nothing else). */
  readonly resolver?: Resolver;
}

/** The browser a client of `endpoint` is: every URL of the server's public name goes through the gateway. */
export function gatewayBrowser(endpoint: Endpoint): Browser {
  return new Browser((url) => (url.hostname === endpoint.servername && (url.port === '' || url.port === '443') ? endpoint : undefined));
}

function refusal(page: Page, stage: LoginStage, enrolled: boolean): LoginAnswer {
  return { ...page.answer, stage, message: keycloakMessage(page), enrolled };
}

/** The `loginToken` of Synapse's answer at the end of SSO: a redirect to the client, or its confirmation page's link. */
export function loginTokenOf(page: Page, stoppedAt: URL | undefined): string | undefined {
  const fromUrl = stoppedAt?.searchParams.get('loginToken');
  if (fromUrl) return fromUrl;
  const link = /loginToken=([A-Za-z0-9_\-.%]+)/.exec(page.text)?.[1];
  return link ? decodeURIComponent(link) : undefined;
}

/** The identity providers Synapse offers in its login flows (`m.login.sso`), as a client discovers them. */
export async function identityProviders(endpoint: Endpoint): Promise<string[]> {
  const flows = await call(endpoint, 'GET', '/_matrix/client/v3/login');
  const sso = ((flows.json?.flows ?? []) as { type?: string; identity_providers?: { id?: string }[] }[]).find(
    (flow) => flow.type === 'm.login.sso',
  );
  return (sso?.identity_providers ?? []).flatMap((provider) => (typeof provider.id === 'string' ? [provider.id] : []));
}

/** SSO through the gateway, then `m.login.token`: the `/login` answer, or the identity provider's refusal. */
export async function login(endpoint: Endpoint, user: string, password: string, options: LoginOptions = {}): Promise<LoginAnswer> {
  const devices = options.devices ?? DEVICES;
  const browser = options.resolver ? new Browser(options.resolver) : gatewayBrowser(endpoint);
  const atClient = (url: URL) => url.href.startsWith(CLIENT_REDIRECT_URL);
  // As a client does: the provider Synapse offers (the one rendered; identity.itest.ts checks its id).
  const providers = await identityProviders(endpoint);
  const provider = providers.includes(SYNAPSE_IDP_ID) ? SYNAPSE_IDP_ID : providers.length === 1 ? providers[0] : undefined;
  if (!provider) throw new Error(`Synapse offers no single identity provider to log in with: ${JSON.stringify(providers)}`);
  const start = `https://${endpoint.servername}/_matrix/client/v3/login/sso/redirect/${encodeURIComponent(provider)}?${new URLSearchParams({
    redirectUrl: CLIENT_REDIRECT_URL,
  }).toString()}`;
  let followed = await browser.open(start, { stopAt: atClient });
  let enrolled = false;
  if (keycloakPageKind(followed.page) !== 'login') return refusal(followed.page, 'identity-provider', enrolled);
  const passwordForm = formOf(followed.page, (form) => 'username' in form.fields && 'password' in form.fields);
  followed = await browser.follow(await browser.submit(passwordForm, { username: user, password }), { stopAt: atClient });
  for (let steps = 0; steps < 4; steps += 1) {
    const { page, stoppedAt } = followed;
    const token = loginTokenOf(page, stoppedAt);
    if (token) {
      return {
        ...(await call(endpoint, 'POST', '/_matrix/client/v3/login', {
          json: { type: 'm.login.token', token, ...(options.refreshToken ? { refresh_token: true } : {}) },
        })),
        stage: 'matrix',
        enrolled,
      };
    }
    const kind = keycloakPageKind(page);
    if (kind === 'login') return refusal(page, 'password', enrolled);
    if (kind === 'configure-totp') {
      if (options.secondFactor === 'skip') return refusal(page, 'second-factor', enrolled);
      const shown = await totpEnrolment(browser, page);
      devices.enrol(endpoint, user, shown.base32);
      enrolled = true;
      const code = await devices.code(endpoint, user);
      const form = formOf(shown.page, (candidate) => 'totpSecret' in candidate.fields);
      followed = await browser.follow(await browser.submit(form, { totp: code, userLabel: 'integration tier' }), { stopAt: atClient });
      continue;
    }
    if (kind === 'otp') {
      if (options.secondFactor === 'skip') return refusal(page, 'second-factor', enrolled);
      const secret = devices.secretOf(endpoint, user);
      if (!secret) throw new Error(`${user} has a second factor enrolled, but this test holds no device for it`);
      // A wrong code differs from every code of the window Keycloak accepts (the current step and its neighbours), and uses no step.
      const accepted = [-30_000, 0, 30_000].map((offset) => totpFromBase32(secret, Date.now() + offset));
      let wrong = String(randomBytes(4).readUInt32BE() % 1_000_000).padStart(6, '0');
      while (accepted.includes(wrong)) wrong = String((Number(wrong) + 1) % 1_000_000).padStart(6, '0');
      const code = options.wrongCode ? wrong : await devices.code(endpoint, user);
      const form = formOf(page, (candidate) => 'otp' in candidate.fields);
      const answered = await browser.submit(form, { otp: code });
      if (options.wrongCode) return refusal(answered, 'second-factor', enrolled);
      followed = await browser.follow(answered, { stopAt: atClient });
      continue;
    }
    return refusal(page, 'identity-provider', enrolled);
  }
  return refusal(followed.page, 'identity-provider', enrolled);
}

/** The access token of a successful login; fails with where and why the login stopped. */
export function accessToken(answer: LoginAnswer | Answer): string {
  const token = answer.json?.access_token;
  if (answer.status !== 200 || typeof token !== 'string') {
    const stage = 'stage' in answer ? ` at ${answer.stage}${answer.message ? ` (${answer.message})` : ''}` : '';
    throw new Error(`login failed${stage} (${answer.status}): ${answer.text.slice(0, 300)}`);
  }
  return token;
}
