/**
 * `mcx token --system ID --user NAME [--audience cms|gms|mcs]`: an access token obtained through the
 * real login flow (authorization code + PKCE through the IdMS login form, TS 24.482), for curl.
 */
import { loginWithPkce, refreshForResource } from '@mcx/auth';
import { load, running } from './options.ts';

export async function tokenCommand(args: {
  config?: string;
  system?: string;
  user?: string;
  password?: string;
  audience?: string;
}): Promise<void> {
  const loaded = load(args.config);
  const systemId = args.system ?? loaded.ecosystem.systems[0]!.id;
  const known = loaded.ecosystem.users.find((u) => u.username === args.user);
  // A user logs in only at the IdMS of its home MC system (a partner admits it by token exchange
  // after a migration, TS 24.484 4.2.2.1.2): say so rather than "Invalid username or password".
  if (known && known.home !== systemId)
    throw new Error(`${known.username}'s home is ${known.home}: ${systemId}'s IdMS has no login for ${known.username} (try: mcx token --system ${known.home} --user ${known.username})`);
  const runtime = running(loaded);
  const system = runtime.systems.find((s) => s.id === systemId);
  if (!system)
    throw new Error(`unknown system "${systemId}" (known: ${runtime.systems.map((s) => s.id).join(', ')})`);
  if (!args.user) throw new Error('--user NAME is required');
  const password = args.password ?? known?.password;
  if (!password)
    throw new Error(`unknown user "${args.user}" (pass --password for an account not in the ecosystem file)`);
  const { clientId, redirectUri } = runtime.ueClient;
  const tokens = await loginWithPkce({
    issuer: system.idms.issuer,
    clientId,
    redirectUri,
    username: args.user,
    password,
    allowInsecure: true,
  });
  if (!args.audience) {
    process.stdout.write(tokens.accessToken + '\n');
    return;
  }
  const audience = system.audiences[args.audience as keyof typeof system.audiences];
  if (!audience) throw new Error(`--audience must be one of cms, gms, mcs`);
  if (!tokens.refreshToken) throw new Error('the IdMS issued no refresh token');
  const narrowed = await refreshForResource({
    issuer: system.idms.issuer,
    clientId,
    refreshToken: tokens.refreshToken,
    resource: audience,
  });
  process.stdout.write(narrowed.accessToken + '\n');
}
