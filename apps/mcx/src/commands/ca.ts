/**
 * `mcx ca`: the path of the lab CA certificate that every https endpoint of the ecosystem chains to
 * (`<dataDir>/tls/ca.pem`, created by the first `mcx up`, or now when none exists yet), for
 * `curl --cacert "$(mcx ca)"`, `NODE_EXTRA_CA_CERTS="$(mcx ca)"` and openid-client.
 */
import { join } from 'node:path';
import { labCaIn } from '@mcx/lab-ca';
import { load } from './options.ts';

export async function caCommand(args: { config?: string }): Promise<void> {
  const loaded = load(args.config);
  const ca = await labCaIn(join(loaded.dataDir, 'tls'));
  process.stdout.write(ca.caPath + '\n');
}
