import { CookieJar, decodeEntities, elementText, parseForms } from './html-form';

const page = new URL('https://matrix.example.test/auth/realms/matrix/protocol/openid-connect/auth?client_id=synapse');

describe('the login-page client', () => {
  it("parses Keycloak's forms: action resolved and decoded, fields, buttons, unchecked boxes left out", () => {
    const html = `
      <form id="kc-form-login" onsubmit="login.disabled = true; return true;" action="/auth/realms/matrix/login-actions/authenticate?session_code=a&amp;execution=b" method="post">
        <input tabindex="1" id="username" name="username" value="" type="text" autofocus autocomplete="off" />
        <input id="password" name="password" type="password" autocomplete="off">
        <input type="hidden" id="id-hidden-input" name="credentialId" value="x&quot;y"/>
        <input type="checkbox" name="rememberMe"> <input type="checkbox" name="agreed" checked value="yes">
        <input disabled name="ignored" value="1">
        <button name="login" id="kc-login" type="submit">Sign In</button>
      </form>
      <form action='otp' method=post><input name=otp></form>`;
    const [login, otp] = parseForms(html, page);
    expect(login?.action.href).toBe('https://matrix.example.test/auth/realms/matrix/login-actions/authenticate?session_code=a&execution=b');
    expect(login?.method).toBe('POST');
    expect(login?.id).toBe('kc-form-login');
    expect(login?.fields).toEqual({ username: '', password: '', credentialId: 'x"y', agreed: 'yes' });
    expect(login?.buttons).toEqual({ login: '' });
    expect(otp?.action.href).toBe('https://matrix.example.test/auth/realms/matrix/protocol/openid-connect/otp');
    expect(otp?.fields).toEqual({ otp: '' });
  });

  it('reads an element by id, tags stripped and entities decoded', () => {
    expect(elementText('<p><span id="kc-totp-secret-key">MZXW 6YTB&#32;OI</span></p>', 'kc-totp-secret-key')).toBe('MZXW 6YTB OI');
    expect(elementText('<div id="kc-error-message"><p class="instruction">Invalid <b>code</b>.</p></div>', 'kc-error-message')).toBe(
      'Invalid code.',
    );
    expect(elementText('<p>none</p>', 'kc-totp-secret-key')).toBeUndefined();
    expect(decodeEntities('&lt;&#x41;&amp;&unknown;')).toBe('<A&&unknown;');
  });

  it('keeps cookies per host and path, replaces and expires them', () => {
    const jar = new CookieJar();
    const now = Date.parse('2026-01-01T00:00:00Z');
    jar.store(
      page,
      [
        'AUTH_SESSION_ID=s1; Path=/auth/realms/matrix/; Secure; HttpOnly; SameSite=None',
        'KC_RESTART=r; Path=/auth/realms/matrix/; Max-Age=60',
      ],
      now,
    );
    jar.store(new URL('https://matrix.example.test/_synapse/client/oidc/x'), ['oidc_session=o; Path=/_synapse/client/oidc; Secure'], now);
    expect(jar.header(new URL('https://matrix.example.test/auth/realms/matrix/login-actions/authenticate'), now)).toBe(
      'AUTH_SESSION_ID=s1; KC_RESTART=r',
    );
    expect(jar.header(new URL('https://matrix.example.test/auth/realms/master/'), now)).toBeUndefined();
    expect(jar.header(new URL('https://matrix.example.test/_synapse/client/oidc/callback?code=c'), now)).toBe('oidc_session=o');
    expect(jar.header(new URL('https://other.example.test/_synapse/client/oidc/callback'), now)).toBeUndefined();
    // Max-Age=0 deletes; time passing expires.
    jar.store(page, ['AUTH_SESSION_ID=; Path=/auth/realms/matrix/; Max-Age=0'], now);
    expect(jar.header(new URL('https://matrix.example.test/auth/realms/matrix/x'), now)).toBe('KC_RESTART=r');
    expect(jar.header(new URL('https://matrix.example.test/auth/realms/matrix/x'), now + 61_000)).toBeUndefined();
  });
});
