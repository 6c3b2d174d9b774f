/**
 * The demo app: a `user` session in an encrypted cookie (log in and out through a form, whose "Remember me"
 * makes the cookie outlive the browser) and a shopping `cart` carried by the X-Cart-Session header, by id in
 * memory storage, as in Ktor's documentation. Login and logout leave a flash notice that the page after the
 * redirect shows once.
 *
 * It also shows a move off Ktor (docs/ktor.md): `ktor_user` is the `user_session` cookie a Ktor service
 * issues, in Ktor's own format. `POST /ktor/login` stands in for that service; on the next request the
 * middleware reads the Ktor cookie and re-issues the user as `USER_SESSION`, and the app starts the user's
 * device session and expires `user_session`.
 *
 * A "your devices" page (GET /devices): each sign-in also starts a `device` session, by id in memory storage and
 * indexed by user, which the page lists and revokes; a user counts as signed in only while the device
 * session beside the user cookie lives, so revoking a device signs that browser out on its next request.
 *
 * And a schema change (docs/schema-evolution.md): the user session is at payload version 2, whose
 * `displayName` version 1 did not have. Cookies written under version 1, and the Ktor service's cookies,
 * which still hold version 1's shape, are migrated on the way in by examples/session-migrations.ts.
 */
import Koa from 'koa';
import type { InstallOptions, ListedSession } from 'typed-sessions';
import { installSessions, type CartItem, type DeviceSessionSummary } from '../generated/index.js';

