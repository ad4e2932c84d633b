export type { Backend, BackendHealth, Bind, FrontHandle } from './types.ts';
export {
  startHttpFront,
  renderHaproxyConfig,
  haproxyBackendName,
  parseShowStat,
  haproxyServerUp,
  type HttpFrontOptions,
  type HaproxyConfigOptions,
} from './haproxy.ts';
export {
  startSipFront,
  renderKamailioConfig,
  renderDispatcherList,
  parseDispatcherList,
  dispatcherUp,
  dispatcherUri,
  DISPATCHER_SET,
  type SipFrontOptions,
  type KamailioConfigOptions,
  type SipTransport,
} from './kamailio.ts';
export { findProgram } from './process.ts';
