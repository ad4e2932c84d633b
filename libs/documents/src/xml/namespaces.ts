/** Namespaces that the codecs share (W3C "Namespaces in XML 1.0" clause 3). */
export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** RFC 4745 common policy (used by the user profile ruleset and the group document). */
export const COMMON_POLICY_NS = 'urn:ietf:params:xml:ns:common-policy';

/**
 * Prefixes the serializers use for namespaces that conventionally appear prefixed.
 * Any other foreign namespace is written by switching the default namespace.
 */
export const PREFERRED_PREFIXES: Readonly<Record<string, string>> = {
  [COMMON_POLICY_NS]: 'cp',
  'urn:3gpp:ns:mcpttGroupInfo:1.0': 'mcpttgi',
  'urn:oma:xml:xdm:common-policy': 'ocp',
};

/** Clark notation `{namespace}local` (or `local` when there is no namespace). */
export function clarkName(namespace: string | null | undefined, localName: string): string {
  return namespace ? `{${namespace}}${localName}` : localName;
}

export function parseClarkName(name: string): { namespace: string | null; localName: string } {
  const m = /^\{([^}]*)\}(.+)$/.exec(name);
  return m ? { namespace: m[1] ?? null, localName: m[2] ?? '' } : { namespace: null, localName: name };
}
