/**
 * `<on-network><anyExt>` content of the UE initial configuration. Rel-13 has no element for the
 * MC service server PSI; later releases carry `<MCPTT-Service-Details><Server-URI>` (the
 * participating MCPTT function PSI, TS 24.484 clause 7.2.2.1) in the same namespace inside
 * `anyExt`. The CMS PSI (the subscription proxy, clause 6.3.13.2.2) is `App-Server-Info/cms`.
 */
import { complex, ext3gpp, opt, xsAnyUri } from '@mcx/xml';

export const mcpttServiceDetailsCodec = complex({
  serverUri: opt('Server-URI', xsAnyUri),
  anyExt: ext3gpp().anyExt,
  other: ext3gpp().other,
});

/** Typed view of `<on-network><anyExt>`: known children typed, everything else kept in `other`. */
export const onNetworkAnyExtCodec = complex(
  { mcpttServiceDetails: opt('MCPTT-Service-Details', mcpttServiceDetailsCodec), other: ext3gpp().other },
  { order: 'choice', keepUnknown: true },
);
