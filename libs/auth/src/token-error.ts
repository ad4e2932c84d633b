/**
 * Why an access token was refused by a resource server, as a typed value that renders itself:
 * an RFC 6750 clause 3 `WWW-Authenticate: Bearer` challenge and status code.
 */
export type TokenErrorCode =
  | 'missing'
  | 'malformed'
  | 'expired'
  | 'not-yet-valid'
  | 'bad-signature'
  | 'unknown-key'
  | 'wrong-issuer'
  | 'wrong-audience'
  | 'wrong-type'
  | 'revoked'
  | 'insufficient-scope'
  | 'jwks-unavailable';

/** RFC 6750 clause 3.1 error codes. */
type BearerError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export class TokenError extends Error {
  override readonly name = 'TokenError';
  constructor(
    readonly code: TokenErrorCode,
    message: string,
    /** Scopes the resource server needed (for insufficient-scope). */
    readonly scope?: readonly string[],
  ) {
    super(message);
  }

  /** RFC 6750 clause 3.1: which error code goes on the wire. */
  get bearerError(): BearerError | undefined {
    switch (this.code) {
      case 'missing':
        return undefined; // RFC 6750 clause 3.1: no error code when the request lacks authentication
      case 'insufficient-scope':
        return 'insufficient_scope';
      default:
        return 'invalid_token';
    }
  }

  /**
   * HTTP status (RFC 6750 clause 3.1): 401, 403 (or 503 when the JWKS cannot be fetched). A token
   * that is not a JWT at all is `invalid_token` 401 like any other bad token ("expired, revoked,
   * malformed, or invalid for other reasons"); `invalid_request` 400 is for a malformed request.
   */
  get status(): number {
    if (this.code === 'jwks-unavailable') return 503;
    if (this.code === 'insufficient-scope') return 403;
    return 401;
  }

  /** The `WWW-Authenticate` header value (RFC 6750 clause 3). */
  challenge(realm?: string): string {
    const params: string[] = [];
    if (realm) params.push(`realm="${realm}"`);
    const error = this.bearerError;
    if (error) {
      params.push(`error="${error}"`);
      params.push(`error_description="${this.message.replace(/["\\]/g, '')}"`);
    }
    if (this.scope?.length) params.push(`scope="${this.scope.join(' ')}"`);
    return params.length ? `Bearer ${params.join(', ')}` : 'Bearer';
  }

  toJSON(): { error: string; error_description: string; code: TokenErrorCode } {
    return { error: this.bearerError ?? 'invalid_token', error_description: this.message, code: this.code };
  }
}
