import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { PrismaClient } from '@mcx/db';

/**
 * The IdMS signing keys (TS 33.180 annex B.2.2: tokens are JWS-signed): generated on first start,
 * persisted, rotated on demand. A retired key stays in the JWKS until `notAfter`, i.e. until the
 * last token it signed has expired, so resource servers keep verifying those tokens.
 */
export interface KeyRing {
  /** Private JWKs for oidc-provider, the active key first (it signs). */
  privateJwks: JWK[];
  publicJwks: JWK[];
  activeKid: string;
}

async function newKey(db: { prisma: PrismaClient }, server: string, alg: string): Promise<void> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg.startsWith('RS') || alg.startsWith('PS') ? { modulusLength: 2048 } : {}) });
  const kid = randomUUID();
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  await db.prisma.signingKey.create({
    data: { kid, server, alg, privateJwk: JSON.stringify(privateJwk), publicJwk: JSON.stringify(publicJwk), status: 'active' },
  });
}

/** Loads the key ring, generating the first key when the system has none. */
export async function loadKeyRing(db: { prisma: PrismaClient }, server: string, alg: string): Promise<KeyRing> {
  const now = new Date();
  let active = await db.prisma.signingKey.findFirst({ where: { server, status: 'active' }, orderBy: { createdAt: 'desc' } });
  if (!active) {
    await newKey(db, server, alg);
    active = await db.prisma.signingKey.findFirst({ where: { server, status: 'active' }, orderBy: { createdAt: 'desc' } });
  }
  if (!active) throw new Error('no active signing key');
  const retired = await db.prisma.signingKey.findMany({
    where: { server, status: 'retired', OR: [{ notAfter: null }, { notAfter: { gt: now } }] },
    orderBy: { createdAt: 'desc' },
  });
  const rows = [active, ...retired];
  return {
    // Only the active key signs; retired keys are still published and still verify.
    privateJwks: [JSON.parse(active.privateJwk) as JWK],
    publicJwks: rows.map((r) => JSON.parse(r.publicJwk) as JWK),
    activeKid: active.kid,
  };
}

/**
 * Key rotation: a new active key; the previous one is retired and published until
 * `now + keepSeconds` (the longest lifetime of a token it signed).
 */
export async function rotateSigningKey(db: { prisma: PrismaClient }, server: string, alg: string, keepSeconds: number): Promise<void> {
  const now = new Date();
  await db.prisma.signingKey.updateMany({
    where: { server, status: 'active' },
    data: { status: 'retired', retiredAt: now, notAfter: new Date(now.getTime() + keepSeconds * 1000) },
  });
  await newKey(db, server, alg);
}
