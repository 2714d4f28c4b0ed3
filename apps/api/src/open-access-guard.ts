/**
 * While access control is off (no key configured or stored: the default), every caller acts as
 * admin, so the only thing between a web page the user happens to open and the API on
 * localhost is the browser (issue 9, A.4). Browsers let a page reach it two ways:
 * - DNS rebinding: the page's own name (`rebind.evil.example`) is re-pointed at 127.0.0.1, so
 *   its requests are same-origin for the browser and arrive with that name in `Host`;
 * - cross-site requests: WebSockets are not subject to CORS, and simple POSTs are sent anyway.
 * So with access control off, protected routes accept only a `Host` that is a loopback name, an
 * IP address (a rebinding page always uses a name) or in ALLOWED_HOSTS, and an `Origin` (sent by
 * browsers only) that is the API's own or in ALLOWED_ORIGINS / CORS_ORIGINS; and the first key,
 * which would turn access control on for its creator, is created from a loopback address only.
 * Open routes (health probes, which orchestrators send with any `Host`) are left alone, and
 * once access control is on, keys decide.
 */
import { isIP } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InferqError } from '@inferq/contract';

/** The allow-lists, from the API configuration. */
export interface OpenAccessOptions {
  /**
   * `ALLOWED_HOSTS`: more `Host` names taken while access control is off: a name, `.name` for it
   * and its subdomains, or `*` for any. @defaultValue none (loopback names and IP addresses only)
   */
  allowedHosts: readonly string[];
  /** `ALLOWED_ORIGINS`: browser origins taken while access control is off (besides the API's own). @defaultValue none */
  allowedOrigins: readonly string[];
  /** `CORS_ORIGINS`: origins already trusted for CORS are trusted here too (`*`: any). */
  corsOrigins: readonly string[];
}

/** Name and port of a `Host` header (`name[:port]`, `[v6][:port]`), lower case, without a trailing dot; undefined when malformed. */
export function parseHost(header: string): { name: string; port: string } | undefined {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s/@?#]+)(?::(\d{1,5}))?$/.exec(header);
  if (!match) return undefined;
  const name = match[1]!.toLowerCase().replace(/\.$/, '');
  return name ? { name, port: match[2] ?? '' } : undefined;
}

/** True for 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return address === '::1' || (isIP(v4) === 4 && v4.startsWith('127.'));
}

/** True when `name` (from {@link parseHost}) is a loopback name, an IP literal, or allowed. */
export function hostAllowed(name: string, allowedHosts: readonly string[]): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  // A bracketed IPv6 literal ("[::1]"); a string test, not a RegExp: this runs on every request.
  const literal = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (isIP(literal) !== 0) return true;
  return allowedHosts.some((allowed) => allowed === '*' || allowed === name || (allowed.startsWith('.') && (name.endsWith(allowed) || name === allowed.slice(1))));
}

/** True when `origin` names the same host and port as the `Host` header, or is allowed. */
export function originAllowed(origin: string, host: { name: string; port: string } | undefined, trusted: readonly string[]): boolean {
  if (trusted.includes('*')) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // `null` (sandboxed pages, file:) and anything malformed
  }
  if (trusted.includes(url.origin)) return true;
  if (!host) return false;
  const port = url.port || (url.protocol === 'https:' ? '443' : url.protocol === 'http:' ? '80' : '');
  return url.hostname === host.name && (host.port === '' || host.port === port);
}

/**
 * Installs the guard as an `onRequest` hook. Register it after the access-control hook: it acts
 * on requests that passed it anonymously, which happens exactly while access control is off.
 */
export function installOpenAccessGuard(app: FastifyInstance, options: OpenAccessOptions): void {
  const trustedOrigins = [...options.allowedOrigins, ...options.corsOrigins];
  app.addHook('onRequest', async (request) => {
    if (request.principal?.kind !== 'anonymous') return; // open route, or access control on
    const header = request.headers.host;
    // No Host at all is no browser (HTTP/1.1 browsers always send it).
    const host = header === undefined ? undefined : parseHost(header);
    if (header !== undefined && (!host || !hostAllowed(host.name, options.allowedHosts))) {
      refuse(request, 'host');
      throw new InferqError('HOST_NOT_ALLOWED', `Host "${header.slice(0, 100)}" is not served while access control is off (no API key exists); add the name to ALLOWED_HOSTS, or turn access control on`);
    }
    const origin = request.headers.origin;
    if (origin !== undefined && !originAllowed(origin, host, trustedOrigins)) {
      refuse(request, 'origin');
      throw new InferqError('ORIGIN_NOT_ALLOWED', `requests from pages of "${origin.slice(0, 100)}" are refused while access control is off (no API key exists); add the origin to ALLOWED_ORIGINS, or turn access control on`);
    }
    if (request.method === 'POST' && request.routeOptions.url === '/v1/admin/keys' && !isLoopbackAddress(request.ip)) {
      refuse(request, 'first key');
      throw new InferqError('LOOPBACK_REQUIRED', `with access control off, the first API key can be created only from a loopback address (this request came from ${request.ip}); set ADMIN_API_KEY and send it as "Authorization: Bearer <key>" to create keys from elsewhere`);
    }
  });
}

function refuse(request: FastifyRequest, what: string): void {
  request.log.debug({ route: request.routeOptions.url, ip: request.ip, host: request.headers.host, origin: request.headers.origin, what }, 'refused while access control is off');
}
