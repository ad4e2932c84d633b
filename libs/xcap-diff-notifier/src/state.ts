/**
 * What the notifier keeps per xcap-diff subscription (RFC 5875; RFC 6665 clause 4.2): the
 * resources subscribed to and what the subscriber was told. The subscriber's identity (the MCPTT
 * ID from the access token, TS 24.484 clause 6.3.13.2.2 / TS 24.481 clause 6.3.13) is the
 * subscription's `subscriber`, never a From header.
 */
export interface XcapDiffSubscriptionState {
  /** Explicitly listed documents: canonical document selector → the `sel` written in NOTIFYs. */
  documents: Record<string, string>;
  /**
   * Subscribed to the document set's collection of the subscriber's documents (RFC 5875 clause
   * 4.3: a directory URI), including documents that join it later.
   */
  collection: boolean;
  /** Document selector → the ETag of the subscriber's copy, as the last answered NOTIFY told it. */
  notified: Record<string, string>;
  /** RFC 5875 clause 4.3 `diff-processing`: false when the subscriber asked for `no-patching`. */
  patching: boolean;
}
