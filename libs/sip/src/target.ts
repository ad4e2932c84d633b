/**
 * Next-hop selection from a URI (RFC 3263 reduced to what a lab needs: the `transport`
 * parameter, else the default protocol; an explicit port, else 5060; no DNS NAPTR/SRV).
 */
import { parseUri } from './message/uri.ts';
import type { Target, TransportProtocol } from './transport/transport.ts';

export function targetFromUri(uri: string, defaultProtocol: TransportProtocol = 'udp'): Target {
  const parsed = parseUri(uri);
  const param = parsed.params.get('transport')?.toLowerCase();
  const protocol: TransportProtocol = param === 'tcp' || param === 'udp' ? param : parsed.scheme === 'sips' ? 'tcp' : defaultProtocol;
  const host = parsed.params.get('maddr') ?? parsed.host;
  return { protocol, host, port: parsed.port ?? 5060 };
}
