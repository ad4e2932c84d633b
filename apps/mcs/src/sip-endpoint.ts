/**
 * The MCS SIP endpoint: UDP and TCP on the same port (docs/server-contracts.md: "transport
 * addresses are the SIP ports of the ecosystem file (UDP and TCP)"). Port 0 picks an ephemeral
 * UDP port and binds TCP to the same number, retrying when it is taken.
 */
import { listenUdpAndTcp, SipEndpoint, type Logger, type TransactionTimers } from '@mcx/sip';


export async function createMcsEndpoint(options: { host: string; port: number; timers?: Partial<TransactionTimers>; logger?: Logger; contactAddress?: { host: string; port: number } }): Promise<SipEndpoint> {
  const transports = await listenUdpAndTcp(options.host, options.port);
  return SipEndpoint.create({
    transports,
    userAgent: 'mcx-mcs',
    ...(options.timers ? { timers: options.timers } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    ...(options.contactAddress ? { contactAddress: options.contactAddress } : {}),
  });
}
