import { describe, expect, it } from 'vitest';
import { codecArbitrary } from '@mcx/xml/testing';
import { documentSuite, expectDocumentError } from '../../test/document-suite.ts';
import { buildServiceConfig } from '../builders/service-config.ts';
import { effectiveServerProtection, effectiveSignallingProtection, SIGNALLING_PROTECTION_DEFAULT } from './defaults.ts';
import { parseServiceConfig, serializeServiceConfig, serviceConfigCodec, serviceConfigDocument, type ServiceConfig } from './service-config.ts';

const built = buildServiceConfig({ domain: 'mcx-a.example.net', withOffNetwork: true });
const maximal: ServiceConfig = {
  ...built,
  params: { ...built.params!, anyExt: ['<v:x xmlns:v="urn:vendor"/>'], other: ['<v:y xmlns:v="urn:vendor">1</v:y>'], otherAttrs: { '{urn:vendor}a': 'b' } },
  anyExt: [],
};

documentSuite('MCPTT service configuration', {
  document: serviceConfigDocument,
  xsd: 'rel13/Servconf.xsd',
  minimal: {},
  maximal,
  arbitrary: codecArbitrary(serviceConfigCodec),
});

describe('MCPTT service configuration: defaults (TS 24.484 clause 8.4.2.6)', () => {
  it('signalling protection is ON when absent', () => {
    const doc: ServiceConfig = { params: { domain: 'd', onNetwork: [{ ...built.params!.onNetwork![0]!, signallingProtection: undefined }] } };
    expect(effectiveSignallingProtection(doc)).toEqual(SIGNALLING_PROTECTION_DEFAULT);
    expect(effectiveSignallingProtection({})).toEqual({ confidentialityProtection: true, integrityProtection: true });
    expect(effectiveServerProtection({})).toEqual({ allowSignallingProtection: true, allowFloorControlProtection: true });
  });
  it('the builder writes explicit false, so a spec UE does not expect protected XML', () => {
    const parsed = parseServiceConfig(serializeServiceConfig(built));
    expect(effectiveSignallingProtection(parsed)).toEqual({ confidentialityProtection: false, integrityProtection: false });
  });
});

describe('MCPTT service configuration: rejections', () => {
  const xml = serializeServiceConfig(maximal);
  it('missing domain, bad duration, out-of-range hierarchy, missing required fc-timers-counters', () => {
    expectDocumentError(() => parseServiceConfig(xml.replace(/ domain="[^"]*"/, '')), 'schema', /service-configuration-params\/@domain/);
    expectDocumentError(() => parseServiceConfig(xml.replace('<hang-time>PT5S<', '<hang-time>5 seconds<')), 'schema', /private-call\/hang-time/);
    expectDocumentError(() => parseServiceConfig(xml.replace('<num-levels-priority-hierarchy>8<', '<num-levels-priority-hierarchy>2<')), 'schema', /num-levels-priority-hierarchy/);
    expectDocumentError(() => parseServiceConfig(xml.replace(/<fc-timers-counters>[\s\S]*<\/fc-timers-counters>/, '')), 'schema', /on-network\/fc-timers-counters/);
  });
});
