/**
 * The transport a request goes over by its size (RFC 3261 clause 18.1.1): a request larger than
 * 1300 bytes when the path MTU is unknown (it always is here) MUST go over a congestion-controlled
 * transport (TCP) to the same host and port; if that connection cannot be made, the request
 * SHOULD be retried over UDP, which is possible only while it fits in one datagram.
 */
import type { Target, TransportProtocol } from './transport.ts';

/** RFC 3261 clause 18.1.1: the size above which a request leaves UDP when the path MTU is unknown. */
export const UDP_SIZE_LIMIT = 1300;
/** IPv4: the largest payload a UDP datagram can carry (65,535 less the IP and UDP headers). */
export const MAX_UDP_DATAGRAM = 65507;

/**
 * The target to send a request of `bytes` to: `target` itself, or the same host and port over
 * TCP when the request is too large for UDP and the sender has TCP.
 */
export function targetForSize(target: Target, bytes: number, available: (p: TransportProtocol) => boolean): Target {
  if (target.protocol !== 'udp' || bytes <= UDP_SIZE_LIMIT || !available('tcp')) return target;
  return { ...target, protocol: 'tcp' };
}

/** Whether a request moved to TCP by its size may fall back to UDP after the TCP attempt failed. */
export function fitsInDatagram(bytes: number): boolean {
  return bytes <= MAX_UDP_DATAGRAM;
}

/** What {@link sendBySize} needs of an endpoint. */
export interface SizeAwareSender<Req, Res extends { status: number; local?: boolean }> {
  send(request: Req, target: Target): Promise<Res>;
  transport(protocol: TransportProtocol): unknown;
}

/** What {@link sendBySize} answers: the final response, and whether the request could not be delivered by its size. */
export interface SizedSend<Res> {
  response: Res;
  /**
   * True when the request was moved to TCP by its size, that connection failed (a local 503) and
   * the request is too large for one datagram: no transport can carry it to this target.
   */
  tooLargeForUdp: boolean;
}

/**
 * Sends the request `build` makes by its size: over TCP to the same host and port when it is
 * larger than {@link UDP_SIZE_LIMIT} and was meant for UDP; when that connection fails (a local
 * 503), built again and sent over UDP if it fits in one datagram (RFC 3261 clause 18.1.1).
 * `build` is called again for the retry because a sent request carries its Via and CSeq.
 */
export async function sendBySize<Req, Res extends { status: number; local?: boolean }>(
  sender: SizeAwareSender<Req, Res>,
  build: () => { request: Req; target: Target },
  size: (request: Req) => number,
): Promise<SizedSend<Res>> {
  const first = build();
  // Only a request meant for UDP is measured (serializing it costs as much as sending it).
  const bytes = first.target.protocol === 'udp' ? size(first.request) : 0;
  const target = targetForSize(first.target, bytes, (p) => sender.transport(p) !== undefined);
  const response = await sender.send(first.request, target);
  if (target === first.target || response.local !== true || response.status !== 503) return { response, tooLargeForUdp: false };
  if (!fitsInDatagram(bytes)) return { response, tooLargeForUdp: true };
  const again = build();
  return { response: await sender.send(again.request, again.target), tooLargeForUdp: false };
}
