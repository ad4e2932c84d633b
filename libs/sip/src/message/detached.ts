/**
 * A copy of a string that does not point into the text it was cut from (issue #14, memory).
 *
 * V8 represents a substring of 13 characters or more (a slice, a regexp match, a trim) as a view
 * on its parent, and a concatenation as a pair of pointers to its parts, so a header value kept in
 * a long-lived table (a transaction key for Timer J, a dialog's Call-ID, a registration's Contact)
 * keeps the whole text of the message it came from alive: about 700 bytes per finished transaction,
 * 5 MB in each process near the end of `mcx bench migration --ues 1000` (heap snapshots,
 * docs/performance.md). Our choice of idiom: prefixing a character makes V8 flatten the value into
 * a new string of its own when it is sliced again (V8 issue 2869, "substrings keep their parent
 * alive"); about five times cheaper than a JSON round trip.
 */
export function detached(s: string): string {
  return (' ' + s).slice(1);
}
