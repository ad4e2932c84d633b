/**
 * HTTP errors that carry no xcap-error document: RFC 4825 uses plain HTTP status codes for
 * them (400 bad URI, 403, 404 clause 8.3, 405, 412 clause 7.11, 413, 415 clause 8.2.1), and 503
 * with Retry-After when the server is overloaded (RFC 9110 clause 15.6.4).
 */
import type { RenderedResponse } from './xcap-error.ts';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  503: 'Service Unavailable',
};

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 403 | 404 | 405 | 412 | 413 | 415 | 503,
    message?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? REASONS[status] ?? String(status));
    this.name = 'HttpError';
  }

  render(): RenderedResponse {
    return {
      status: this.status,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...this.headers },
      body: `${this.status} ${REASONS[this.status] ?? ''}: ${this.message}\n`,
    };
  }
}

/** 400 for a request URI that is not a valid XCAP URI (RFC 4825 clause 6). */
export class BadXcapUri extends HttpError {
  constructor(message: string) {
    super(400, message);
    this.name = 'BadXcapUri';
  }
}
