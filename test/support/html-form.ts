/**
 * A minimal browser for login pages (Keycloak's): a cookie jar, GET and form POST over the
 * integration tier's HTTPS transport (matrix-client.ts `call`: a Unix socket into the namespace,
 * the test CA, the exact TLS name), HTML forms parsed into action + fields, and redirects
 * returned to the caller or followed only to origins the caller has mapped to an endpoint and
 * never past a URL the caller wants to stop at (e.g. a callback carrying a login token).
 */
import { call, type Answer, type Endpoint } from '../integration/support/matrix-client';

/** The endpoint (socket, TLS name, CA) that reaches a URL's origin; undefined for origins the test does not reach. */
export type Resolver = (url: URL) => Endpoint | undefined;

export interface Cookie {
  readonly name: string;
  readonly value: string;
  /** The host that set it, or the Domain attribute (then subdomains match too). */
  readonly domain: string;
  readonly hostOnly: boolean;
  readonly path: string;
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: string | undefined;
  /** Epoch ms; undefined for a session cookie. */
  readonly expires: number | undefined;
}

export interface Page {
  readonly url: URL;
  readonly status: number;
  readonly answer: Answer;
  readonly text: string;
  /** The absolute redirect target of a 3xx answer. */
  readonly location: URL | undefined;
}

export interface Form {
  /** Absolute URL the form posts to (its action, resolved against the page). */
  readonly action: URL;
  readonly method: string;
  readonly id: string | undefined;
  /** Named inputs (text, password, hidden, checked boxes/radios) and textareas, in document order. */
  readonly fields: Readonly<Record<string, string>>;
  /** Named submit buttons (`<button name>` / `<input type=submit name>`), not sent unless chosen. */
  readonly buttons: Readonly<Record<string, string>>;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] === '#')
      return String.fromCodePoint(entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
    return ENTITIES[entity.toLowerCase()] ?? whole;
  });
}

/** The attributes of a start tag's inside (`name="v"`, `name='v'`, `name=v`, bare `name`), names lower-cased, values decoded. */
export function parseAttributes(inside: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const pattern = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const match of inside.matchAll(pattern)) {
    const name = (match[1] ?? '').toLowerCase();
    if (!(name in attributes)) attributes[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attributes;
}

/** Every `<form>` of a page, with its fields, action resolved against `base`. */
export function parseForms(html: string, base: URL): Form[] {
  const forms: Form[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form\s*>/gi)) {
    const attributes = parseAttributes(match[1] ?? '');
    const body = match[2] ?? '';
    const fields: Record<string, string> = {};
    const buttons: Record<string, string> = {};
    for (const control of body.matchAll(/<(input|button|textarea)\b([^>]*)>(?:([\s\S]*?)<\/textarea\s*>)?/gi)) {
      const tag = (control[1] ?? '').toLowerCase();
      const input = parseAttributes(control[2] ?? '');
      const name = input.name;
      if (!name || 'disabled' in input) continue;
      const type = (input.type ?? (tag === 'button' ? 'submit' : 'text')).toLowerCase();
      if (tag === 'textarea') fields[name] = decodeEntities(control[3] ?? '');
      else if (type === 'submit' || type === 'image' || tag === 'button') buttons[name] = input.value ?? '';
      else if (type === 'checkbox' || type === 'radio') {
        if ('checked' in input) fields[name] = input.value ?? 'on';
      } else if (type !== 'file' && type !== 'reset') fields[name] = input.value ?? '';
    }
    forms.push({
      action: new URL(attributes.action ?? '', base),
      method: (attributes.method ?? 'get').toUpperCase(),
      id: attributes.id,
      fields,
      buttons,
    });
  }
  return forms;
}

/** The text inside the element with `id` (tags stripped, entities decoded, whitespace trimmed); undefined when absent. */
export function elementText(html: string, id: string): string | undefined {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`<([a-z0-9]+)\\b[^>]*\\bid\\s*=\\s*["']${escaped}["'][^>]*>([\\s\\S]*?)</\\1\\s*>`, 'i').exec(html);
  return match ? decodeEntities((match[2] ?? '').replace(/<[^>]*>/g, '')).trim() : undefined;
}

