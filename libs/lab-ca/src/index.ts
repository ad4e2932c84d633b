// Public surface of @mcx/lab-ca: the lab CA, the TLS listener of MC system endpoints, the clients' trust.
export { labCaIn, throwAwayLabCa, namesFor, type LabCa, type TlsCredentials } from './ca.ts';
export { createHttpServer, honourSslKeyLogFile, schemeOf } from './listen.ts';
export { trustLabCa, labCaDispatcher, fetchWith } from './trust.ts';
