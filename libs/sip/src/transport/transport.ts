/**
 * The transport layer interface (RFC 3261 clause 18): sends serialised messages to a target
 * and delivers received frames (one SIP message each) with their source.
 */

export type TransportProtocol = 'udp' | 'tcp';

/** Where a message goes or came from. */
export interface Target {
  protocol: TransportProtocol;
  host: string;
  port: number;
}

export interface ReceivedFrame {
  data: Buffer;
  source: Target;
  /** True on stream transports: the frame was cut at Content-Length (RFC 3261 clause 18.3). */
  stream: boolean;
}

export interface Transport {
  readonly protocol: TransportProtocol;
  /** RFC 3261 clause 18: reliable transports (TCP) switch off retransmissions. */
  readonly reliable: boolean;
  /** Bound address; `port` is the real port when 0 was requested. */
  readonly local: { host: string; port: number };
  send(data: Buffer, target: Target): Promise<void>;
  onFrame(handler: (frame: ReceivedFrame) => void): void;
  close(): Promise<void>;
}

export interface TransportOptions {
  /** Bind address; loopback by default. */
  host?: string;
  /** Bind port; 0 (ephemeral) by default. */
  port?: number;
}

export function targetKey(target: Target): string {
  return `${target.protocol}:${target.host}:${target.port}`;
}
