/**
 * API keys: one or more per tenant, configured only as SHA-256 hashes (`tenantId:sha256hex`), so the
 * configuration, the Helm values and a leaked environment dump never hold a usable key.
 *
 * Why a plain SHA-256 and not bcrypt/scrypt: keys are 32 random bytes (256 bits of entropy), so a
 * fast hash cannot be brute-forced and every request can afford to hash. The presented key is
 * hashed and compared with every configured hash with crypto.timingSafeEqual, without stopping at
 * the first match, so the answer time does not tell which tenant (or how many bytes) matched.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface ApiKeyEntry {
  tenantId: string;
  /** SHA-256 of the key, 32 bytes. */
  hash: Buffer;
}

/** Same rule as the contracts' TenantId (`_unknown` is reserved for dead letters). */
const TENANT_ID = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
const SHA256_HEX = /^[0-9a-f]{64}$/i;
/** Prefix of generated keys: recognisable in secret scanners and support tickets. */
export const API_KEY_PREFIX = 'wab_';

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Throws unless `tenantId` is a valid tenant id (the contracts' rule; `_unknown` is reserved). */
export function assertTenantId(tenantId: string): void {
  if (!TENANT_ID.test(tenantId) || tenantId === '_unknown') {
    throw new Error(
      `tenant id "${tenantId}" is not valid: 1-64 letters, digits, ".", "_" or "-", not "_unknown"`,
    );
  }
}

/** A new random key (256 bits, base64url) and the `API_KEYS` entry that accepts it. */
export function generateApiKey(tenantId: string): { key: string; entry: string } {
  assertTenantId(tenantId);
  const key = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  return { key, entry: `${tenantId}:${hashApiKey(key)}` };
}

export type ParsedApiKeys = { ok: true; entries: ApiKeyEntry[] } | { ok: false; error: string };

/** Parses `API_KEYS`. Errors name the position of the bad item, never its content (it may be a raw key). */
export function parseApiKeys(value: string): ParsedApiKeys {
  const entries: ApiKeyEntry[] = [];
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
  for (const [index, item] of items.entries()) {
    const colon = item.lastIndexOf(':');
    const tenantId = colon < 0 ? '' : item.slice(0, colon);
    const hex = colon < 0 ? '' : item.slice(colon + 1);
    if (!TENANT_ID.test(tenantId) || tenantId === '_unknown' || !SHA256_HEX.test(hex)) {
      return {
        ok: false,
        error:
          `item ${index + 1} is not "tenantId:sha256hex" (tenant: letters, digits, ".", "_", "-"; ` +
          'hash: 64 hex characters, the SHA-256 of the key, never the key itself)',
      };
    }
    entries.push({ tenantId, hash: Buffer.from(hex, 'hex') });
  }
  return { ok: true, entries };
}

/**
 * The tenant owning `presented`, or undefined. Compares against every entry in constant time per
 * entry (timingSafeEqual over equal-length digests) and does not return early.
 */
export function verifyApiKey(
  presented: string,
  entries: readonly ApiKeyEntry[],
): string | undefined {
  const digest = createHash('sha256').update(presented, 'utf8').digest();
  let tenant: string | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(digest, entry.hash) && tenant === undefined) tenant = entry.tenantId;
  }
  return tenant;
}

/**
 * The key from `Authorization: Bearer <key>` or `x-api-key: <key>`. `invalid` when a header is
 * present but malformed (e.g. Basic auth), so the caller can answer precisely.
 */
export function extractApiKey(headers: {
  authorization?: string | string[] | undefined;
  'x-api-key'?: string | string[] | undefined;
}): { kind: 'none' } | { kind: 'invalid'; reason: string } | { kind: 'key'; key: string } {
  const authorization = single(headers.authorization);
  if (authorization !== undefined) {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization);
    if (!match?.[1]) {
      return { kind: 'invalid', reason: 'the Authorization header must be "Bearer <api key>"' };
    }
    return { kind: 'key', key: match[1] };
  }
  const apiKey = single(headers['x-api-key'])?.trim();
  if (apiKey !== undefined) {
    if (apiKey.length === 0) return { kind: 'invalid', reason: 'the x-api-key header is empty' };
    return { kind: 'key', key: apiKey };
  }
  return { kind: 'none' };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
