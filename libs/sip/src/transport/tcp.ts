/**
 * SIP over TCP (RFC 3261 clause 18): connections are reused per remote address (clause 18.1.1
 * "SHOULD reuse"); responses go back on the connection the request came in on (clause 18.2.2).
 */
import net from 'node:net';
import { socketHost } from '../message/uri.ts';
import { FramingError, StreamFramer } from './stream-framer.ts';
import type { ReceivedFrame, Target, Transport, TransportOptions } from './transport.ts';

export interface TcpTransportOptions extends TransportOptions {
  /** Idle connections are closed after this many ms (default 5 minutes). */
  idleTimeoutMs?: number;
}

export class TcpTransport implements Transport {
  readonly protocol = 'tcp' as const;
  readonly reliable = true;
  private handler: ((frame: ReceivedFrame) => void) | undefined;
  private readonly connections = new Map<string, Promise<net.Socket>>();
  private readonly sockets = new Set<net.Socket>();
  /** Connections corked until the end of this turn of the event loop (see `cork`). */
  private readonly corked = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    readonly local: { host: string; port: number },
    private readonly idleTimeoutMs: number,
  ) {
    server.on('connection', (socket) => this.adopt(socket));
    server.on('error', () => undefined);
  }

  static async listen(options: TcpTransportOptions = {}): Promise<TcpTransport> {
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const addr = server.address() as net.AddressInfo;
    return new TcpTransport(server, { host: addr.address, port: addr.port }, options.idleTimeoutMs ?? 300_000);
  }

  /** Open connections (for tests and leak checks). */
  get connectionCount(): number {
    return this.sockets.size;
  }

  private adopt(socket: net.Socket): string {
    const key = `${socket.remoteAddress}:${socket.remotePort}`;
    this.sockets.add(socket);
    this.connections.set(key, Promise.resolve(socket));
    socket.setNoDelay(true);
    socket.setTimeout(this.idleTimeoutMs, () => socket.destroy());
    const framer = new StreamFramer();
    const source: Target = { protocol: 'tcp', host: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    socket.on('data', (chunk) => {
      let frames: Buffer[];
      try {
        frames = framer.push(chunk);
      } catch (err) {
        if (err instanceof FramingError) socket.destroy();
        return;
      }
      for (const data of frames) this.handler?.({ data, source, stream: true });
    });
    const forget = () => {
      this.sockets.delete(socket);
      if (this.connections.get(key) !== undefined) this.connections.delete(key);
    };
    socket.on('close', forget);
    socket.on('error', () => socket.destroy());
    return key;
  }

  private connect(target: Target): Promise<net.Socket> {
    const key = `${socketHost(target.host)}:${target.port}`;
    const existing = this.connections.get(key);
    if (existing) return existing;
    const pending = new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: socketHost(target.host), port: target.port });
      socket.once('connect', () => {
        socket.off('error', reject);
        this.connections.delete(key);
        const adoptedKey = this.adopt(socket);
        // Also reachable under the target address it was opened for.
        this.connections.set(key, Promise.resolve(socket));
        socket.on('close', () => {
          this.connections.delete(key);
          this.connections.delete(adoptedKey);
        });
        resolve(socket);
      });
      socket.once('error', (err) => {
        this.connections.delete(key);
        reject(err);
      });
    });
    this.connections.set(key, pending);
    return pending;
  }

  async send(data: Buffer, target: Target): Promise<void> {
    const socket = await this.connect(target);
    this.cork(socket);
    await new Promise<void>((resolve, reject) => socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  /**
   * Messages written to one connection in the same turn of the event loop leave in one `writev`
   * when the turn's callbacks are done (our choice: a fan-out writes thousands of NOTIFYs to a few
   * connections, one system call each otherwise). Framing is Content-Length (RFC 3261 clause 18.3),
   * so messages may share a segment.
   */
  private cork(socket: net.Socket): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    if (this.corked.size === 1) process.nextTick(() => this.uncorkAll());
  }

  private uncorkAll(): void {
    for (const socket of this.corked) socket.uncork();
    this.corked.clear();
  }

  onFrame(handler: (frame: ReceivedFrame) => void): void {
    this.handler = handler;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.connections.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
