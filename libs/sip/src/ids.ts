/**
 * Identifiers with enough randomness to be globally unique: tags (RFC 3261 clause 19.3:
 * at least 32 bits), Call-IDs (clause 8.1.1.4) and branches with the magic cookie
 * (clause 8.1.1.7).
 */
import { randomBytes } from 'node:crypto';
import { BRANCH_MAGIC_COOKIE } from './message/via.ts';

let pool = Buffer.alloc(0);
let offset = 0;

function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const out = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return out;
}

export function newTag(): string {
  return randomHex(6);
}

export function newBranch(): string {
  return BRANCH_MAGIC_COOKIE + randomHex(8);
}

export function newCallId(host = 'mcx'): string {
  return `${randomHex(12)}@${host}`;
}
