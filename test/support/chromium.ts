/**
 * A real headless Chromium (Debian's `chromium` package) driven over the DevTools protocol
 * (puppeteer-core, which never downloads a browser), to prove what a browser makes of a page:
 * the response headers it got, every request the page made or tried, the Content-Security-Policy
 * violations, the console, and values read in the page afterwards.
 *
 * The browser runs as nobody when the test runs as root, so Chromium keeps its own sandbox
 * (user and PID namespaces plus seccomp for the renderers): --no-sandbox is only added when the
 * caller insists on root. Its DevTools connection is a pipe (fds 3 and 4), not a TCP port, so it
 * also works from inside a network namespace the test process is not in (Sandbox.enter).
 *
 * Installed by `scripts/ensure-test-tools.sh integration` (npm run test:integration), not before
 * `npm test`: the browser and its libraries are a few hundred MB and only this tier runs it.
 */
import { X509Certificate, createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launch, type Browser, type CDPSession, type Page, type Protocol } from 'puppeteer-core';

/** The package's entry point (a shell wrapper) and the program it runs. */
export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_BINARY = '/usr/lib/chromium/chromium';

const NOBODY = { uid: 65534, gid: 65534 };

/**
 * The browser program. The binary, not Debian's wrapper: the wrapper adds the desktop's flags
 * (bundled extensions, remote extensions, an API key) that a probe of one page must not depend on.
 */
export function requireChromium(): string {
  if (fs.existsSync(CHROMIUM_BINARY)) return CHROMIUM_BINARY;
  throw new Error(
    `${CHROMIUM_BINARY} is missing: install Debian's chromium (bash scripts/ensure-test-tools.sh integration, or apt-get install chromium)`,
  );
}

/** Runs a program inside a namespace, optionally as nobody: the shape of Sandbox.enter. */
export type Enter = (command: string, args: readonly string[], asNobody: boolean) => [string, string[]];

export interface VisitOptions {
  readonly url: string;
  /** A writable directory that nobody can traverse to; the profile, home and log go under it. */
  readonly workDir: string;
  /**
   * Name -> "address:port" the browser connects to instead of resolving the name (Chromium's
   * --host-resolver-rules). The URL, and so the origin, keeps its name and port. When given,
   * every other name fails to resolve unless `resolveOtherNames` (nothing leaves the machine).
   */
  readonly hostResolverRules?: Readonly<Record<string, string>>;
  readonly resolveOtherNames?: boolean;
  /**
   * PEM files of server (leaf) certificates the browser accepts although no root it trusts
   * signed them, by their public key (--ignore-certificate-errors-spki-list); other
   * certificate errors stay errors.
   */
  readonly trustedCertificates?: readonly string[];
  /** Name -> JavaScript expression, evaluated in the page after it settled; results by value. */
  readonly evaluate?: Readonly<Record<string, string>>;
  /** How long to keep watching after the load event (late requests, timers); default 500 ms. */
  readonly settleMs?: number;
  /** The whole visit, browser start to close; default 30 s. */
  readonly timeoutMs?: number;
  /** Runs the browser through this (Sandbox.enter: its network, mounts and /etc/hosts). */
  readonly enter?: Enter;
  /** Run the browser as root (then without its sandbox); default false: nobody when root. */
  readonly asRoot?: boolean;
}

export interface VisitedRequest {
  readonly url: string;
  readonly method: string;
  /** DevTools' resource type: Document, Script, Image, Fetch, XHR, Stylesheet, ... */
  readonly resourceType: string;
  /** Why the browser refused to send it ('csp', 'mixed-content', ...), from DevTools' blockedReason. */
  readonly blockedReason?: string;
  /** The network error, when it failed (net::ERR_BLOCKED_BY_CSP, net::ERR_NAME_NOT_RESOLVED, ...). */
  readonly errorText?: string;
  /** True when the network stack sent it (DevTools reported the request headers on the wire). */
  readonly sentToNetwork: boolean;
  readonly status?: number;
}

export interface CspViolation {
  /** From the page's `securitypolicyviolation` event, or the DevTools console message. */
  readonly via: 'event' | 'console';
  readonly blockedURI: string;
  readonly effectiveDirective: string;
  readonly violatedDirective: string;
  readonly disposition: string;
  readonly sourceFile: string;
  readonly lineNumber: number;
  readonly sample: string;
  /** The console message's text (via 'console' only). */
  readonly text?: string;
}

