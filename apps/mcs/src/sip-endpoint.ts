/**
 * The MCS SIP endpoint: UDP and TCP on the same port (docs/server-contracts.md: "transport
 * addresses are the SIP ports of the ecosystem file (UDP and TCP)"). Port 0 picks an ephemeral
 * UDP port and binds TCP to the same number, retrying when it is taken.
 */
import { SipEndpoint, TcpTransport, UdpTransport, type Logger, type TransactionTimers, type Transport } from '@mcx/sip';

export async function listenUdpAndTcp(host: string, port: number): Promise<Transport[]> {
  for (let attempt = 0; ; attempt += 1) {
    const udp = await UdpTransport.listen({ host, port });
    try {
      const tcp = await TcpTransport.listen({ host, port: udp.local.port });
      return [udp, tcp];
    } catch (err) {
      await udp.close();
      if (port !== 0 || attempt >= 20) throw err;
    }
  }
}

export async function createMcsEndpoint(options: { host: string; port: number; timers?: Partial<TransactionTimers>; logger?: Logger }): Promise<SipEndpoint> {
  const transports = await listenUdpAndTcp(options.host, options.port);
  return SipEndpoint.create({
    transports,
    userAgent: 'mcx-mcs',
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
}
