/**
 * Whether an address is this machine's (issue #17: `mcx up` starts the instances that are local
 * and checks the others): `localhost`, this host's name, the unspecified addresses, or an address
 * of one of its network interfaces (os.networkInterfaces). Our choice: by the interface list, so
 * 127.0.0.1 is local and another loopback address such as 127.0.0.2 is not: a lab can stand a
 * second "machine" on 127.0.0.2 on one computer.
 *
 * `MCX_LOCAL_ADDRESSES` (comma-separated) names more addresses as this machine's: an address the
 * others reach this machine at that no interface has (behind NAT, in a container), or the second
 * "machine" of such a lab when it runs its `mcx up --replica`.
 */
import { hostname, networkInterfaces } from 'node:os';

export function isLocalAddress(host: string, env: NodeJS.ProcessEnv = process.env): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (h === 'localhost' || h === '0.0.0.0' || h === '::' || h === hostname().toLowerCase()) return true;
  if ((env['MCX_LOCAL_ADDRESSES'] ?? '').split(',').some((a) => a.trim().toLowerCase() === h)) return true;
  return Object.values(networkInterfaces()).some((list) => list?.some((a) => a.address.toLowerCase() === h));
}
