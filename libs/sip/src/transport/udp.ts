/** SIP over UDP (RFC 3261 clause 18: one message per datagram). */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import { socketHost } from '../message/uri.ts';
import type { ReceivedFrame, Target, Transport, TransportOptions } from './transport.ts';

/** RFC 3261 clause 18.1.1 / IPv4: the largest payload a UDP datagram can carry. */
const MAX_DATAGRAM = 65507;

export class UdpTransport implements Transport {
  readonly protocol = 'udp' as const;
  readonly reliable = false;
  private handler: ((frame: ReceivedFrame) => void) | undefined;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly local: { host: string; port: number },
  ) {
    socket.on('message', (data, rinfo) => {
      this.handler?.({ data, source: { protocol: 'udp', host: rinfo.address, port: rinfo.port }, stream: false });
    });
    // ICMP port unreachable etc. surface here; they must not crash the process.
    socket.on('error', () => undefined);
  }

  static async listen(options: TransportOptions = {}): Promise<UdpTransport> {
    const host = options.host ?? '127.0.0.1';
    const socket = dgram.createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port ?? 0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // Many subscriptions share one socket: give the kernel room for bursts of NOTIFYs.
    try {
      socket.setRecvBufferSize(4 * 1024 * 1024);
      socket.setSendBufferSize(4 * 1024 * 1024);
    } catch {
      /* best effort: limited by net.core.rmem_max */
    }
    const addr = socket.address();
    return new UdpTransport(socket, { host: addr.address, port: addr.port });
  }

  send(data: Buffer, target: Target): Promise<void> {
    if (data.length > MAX_DATAGRAM) return Promise.reject(new Error(`message of ${data.length} bytes too large for UDP`));
    return new Promise((resolve, reject) => {
      this.socket.send(data, target.port, socketHost(target.host), (err) => (err ? reject(err) : resolve()));
    });
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.handler = handler;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve();
      }
    });
  }
}
