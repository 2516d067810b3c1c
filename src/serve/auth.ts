// Who is calling: an API key (`Authorization: Bearer ap_...`), a JWT bearer token verified with
// jose against a shared secret (HS256/384/512) or a JWKS URL, or, when neither keys nor JWT are
// configured, the local user (serve then binds loopback only). Roles come from the key's row or
// from a JWT claim (`roles` by default: a string or a list; the highest known role wins).

import type { JWTVerifyGetKey } from 'jose';
import { roleRank, roles, type KeyStore, type Role } from './keys.js';

export interface Principal {
  /** `key:<id>`, `jwt:<sub>` or `local`: what the rate limit counts by. */
  id: string;
  role: Role;
}

export interface JwtSettings {
  /** HMAC secret (AGENTPIPE_JWT_SECRET). */
  secret?: string;
  /** JWKS URL (AGENTPIPE_JWT_JWKS_URL). */
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
  /** The claim holding the role(s); default `roles`. */
  rolesClaim: string;
}

/** JWT settings from the environment (process env plus the project's .env), or undefined. */
export function jwtSettingsFromEnv(env: NodeJS.ProcessEnv): JwtSettings | undefined {
  const secret = env['AGENTPIPE_JWT_SECRET'];
  const jwksUrl = env['AGENTPIPE_JWT_JWKS_URL'];
  if (!secret && !jwksUrl) return undefined;
  return {
    ...(secret ? { secret } : {}),
    ...(jwksUrl ? { jwksUrl } : {}),
    ...(env['AGENTPIPE_JWT_ISSUER'] ? { issuer: env['AGENTPIPE_JWT_ISSUER'] } : {}),
    ...(env['AGENTPIPE_JWT_AUDIENCE'] ? { audience: env['AGENTPIPE_JWT_AUDIENCE'] } : {}),
    rolesClaim: env['AGENTPIPE_JWT_ROLES_CLAIM'] || 'roles',
  };
}

export type AuthResult = { principal: Principal } | { failure: string };

export class Authenticator {
  private jwtKey: Promise<Uint8Array | JWTVerifyGetKey> | undefined;

  constructor(
    private readonly keys: KeyStore,
    private readonly jwt: JwtSettings | undefined,
  ) {}

  /** True once any API key exists or JWT is configured: every request then needs credentials. */
  required(): boolean {
    return this.jwt !== undefined || this.keys.any();
  }

  /** `required` when the caller has just asked required() for this request. */
  async authenticate(authorization: string | undefined, required = this.required()): Promise<AuthResult> {
    if (!required) return { principal: { id: 'local', role: 'admin' } };
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
    if (!token) return { failure: 'credentials required: send Authorization: Bearer <API key or JWT>' };
    if (token.startsWith('ap_')) {
      const key = this.keys.verify(token);
      return key ? { principal: { id: `key:${key.id}`, role: key.role } } : { failure: 'unknown, revoked or expired API key' };
    }
    if (!this.jwt) return { failure: 'unknown API key' };
    return this.verifyJwt(token, this.jwt);
  }

  private async verifyJwt(token: string, settings: JwtSettings): Promise<AuthResult> {
    const { jwtVerify, createRemoteJWKSet } = await import('jose');
    this.jwtKey ??= Promise.resolve(settings.jwksUrl ? createRemoteJWKSet(new URL(settings.jwksUrl)) : new TextEncoder().encode(settings.secret));
    const key = await this.jwtKey;
    try {
      const options = { ...(settings.issuer ? { issuer: settings.issuer } : {}), ...(settings.audience ? { audience: settings.audience } : {}), ...(settings.jwksUrl ? {} : { algorithms: ['HS256', 'HS384', 'HS512'] }) };
      const { payload } = typeof key === 'function' ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
      const role = highestRole(payload[settings.rolesClaim]);
      if (!role) return { failure: `the token's ${settings.rolesClaim} claim names no role (viewer, runner, admin)` };
      return { principal: { id: `jwt:${typeof payload.sub === 'string' ? payload.sub : 'anonymous'}`, role } };
    } catch (error) {
      // jose's codes (ERR_JWT_EXPIRED, ERR_JWS_SIGNATURE_VERIFICATION_FAILED) say why without echoing the token.
      const code = error && typeof error === 'object' && 'code' in error ? String(error.code) : 'ERR_JWT_INVALID';
      return { failure: code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : `invalid token (${code})` };
    }
  }
}

function highestRole(claim: unknown): Role | undefined {
  const names = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  let best: Role | undefined;
  for (const name of names) {
    if (typeof name === 'string' && (roles as readonly string[]).includes(name) && (!best || roleRank[name as Role] > roleRank[best])) best = name as Role;
  }
  return best;
}

export const allows = (principal: Principal, needed: Role) => roleRank[principal.role] >= roleRank[needed];
