/**
 * Who is calling, and what they may do. Scopes: `predict` (submit), `read` (read predictions and
 * model metadata), `admin` (everything, including other keys' predictions, key management and the
 * dead-letter routes).
 */

export const SCOPES = ['predict', 'read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const isScope = (value: unknown): value is Scope => typeof value === 'string' && (SCOPES as readonly string[]).includes(value);

/** The caller of a request that passed access control. */
export type Principal =
  /** Access control is off (no key configured or stored): the caller may do anything. */
  | { readonly kind: 'anonymous' }
  | {
    readonly kind: 'key';
    /** `env:{name}` for keys from API_KEYS / ADMIN_API_KEY, else the stored key's 16-hex id. */
    readonly id: string;
    readonly name: string;
    readonly scopes: readonly Scope[];
  };

export const ANONYMOUS: Principal = Object.freeze({ kind: 'anonymous' });

/** True when the principal holds `scope` (`admin` holds every scope). */
export function hasScope(principal: Principal, scope: Scope): boolean {
  return principal.kind === 'anonymous' || principal.scopes.includes(scope) || principal.scopes.includes('admin');
}

/** The owner recorded on a prediction this principal submits; undefined with access control off. */
export function ownerOf(principal: Principal): string | undefined {
  return principal.kind === 'key' ? principal.id : undefined;
}

/** The key id a read is restricted to; undefined (any prediction) for admins and with access control off. */
export function viewerOf(principal: Principal): string | undefined {
  return principal.kind === 'key' && !principal.scopes.includes('admin') ? principal.id : undefined;
}
