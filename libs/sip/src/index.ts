/**
 * @mcx/sip: SIP transport, transactions, dialogs and SUBSCRIBE/NOTIFY (RFC 3261, RFC 6665,
 * RFC 5875 xcap-diff) over UDP and TCP.
 */
export * from './message/index.ts';
export * from './multipart.ts';
export * from './scheduler.ts';
export * from './logger.ts';
export * from './ids.ts';
export * from './target.ts';
export * from './dialog.ts';
export * from './refusal.ts';
export * from './transport/transport.ts';
export { UdpTransport } from './transport/udp.ts';
export { TcpTransport, type TcpTransportOptions } from './transport/tcp.ts';
export { StreamFramer, FramingError } from './transport/stream-framer.ts';
export { DEFAULT_TIMERS, type TransactionTimers } from './transaction/timers.ts';
export * from './endpoint.ts';
export * from './event/expires.ts';
export * from './event/event-header.ts';
export * from './event/subscription-state.ts';
export * from './event/subscription-store.ts';
export * from './event/notifier.ts';
export * from './event/subscriber.ts';
export * from './event/xcap-diff.ts';
export { listenUdpAndTcp } from './transport/listen.ts';
export { LoopLagMonitor, sharedLoopLag } from './overload/loop-lag.ts';
export { OverloadControl, type OverloadOptions, type OverloadCause } from './overload/overload-control.ts';
