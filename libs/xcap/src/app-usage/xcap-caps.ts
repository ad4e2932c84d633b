/**
 * The server capabilities document (RFC 4825 clause 12): application usage `xcap-caps`,
 * served read-only at `xcap-caps/global/index`, listing the registered AUIDs and the namespaces
 * their documents use (each usage's default namespace and its declared other namespaces).
 */
import { escapeText } from '@mcx/xml';
import { XCAP_ERROR_NAMESPACE } from '../errors/xcap-error.ts';
import type { ApplicationUsageRegistry } from './registry.ts';

export const XCAP_CAPS_AUID = 'xcap-caps';
export const XCAP_CAPS_NAMESPACE = 'urn:ietf:params:xml:ns:xcap-caps';
export const XCAP_CAPS_MIME = 'application/xcap-caps+xml';

export function renderXcapCaps(registry: ApplicationUsageRegistry): string {
  const usages = registry.list();
  const auids = [XCAP_CAPS_AUID, ...usages.map((u) => u.auid)];
  const namespaces = [...new Set([XCAP_CAPS_NAMESPACE, XCAP_ERROR_NAMESPACE, ...usages.flatMap((u) => [u.defaultNamespace, ...(u.namespaces ?? [])])])];
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<xcap-caps xmlns="${XCAP_CAPS_NAMESPACE}">` +
    `<auids>${auids.map((a) => `<auid>${escapeText(a)}</auid>`).join('')}</auids>` +
    `<namespaces>${namespaces.map((n) => `<namespace>${escapeText(n)}</namespace>`).join('')}</namespaces>` +
    `</xcap-caps>\n`
  );
}
