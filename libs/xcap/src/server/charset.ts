/**
 * The charset parameter of a PUT body's Content-Type. RFC 4825 clause 8.2.2 has XCAP documents
 * and fragments in UTF-8 (a body that is not is 409 `not-utf-8`); a request that declares another
 * charset (e.g. `charset=utf-16`) is refused before its body is read as anything, with 415: that
 * refusal, instead of decoding the declared charset, is our own choice.
 */
import { HttpError } from '../errors/http-error.ts';

const CHARSET = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i;

/** The charset parameter of a Content-Type value, lower-cased; undefined when absent. */
export function charsetOf(contentType: string | undefined): string | undefined {
  const m = contentType === undefined ? null : CHARSET.exec(contentType);
  return m ? (m[1] ?? m[2] ?? '').toLowerCase() : undefined;
}

/** Throws 415 when the Content-Type names a charset other than UTF-8. */
export function checkUtf8Charset(contentType: string | undefined, mediaType: string): void {
  const charset = charsetOf(contentType);
  if (charset === undefined || charset === 'utf-8') return;
  throw new HttpError(415, `charset ${charset} is not supported: XCAP bodies are UTF-8 (RFC 4825 clause 8.2.2)`, { accept: `${mediaType}; charset=utf-8` });
}
