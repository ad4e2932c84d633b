/** What the GMS keeps per group-document subscription (TS 24.481 clause 6.3.13; RFC 5875). */
export interface GroupSubscriptionState {
  /** The subscriber's MCPTT ID, from the access token of the SUBSCRIBE (never from From). */
  mcpttId: string;
  /**
   * Subscribed to a collection ("all my groups"): every group document the user is a member of,
   * including groups the user is added to later.
   */
  all: boolean;
  /** Explicitly subscribed documents: canonical selector → the URI exactly as subscribed (the NOTIFY `sel`, RFC 5875 clause 4.6). */
  documents: Record<string, string>;
  /** Selector → the ETag last notified to the subscriber (what its copy is). */
  notified: Record<string, string>;
}