export interface ConsoleEntry {
  /** Console API type (log, error, ...), a log entry's level, or 'pageerror' for an uncaught exception. */
  readonly type: string;
  readonly text: string;
  /** 'console-api', 'javascript', 'security', 'network', ... (DevTools' source); absent for console API calls. */
  readonly source?: string;
  readonly url?: string;
}

export interface PageVisit {
  readonly url: string;
  readonly status: number | undefined;
  /** The main response's headers, names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly requests: readonly VisitedRequest[];
  readonly cspViolations: readonly CspViolation[];
  readonly console: readonly ConsoleEntry[];
  readonly values: Readonly<Record<string, unknown>>;
  readonly durationMs: number;
  /** The browser's own log (stderr): kept on failure, removed with the profile on success. */
  readonly logFile: string;
}

/** base64(sha256(SubjectPublicKeyInfo)) of a PEM certificate, as --ignore-certificate-errors-spki-list takes it. */
export function spkiHash(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

const BINDING = '__reportCspViolation';

/**
 * Registered before any page script (DevTools injects it, so the page's CSP does not apply):
 * reports every CSP violation to the test through a DevTools binding. Text, not a function:
 * it runs in the page, whose types (the DOM) this project does not compile against.
 */
const WATCH_CSP_VIOLATIONS = `document.addEventListener('securitypolicyviolation', (event) => {
  globalThis[${JSON.stringify(BINDING)}]?.(JSON.stringify({
    blockedURI: event.blockedURI,
    effectiveDirective: event.effectiveDirective,
    violatedDirective: event.violatedDirective,
    disposition: event.disposition,
    sourceFile: event.sourceFile,
    lineNumber: event.lineNumber,
    sample: event.sample,
  }));
}, true);`;

let visits = 0;

/**
 * Opens `url` in a fresh headless Chromium and reports what the page did. The browser is killed
 * on every path (its process group, and the kernel kills it with the test process when run
 * through Sandbox.enter); on failure the error names the browser's log, which is kept.
 */
export async function visitPage(options: VisitOptions): Promise<PageVisit> {
  const program = requireChromium();
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? 30_000;
  // As nobody only when there is a user to drop from: a test not run as root keeps its own user.
  const asTestUser = options.asRoot === true || process.getuid?.() !== 0;
  const runDirectory = path.join(options.workDir, `chromium-${process.pid}-${++visits}`);
  const home = path.join(runDirectory, 'home');
  const profile = path.join(runDirectory, 'profile');
  const logFile = path.join(runDirectory, 'chromium.log');
  fs.mkdirSync(home, { recursive: true });
  fs.mkdirSync(profile, { recursive: true });
  fs.chmodSync(runDirectory, 0o755);
  if (!asTestUser) for (const owned of [runDirectory, home, profile]) fs.chownSync(owned, NOBODY.uid, NOBODY.gid);

  // Through a script: the log is opened by the shell as the test's user, and the browser's
  // arguments (puppeteer's, then ours) follow whatever runs it in the namespace.
  const [command, prefix] = (options.enter ?? enterDirectly)(program, [], !asTestUser);
  const launcher = path.join(runDirectory, 'launch.sh');
  fs.writeFileSync(
    launcher,
    ['#!/bin/sh', `exec 2>>${shellQuote(logFile)} >&2`, `exec ${[command, ...prefix].map(shellQuote).join(' ')} "$@"`, ''].join('\n'),
    { mode: 0o755 },
  );

  const requests = new Map<string, MutableRequest>();
  const order: string[] = [];
  const cspViolations: CspViolation[] = [];
  const consoleEntries: ConsoleEntry[] = [];
  let browser: Browser | undefined;
  let launching: Promise<Browser> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let completed = false;
  try {
    const visit = async (): Promise<PageVisit> => {
      launching = launch({
        executablePath: launcher,
        headless: true,
        pipe: true,
        userDataDir: profile,
        args: browserArguments(options, asTestUser),
        env: { ...process.env, HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_CACHE_HOME: path.join(home, '.cache') },
        timeout: timeoutMs,
        protocolTimeout: timeoutMs,
        handleSIGINT: false,
        handleSIGTERM: false,
        handleSIGHUP: false,
      });
      browser = await launching;
      const page = await firstPage(browser);
      const session = await page.createCDPSession();
      watchNetwork(session, requests, order);
      watchConsole(page, session, consoleEntries, cspViolations);
      await Promise.all([session.send('Network.enable'), session.send('Log.enable'), session.send('Runtime.enable')]);
      await session.send('Runtime.addBinding', { name: BINDING });
      session.on('Runtime.bindingCalled', (event: Protocol.Runtime.BindingCalledEvent) => {
        if (event.name !== BINDING) return;
        const reported = JSON.parse(event.payload) as Omit<CspViolation, 'via'>;
        cspViolations.push({ via: 'event', ...reported });
      });
      await page.evaluateOnNewDocument(WATCH_CSP_VIOLATIONS);

      const response = await page.goto(options.url, { waitUntil: 'load', timeout: timeoutMs });
      await new Promise((resolve) => setTimeout(resolve, options.settleMs ?? 500));
      const values: Record<string, unknown> = {};
      for (const [name, expression] of Object.entries(options.evaluate ?? {})) values[name] = await page.evaluate(expression);
      return {
        url: options.url,
        status: response?.status(),
        headers: response?.headers() ?? {},
        requests: order.map((id) => snapshot(requests.get(id))),
        cspViolations: [...cspViolations],
        console: [...consoleEntries],
        values,
        durationMs: Date.now() - started,
        logFile,
      };
    };
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the visit of ${options.url} took longer than ${timeoutMs} ms`)), timeoutMs + 5_000);
    });
    const result = await Promise.race([visit(), deadline]);
    completed = true;
    return result;
  } catch (error) {
    const seen = order.map((id) => snapshot(requests.get(id)));
    throw new Error(
      `visiting ${options.url} failed: ${error instanceof Error ? error.message : String(error)}\n` +
        `requests so far: ${JSON.stringify(seen)}\nbrowser log kept at ${logFile}:\n${tailOf(logFile, 30)}`,
      { cause: error },
    );
  } finally {
    clearTimeout(timer);
    // A launch still under way when the deadline struck: close that browser once it is up.
    if (!browser) void launching?.then(closeBrowser, () => undefined);
    await closeBrowser(browser);
    if (completed) fs.rmSync(runDirectory, { recursive: true, force: true });
  }
}

/** The flags beyond puppeteer's defaults (which already turn off background networking, sync, first-run UI, ...). */
function browserArguments(options: VisitOptions, asTestUser: boolean): string[] {
  const args = [
    // Never a proxy from the environment: the page's requests go where the rules and hosts say.
    '--no-proxy-server',
    // /dev/shm is small in containers; the renderer's shared memory goes to /tmp instead.
    '--disable-dev-shm-usage',
    '--no-default-browser-check',
    '--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication',
    // Chromium's log (stderr, which the launch script sends to the log file).
    '--enable-logging=stderr',
    '--v=0',
  ];
  // Chromium refuses to run its sandbox as root; only then does it go without.
  if (asTestUser && process.getuid?.() === 0) args.push('--no-sandbox');
  const rules = Object.entries(options.hostResolverRules ?? {}).map(([name, target]) => `MAP ${name} ${target}`);
  if (rules.length > 0) {
    if (!options.resolveOtherNames) rules.push('MAP * ~NOTFOUND');
    args.push(`--host-resolver-rules=${rules.join(', ')}`);
  }
  const hashes = (options.trustedCertificates ?? []).map((file) => spkiHash(fs.readFileSync(file, 'utf8')));
  if (hashes.length > 0) args.push(`--ignore-certificate-errors-spki-list=${hashes.join(',')}`);
  return args;
}

/** Outside a namespace: as nobody through setpriv (the kernel kills it with the test process), or as is. */
function enterDirectly(command: string, args: readonly string[], asNobody: boolean): [string, string[]] {
  if (!asNobody) return [command, [...args]];
  return [
    '/usr/bin/setpriv',
    [`--reuid=${NOBODY.uid}`, `--regid=${NOBODY.gid}`, '--clear-groups', '--pdeathsig', 'KILL', '--', command, ...args],
  ];
}

async function firstPage(browser: Browser): Promise<Page> {
  const [existing] = await browser.pages();
  return existing ?? browser.newPage();
}

interface MutableRequest {
  url: string;
  method: string;
  resourceType: string;
  blockedReason?: string;
  errorText?: string;
  sentToNetwork: boolean;
  status?: number;
}

function snapshot(request: MutableRequest | undefined): VisitedRequest {
  if (!request) throw new Error('a request vanished from the list');
  return { ...request };
}

/** Every request from DevTools' network events (one entry per request id; redirects keep the last URL). */
function watchNetwork(session: CDPSession, requests: Map<string, MutableRequest>, order: string[]): void {
  session.on('Network.requestWillBeSent', (event: Protocol.Network.RequestWillBeSentEvent) => {
    const known = requests.get(event.requestId);
    if (known) {
      known.url = event.request.url;
      return;
    }
    order.push(event.requestId);
    requests.set(event.requestId, {
      url: event.request.url,
      method: event.request.method,
      resourceType: event.type ?? 'Other',
      sentToNetwork: false,
    });
  });
  session.on('Network.requestWillBeSentExtraInfo', (event: Protocol.Network.RequestWillBeSentExtraInfoEvent) => {
    const known = requests.get(event.requestId);
    if (known) known.sentToNetwork = true;
  });
  session.on('Network.responseReceived', (event: Protocol.Network.ResponseReceivedEvent) => {
    const known = requests.get(event.requestId);
    if (!known) return;
    known.status = event.response.status;
    if (!event.response.url.startsWith('data:')) known.sentToNetwork = known.sentToNetwork || !event.response.fromDiskCache;
  });
  session.on('Network.loadingFailed', (event: Protocol.Network.LoadingFailedEvent) => {
    const known = requests.get(event.requestId);
    if (!known) return;
    known.errorText = event.errorText;
    if (event.blockedReason) known.blockedReason = event.blockedReason;
  });
}

/** Console API calls, log entries (where Chromium reports CSP refusals) and uncaught exceptions. */
function watchConsole(page: Page, session: CDPSession, entries: ConsoleEntry[], violations: CspViolation[]): void {
  page.on('pageerror', (error) => entries.push({ type: 'pageerror', text: error instanceof Error ? error.message : String(error) }));
  session.on('Runtime.consoleAPICalled', (event: Protocol.Runtime.ConsoleAPICalledEvent) => {
    const text = event.args.map((arg) => (arg.value !== undefined ? String(arg.value) : (arg.description ?? arg.type))).join(' ');
    entries.push({ type: event.type, text, source: 'console-api' });
  });
  session.on('Log.entryAdded', (event: Protocol.Log.EntryAddedEvent) => {
    const { entry } = event;
    entries.push({ type: entry.level, text: entry.text, source: entry.source, ...(entry.url ? { url: entry.url } : {}) });
    const refusal = cspRefusal(entry.text);
    if (refusal)
      violations.push({ ...refusal, via: 'console', sourceFile: entry.url ?? '', lineNumber: entry.lineNumber ?? 0, text: entry.text });
  });
}

/**
 * The directive and URL out of Chromium's console message for a CSP violation. Its wording is
 * Chromium's, not a standard, and changed over versions: "Refused to load the image 'URL'
 * because it violates ... directive: "img-src 'self'"." before, "Loading the image 'URL'
 * violates ... directive: "img-src 'self'". The action has been blocked." and "Executing inline
 * script violates ... directive 'script-src 'self''." now; both are read.
 */
export function cspRefusal(
  text: string,
): Pick<CspViolation, 'blockedURI' | 'effectiveDirective' | 'violatedDirective' | 'disposition' | 'sample'> | undefined {
  const lead = /^(.*?)(?: because it)? violates the following Content Security Policy directive/.exec(text)?.[1];
  if (lead === undefined) return undefined;
  const directiveMatch = /Content Security Policy directive:? (?:"([^"]*)"|'(.*?)'\.)/.exec(text);
  const directive = directiveMatch?.[1] ?? directiveMatch?.[2] ?? '';
  const blocked = /'([^']*)'/.exec(lead)?.[1] ?? (/inline/.test(lead) ? 'inline' : /eval/.test(lead) ? 'eval' : '');
  return {
    blockedURI: blocked,
    effectiveDirective: /Note that '([a-z-]+)' was not explicitly set/.exec(text)?.[1] ?? directive.split(' ')[0] ?? '',
    violatedDirective: directive,
    disposition: /report-only|reported but not blocked/i.test(text) ? 'report' : 'enforce',
    sample: '',
  };
}

/** Close politely, then kill the whole process group whatever happened (a hung browser, a timeout). */
async function closeBrowser(browser: Browser | undefined): Promise<void> {
  if (!browser) return;
  const child = browser.process();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([browser.close().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
  clearTimeout(timer);
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function tailOf(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
