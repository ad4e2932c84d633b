/**
 * Who may subscribe to which document: the one thing besides its documents in which the CMS and
 * the GMS differ, and they differ because their specifications do:
 *
 * - CMS (TS 24.484 clause 6.3.13.2.2, subscription proxy; read permissions of TS 24.484 clause
 *   6.2.4): a user's own documents (UE configuration, user profiles in `users/<MCPTT ID>/`) and the
 *   global service configuration. Permission follows from the document's path, so it holds for a
 *   document that does not exist yet (a user profile shared later over CSC-17) and never changes
 *   while the subscription lives.
 * - GMS (TS 24.481 clause 6.3.13; authorization of group documents, TS 24.481 clause 6.3.2): the
 *   members of the group the document describes, and its administrators. Permission follows from the
 *   document's content, so it does not exist for an absent group and changes with membership.
 *
 * Everything else is one rule for both (see `notifier.ts`): the token in mcptt-info, a whole
 * SUBSCRIBE refused when one listed document may not be read, and a subscription that lost every
 * listed document ended with a final NOTIFY.
 */
import type { XcapUri } from '@mcx/xcap';

export interface XcapDiffAuthorizationPolicy {
  /**
   * Whether `user` (the MCPTT ID of the access token) may be told about the document `uri`
   * (RFC 4825 clause 5.7: the read permission of the application usage); asked when a SUBSCRIBE
   * arrives and whenever a NOTIFY is built.
   */
  mayRead(user: string, uri: XcapUri): boolean;
}
