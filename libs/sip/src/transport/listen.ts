/**
 * UDP and TCP on one port number (RFC 3261 clause 18: a SIP server listens on both transports
 * at the same port). With port 0, an ephemeral port free on both is searched for.
 */
import type { Transport } from './transport.ts';
import { UdpTransport } from './udp.ts';
import { TcpTransport } from './tcp.ts';

export async function listenUdpAndTcp(host: string, port: number, attempts = 20): Promise<Transport[]> {
  for (let attempt = 0; ; attempt += 1) {
    const udp = await UdpTransport.listen({ host, port });
    try {
      return [udp, await TcpTransport.listen({ host, port: udp.local.port })];
    } catch (err) {
      await udp.close();
      if (port !== 0 || attempt >= attempts) throw err;
    }
  }
}