/** Reads an `application/x-www-form-urlencoded` body (small forms only). */
async function readForm(ctx: Koa.Context): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4096) ctx.throw(413, 'form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** The name a sign-in form gives: the same for this app's login and the Ktor service's it stands in for. */
function signInName(ctx: Koa.Context, form: URLSearchParams): string {
  const name = form.get('name')?.trim() ?? '';
  if (name === '' || name.length > 64) ctx.throw(400, 'name: 1 to 64 characters');
  return name;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function noticeHtml(notice: string | undefined): string {
  return notice === undefined ? '' : `<p id="notice">${escapeHtml(notice)}</p>`;
}

function homePage(name: string | undefined, notice: string | undefined): string {
  const body = name
    ? `<p id="greeting">Signed in as <b>${escapeHtml(name)}</b>.</p>
       <p><a href="/devices" id="devices-link">Your devices</a></p>
       <form method="post" action="/logout"><button id="logout">Log out</button></form>`
    : `<p id="greeting">Not signed in.</p>
       <form method="post" action="/login">
         <label>Name <input name="name" id="name" required maxlength="64"></label>
         <label><input type="checkbox" name="remember" id="remember"> Remember me</label>
         <button id="login">Log in</button>
       </form>`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>typed-sessions demo</title></head>
<body><h1>typed-sessions demo</h1>${noticeHtml(notice)}${body}
<p>The cart lives in the <code>X-Cart-Session</code> header: see the curl lines the server printed.</p></body></html>`;
}

/** One device as `ctx.sessions.list('device')` gives it: the summary typed from the spec's `summary: [agent]`. */
type Device = ListedSession<DeviceSessionSummary> & { readonly current: boolean };

/** One device of the list: this one marked, every other with its own sign-out button (the handle, never the id). */
function deviceHtml({ handle, lastSeenAt, summary, current }: Device): string {
  const used = new Date(lastSeenAt * 1000).toISOString();
  const action = current
    ? '<b class="current">this device</b>'
    : `<form method="post" action="/devices/revoke"><input type="hidden" name="handle" value="${escapeHtml(handle)}"><button>Sign out</button></form>`;
  return `<li class="device"><span class="agent">${escapeHtml(summary.agent || 'unknown browser')}</span>
    last used <time datetime="${used}">${used}</time> ${action}</li>`;
}

function devicesPage(devices: readonly Device[], notice: string | undefined): string {
  const others = devices.some((device) => !device.current)
    ? '<form method="post" action="/devices/revoke-others"><button id="revoke-others">Sign out other devices</button></form>'
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>Your devices</title></head>
<body><h1>Your devices</h1>${noticeHtml(notice)}
<ul id="devices">${devices.map(deviceHtml).join('\n')}</ul>${others}
<p><a href="/">Home</a></p></body></html>`;
}

/**
 * What a sign-in records of the browser: its User-Agent, cut to what the device schema holds. A browser that
 * signs in again over a live device session gets a new id for it, so an id known before the sign-in is dead.
 */
function startDevice(ctx: Koa.Context, userId: string, persistent: boolean): void {
  const signedInBefore = ctx.sessions.get('device') !== undefined;
  ctx.sessions.set('device', { userId, agent: ctx.get('user-agent').slice(0, 200) }, { persistent });
  if (signedInBefore) ctx.sessions.regenerate('device');
}

export function createApp(options?: InstallOptions): Koa {
  const app = new Koa();
  app.use(installSessions(options));

  // Signed in means a user cookie and a live device session of that user beside it: a revoked (or expired)
  // device signs this browser out. A user re-issued in this request from the Ktor service's user_session
  // cookie (verified: ktor_user has a payload) never had a device: it gets one, as a sign-in here would.
  // Then the app expires the Ktor cookie, which keepSource: true leaves to it.
  app.use(async function signedInOnThisDevice(ctx, next) {
    const user = ctx.sessions.get('user');
    const fromKtor = ctx.sessions.get('ktor_user');
    if (user && ctx.sessions.get('device')?.userId !== user.userId) {
      if (fromKtor?.userId === user.userId) startDevice(ctx, user.userId, false);
      else ctx.sessions.clear('user');
    }
    if (fromKtor) ctx.sessions.clear('ktor_user');
    await next();
  });

  app.use(async function routes(ctx) {
    const route = `${ctx.method} ${ctx.path}`;
    switch (route) {
      case 'GET /': {
        ctx.type = 'html';
        ctx.body = homePage(ctx.sessions.get('user')?.displayName, ctx.sessions.flashed('user', 'notice'));
        return;
      }
      case 'POST /login': {
        const form = await readForm(ctx);
        const name = signInName(ctx, form);
        // Unticked, the cookie is what sessions.yaml says (persistent: false): gone when the browser closes.
        const persistent = form.get('remember') === 'on';
        ctx.sessions.set('user', { userId: name.toLowerCase(), displayName: name, roles: ['member'] }, { persistent });
        startDevice(ctx, name.toLowerCase(), persistent);
        ctx.sessions.flash('user', 'notice', `Welcome, ${name}.`);
        ctx.redirect('/');
        return;
      }
      case 'POST /ktor/login': {
        // What the Ktor service does at sign-in: user_session in Ktor's format (kotlinx JSON, then HMAC-SHA256),
        // the bytes Ktor's install(Sessions) would write, in the user session's version 1 shape (`name`, not
        // `displayName`). The next request migrates it (see GET /me).
        const name = signInName(ctx, await readForm(ctx));
        ctx.sessions.set('ktor_user', { userId: name.toLowerCase(), name, roles: ['member'] });
        ctx.redirect('/');
        return;
      }
      case 'POST /logout': {
        // Clear first, then flash: the notice starts a session of its own, which the next page's read clears.
        ctx.sessions.clear('user');
        ctx.sessions.clear('device');
        ctx.sessions.flash('user', 'notice', 'Signed out.');
        ctx.redirect('/');
        return;
      }
      case 'GET /me': {
        const user = ctx.sessions.get('user');
        if (!user) ctx.throw(401, 'not signed in');
        ctx.body = user;
        return;
      }
      case 'GET /devices': {
        if (!ctx.sessions.get('user')) return ctx.redirect('/');
        ctx.type = 'html';
        ctx.body = devicesPage(await ctx.sessions.list('device'), ctx.sessions.flashed('user', 'notice'));
        return;
      }
      case 'POST /devices/revoke': {
        if (!ctx.sessions.get('user')) ctx.throw(401, 'not signed in');
        // revoke() ends only another device of this device's user: a handle of someone else's ends nothing.
        const revoked = await ctx.sessions.revoke('device', (await readForm(ctx)).get('handle') ?? '');
        ctx.sessions.flash('user', 'notice', revoked ? 'Signed out that device.' : 'No such device of yours.');
        ctx.redirect('/devices');
        return;
      }
      case 'POST /devices/revoke-others': {
        if (!ctx.sessions.get('user')) ctx.throw(401, 'not signed in');
        const count = await ctx.sessions.revokeOthers('device');
        ctx.sessions.flash('user', 'notice', `Signed out ${count} other device${count === 1 ? '' : 's'}.`);
        ctx.redirect('/devices');
        return;
      }
      case 'GET /cart': {
        ctx.body = ctx.sessions.get('cart') ?? { items: [] };
        return;
      }
      case 'POST /cart/items': {
        const sku = String(ctx.query.sku ?? '');
        const qty = Number(ctx.query.qty ?? 1);
        if (!/^[A-Za-z0-9-]{1,64}$/.test(sku) || !Number.isInteger(qty) || qty < 1 || qty > 99) {
          ctx.throw(400, 'sku: 1 to 64 letters, digits or dashes; qty: 1 to 99');
        }
        const cart = ctx.sessions.getOrSet('cart', () => ({ items: [] }));
        const items: CartItem[] = [...cart.items.filter((item) => item.sku !== sku), { sku, qty }];
        ctx.sessions.set('cart', { items });
        ctx.body = { items };
        return;
      }
      case 'DELETE /cart': {
        ctx.sessions.clear('cart');
        ctx.status = 204;
        return;
      }
      default:
        ctx.throw(404);
    }
  });
  return app;
}