function parseSetCookie(header: string, url: URL, now: number): Cookie | undefined {
  const [pair = '', ...attributeParts] = header.split(';');
  const separator = pair.indexOf('=');
  if (separator <= 0) return undefined;
  const attributes = new Map<string, string>();
  for (const part of attributeParts) {
    const index = part.indexOf('=');
    const key = (index < 0 ? part : part.slice(0, index)).trim().toLowerCase();
    attributes.set(key, index < 0 ? '' : part.slice(index + 1).trim());
  }
  const domainAttribute = attributes.get('domain')?.replace(/^\./, '').toLowerCase();
  if (domainAttribute && url.hostname !== domainAttribute && !url.hostname.endsWith(`.${domainAttribute}`)) return undefined;
  const defaultPath = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
  const pathAttribute = attributes.get('path');
  let expires: number | undefined;
  const maxAge = attributes.get('max-age');
  if (maxAge !== undefined && /^-?\d+$/.test(maxAge)) expires = now + Number(maxAge) * 1000;
  else if (attributes.has('expires')) expires = Date.parse(attributes.get('expires') ?? '') || 0;
  return {
    name: pair.slice(0, separator).trim(),
    value: pair.slice(separator + 1).trim(),
    domain: domainAttribute ?? url.hostname,
    hostOnly: !domainAttribute,
    path: pathAttribute?.startsWith('/') ? pathAttribute : defaultPath,
    secure: attributes.has('secure'),
    httpOnly: attributes.has('httponly'),
    sameSite: attributes.get('samesite'),
    expires,
  };
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

export class CookieJar {
  private cookies: Cookie[] = [];

  store(url: URL, setCookie: readonly string[] | undefined, now = Date.now()): void {
    for (const header of setCookie ?? []) {
      const cookie = parseSetCookie(header, url, now);
      if (!cookie) continue;
      this.cookies = this.cookies.filter(
        (kept) => !(kept.name === cookie.name && kept.domain === cookie.domain && kept.path === cookie.path),
      );
      if (cookie.expires === undefined || cookie.expires > now) this.cookies.push(cookie);
    }
  }

  /** The Cookie header for a request to `url` (longer paths first, as browsers send them); undefined when none applies. */
  header(url: URL, now = Date.now()): string | undefined {
    const host = url.hostname.toLowerCase();
    const matching = this.cookies
      .filter((cookie) => (cookie.hostOnly ? host === cookie.domain : host === cookie.domain || host.endsWith(`.${cookie.domain}`)))
      .filter((cookie) => pathMatches(url.pathname, cookie.path))
      .filter((cookie) => !cookie.secure || url.protocol === 'https:')
      .filter((cookie) => cookie.expires === undefined || cookie.expires > now)
      .sort((a, b) => b.path.length - a.path.length);
    return matching.length > 0 ? matching.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ') : undefined;
  }

  all(): readonly Cookie[] {
    return this.cookies;
  }

  /** Forgets cookies (all, or those whose name matches), e.g. to start a login without the session. */
  clear(name?: RegExp): void {
    this.cookies = name ? this.cookies.filter((cookie) => !name.test(cookie.name)) : [];
  }
}

export interface FollowOptions {
  /** Stop (without requesting it) at the first URL this accepts; default: follow until a non-redirect. */
  readonly stopAt?: (url: URL) => boolean;
  /** Most redirects to follow (default 10). */
  readonly maxRedirects?: number;
}

/** The result of following: the final page, or the URL the caller asked to stop at, and every URL visited. */
export interface Followed {
  readonly page: Page;
  /** Set when following stopped at a URL `stopAt` accepted (not requested). */
  readonly stoppedAt: URL | undefined;
  readonly trail: readonly URL[];
}

export class Browser {
  readonly jar = new CookieJar();

  constructor(
    private readonly resolve: Resolver,
    private readonly options: { readonly userAgent?: string; readonly timeoutMs?: number } = {},
  ) {}

  private endpointFor(url: URL): Endpoint {
    if (url.protocol !== 'https:') throw new Error(`refusing a non-HTTPS URL: ${url.href}`);
    const endpoint = this.resolve(url);
    if (!endpoint) throw new Error(`no endpoint reaches ${url.origin} (a redirect out of the test's world?): ${url.href}`);
    return endpoint;
  }

  /** One request (no redirect followed); cookies sent and stored. */
  async request(
    method: string,
    target: string | URL,
    body?: { readonly form?: Readonly<Record<string, string>>; readonly headers?: Readonly<Record<string, string>> },
  ): Promise<Page> {
    const url = new URL(target);
    const endpoint = this.endpointFor(url);
    const cookie = this.jar.header(url);
    const headers: Record<string, string> = {
      Host: url.host,
      Accept: 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8',
      'Accept-Language': 'en',
      'User-Agent': this.options.userAgent ?? 'matrix-sovereign-iac integration tier',
      ...(cookie ? { Cookie: cookie } : {}),
      ...(body?.form ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      ...body?.headers,
    };
    const answer = await call(endpoint, method, `${url.pathname}${url.search}`, {
      headers,
      ...(body?.form ? { body: new URLSearchParams(body.form).toString() } : {}),
      timeoutMs: this.options.timeoutMs ?? 30_000,
    });
    const setCookie = answer.headers['set-cookie'];
    this.jar.store(url, setCookie);
    const location =
      answer.status >= 300 && answer.status < 400 && answer.headers.location ? new URL(answer.headers.location, url) : undefined;
    return { url, status: answer.status, answer, text: answer.text, location };
  }

  get(target: string | URL): Promise<Page> {
    return this.request('GET', target);
  }

  /** Submits `form` with its fields overridden by `values` (and optionally one named button). */
  submit(form: Form, values: Readonly<Record<string, string>> = {}, button?: string): Promise<Page> {
    const fields: Record<string, string> = { ...form.fields, ...values };
    if (button !== undefined) {
      if (!(button in form.buttons))
        throw new Error(`the form has no button ${button} (has ${Object.keys(form.buttons).join(', ') || 'none'})`);
      fields[button] = form.buttons[button] ?? '';
    }
    if (form.method === 'GET') {
      const url = new URL(form.action);
      for (const [name, value] of Object.entries(fields)) url.searchParams.set(name, value);
      return this.get(url);
    }
    return this.request('POST', form.action, { form: fields });
  }

  /** Follows the redirects of `page` (303/302/301/307/308 answered with GET, as browsers do after a form POST), within the options. */
  async follow(page: Page, options: FollowOptions = {}): Promise<Followed> {
    const trail: URL[] = [page.url];
    let current = page;
    for (let hops = 0; current.location; hops += 1) {
      if (hops >= (options.maxRedirects ?? 10)) throw new Error(`more than ${options.maxRedirects ?? 10} redirects from ${page.url.href}`);
      const next = current.location;
      if (options.stopAt?.(next)) return { page: current, stoppedAt: next, trail: [...trail, next] };
      current = await this.get(next);
      trail.push(next);
    }
    return { page: current, stoppedAt: undefined, trail };
  }

  /** GET then follow. */
  async open(target: string | URL, options: FollowOptions = {}): Promise<Followed> {
    return this.follow(await this.get(target), options);
  }
}

/** The page's forms; fails with the page's start when there is none matching `predicate`. */
export function formOf(page: Page, predicate: (form: Form) => boolean = () => true): Form {
  const form = parseForms(page.text, page.url).find(predicate);
  if (!form) throw new Error(`no matching form on ${page.url.href} (${page.status}):\n${page.text.slice(0, 1500)}`);
  return form;
}

/** Keycloak's page kinds, told apart by their form fields. */
export function keycloakPageKind(page: Page): 'login' | 'configure-totp' | 'otp' | 'other' {
  const forms = parseForms(page.text, page.url);
  if (forms.some((form) => 'username' in form.fields && 'password' in form.fields)) return 'login';
  if (forms.some((form) => 'totpSecret' in form.fields)) return 'configure-totp';
  if (forms.some((form) => 'otp' in form.fields)) return 'otp';
  return 'other';
}

/** The absolute URL of the link (`<a id=... href=...>`) with `id`; undefined when absent. */
export function linkById(page: Page, id: string): URL | undefined {
  for (const match of page.text.matchAll(/<a\b([^>]*)>/gi)) {
    const attributes = parseAttributes(match[1] ?? '');
    if (attributes.id === id && attributes.href !== undefined) return new URL(attributes.href, page.url);
  }
  return undefined;
}

/** Keycloak's enrolment page in manual mode: the base32 secret it shows (`#kc-totp-secret-key`) and the raw one in the hidden `totpSecret` field. */
export function shownTotpSecret(page: Page): { readonly base32: string; readonly raw: string } {
  const base32 = elementText(page.text, 'kc-totp-secret-key');
  const raw = formOf(page, (form) => 'totpSecret' in form.fields).fields.totpSecret;
  if (!base32 || raw === undefined) throw new Error(`no TOTP secret shown on ${page.url.href}:\n${page.text.slice(0, 1500)}`);
  return { base32, raw };
}

/**
 * The TOTP secret of Keycloak's enrolment page (required action CONFIGURE_TOTP). The page first
 * shows a QR code only; like a user who cannot scan, follow its "Unable to scan?" link
 * (`#mode-manual`, the same page with `mode=manual`), which shows the base32 secret. Returns
 * that page (its form is the one to post) and the secret.
 */
export async function totpEnrolment(
  browser: Browser,
  page: Page,
): Promise<{ readonly page: Page; readonly base32: string; readonly raw: string }> {
  if (elementText(page.text, 'kc-totp-secret-key')) return { page, ...shownTotpSecret(page) };
  const manual = linkById(page, 'mode-manual');
  if (!manual) throw new Error(`no TOTP secret and no manual-mode link on ${page.url.href}:\n${page.text.slice(0, 1500)}`);
  const manualPage = await browser.get(manual);
  return { page: manualPage, ...shownTotpSecret(manualPage) };
}

/** Keycloak's error or info message on a page (`#input-error`, `.kc-feedback-text`, `#kc-error-message`), for assertions and failures. */
export function keycloakMessage(page: Page): string | undefined {
  for (const id of ['input-error', 'input-error-otp-code', 'input-error-username', 'kc-error-message'])
    if (elementText(page.text, id)) return elementText(page.text, id);
  const feedback = /<span[^>]*class="[^"]*kc-feedback-text[^"]*"[^>]*>([\s\S]*?)<\/span>/i.exec(page.text)?.[1];
  return feedback ? decodeEntities(feedback.replace(/<[^>]*>/g, '')).trim() : undefined;
}
