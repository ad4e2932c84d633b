/**
 * Namespaces that several MCX documents share, and the prefixes the serializers give them.
 */

/** RFC 4745 common policy (used by the user profile ruleset and the group document). */
export const COMMON_POLICY_NS = 'urn:ietf:params:xml:ns:common-policy';

/**
 * Prefixes for namespaces that conventionally appear prefixed (our choice, following the
 * examples of TS 24.481 and TS 24.484); the namespaces used are declared once on the root.
 * Any other foreign namespace is written by switching the default namespace.
 */
export const PREFERRED_PREFIXES: Readonly<Record<string, string>> = {
  [COMMON_POLICY_NS]: 'cp',
  'urn:3gpp:ns:mcpttGroupInfo:1.0': 'mcpttgi',
  'urn:oma:xml:xdm:common-policy': 'ocp',
};
