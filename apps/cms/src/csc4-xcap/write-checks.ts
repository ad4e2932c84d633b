/**
 * The checks of one write of a whole CMS document, as one function of plain values so that it
 * can run in a worker thread (the CMS's XmlWorkerPool loads this module) as well as inline:
 * well-formedness, schema validation (RFC 4825 clause 8.2.5, the strict codecs plus attributes on
 * elements whose type has none) and, for a user profile, the constraints of its document
 * (TS 24.484 clause 8.3.1A identity; the upload constraints of TS 23.280 clause 10.1.4.5 for
 * writes through CSC-4).
 */
import { AUID, parseUserProfile } from '@mcx/documents';
import { DocumentError, parseXml } from '@mcx/xml';
import type { DocumentSelector, DocumentVerdict } from '@mcx/xcap';
import { documentValidationIssue, profileIdentityViolation, uploadViolation } from './application-usages.ts';

export interface WriteCheckInput {
  auid: string;
  /** The whole document as it would be stored. */
  xml: string;
  /** Where it would be stored (for a user profile: the user and the index its name carries). */
  document: DocumentSelector;
  /** The stored body it replaces, if any. */
  previousXml?: string | undefined;
  /**
   * `csc4`: a write through the XCAP root (all constraints, upload rules included);
   * `admin`: an administrator's write (identity only); `validate`: schema validation only.
   */
  checks: 'csc4' | 'admin' | 'validate';
}

/** The task the CMS's worker threads run (see write-checker.ts). */
export function checkWrite(input: WriteCheckInput): DocumentVerdict {
  let doc: ReturnType<typeof parseXml>;
  try {
    doc = parseXml(input.xml);
  } catch (e) {
    if (e instanceof DocumentError) return { kind: 'not-well-formed', phrase: e.message };
    throw e;
  }
  const issue = documentValidationIssue(input.auid, input.xml, () => doc);
  if (issue !== null) return { kind: 'schema', issues: [{ message: issue }] };
  if (input.auid !== AUID.userProfile || input.checks === 'validate') return null;
  const next = parseUserProfile(input.xml, { strict: true });
  const identity = profileIdentityViolation(next, input.document);
  if (identity !== null) return { kind: 'constraint', phrase: identity };
  if (input.checks === 'admin') return null;
  const previous = input.previousXml === undefined ? undefined : parseUserProfile(input.previousXml);
  const upload = uploadViolation(next, previous);
  return upload === null ? null : { kind: 'constraint', phrase: upload };
}
