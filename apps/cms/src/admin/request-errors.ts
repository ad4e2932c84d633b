/**
 * The JSON refusal of the CMS admin API and CSC-17 for a request body express could not read
 * (the shape `{ error, detail }` is our choice, as for every admin API answer): body-parser marks
 * its failures with a 4xx `status` and a `type`; unreadable JSON is 400 `invalid_request`, a body
 * over the route's limit 413 `payload_too_large` (RFC 9110 clause 15.5.14), any other 4xx keeps
 * its status. Everything else goes on to the server's handler.
 */
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from '@mcx/xcap';

interface BodyParserError {
  status: number;
  type?: string;
  message: string;
}

function isBodyParserError(err: unknown): err is BodyParserError {
  const status = (err as { status?: unknown } | null)?.status;
  return err instanceof Error && !(err instanceof HttpError) && typeof status === 'number' && status >= 400 && status < 500;
}

const ERROR_BY_STATUS: Record<number, string> = { 400: 'invalid_request', 404: 'not_found', 413: 'payload_too_large', 415: 'unsupported_media_type' };

export function requestBodyErrors(err: unknown, _req: Request, res: Response, next: NextFunction): void {
  if (!isBodyParserError(err) || res.headersSent) return next(err);
  const detail = err.type === 'entity.parse.failed' ? `the body is not JSON: ${err.message}` : err.message;
  res.status(err.status).json({ error: ERROR_BY_STATUS[err.status] ?? 'invalid_request', detail });
}

/** The error code of an admin API refusal with `status`. */
export function errorCodeOf(status: number): string {
  return ERROR_BY_STATUS[status] ?? 'bad_request';
}
