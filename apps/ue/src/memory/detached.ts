/**
 * A copy of a string that does not point into the string it was cut from (issue #14, memory). V8
 * represents a substring (slice, regexp match, trim, a parsed XML value) of 13 characters or more
 * as a view on its parent, so a short string kept in a long-lived table keeps the whole text it
 * came from alive: a Call-ID its SIP message, a profile name its XML document.
 */
export function detached(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}
