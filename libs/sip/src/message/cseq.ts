/** CSeq (RFC 3261 clause 20.16, clause 8.1.1.5: sequence number below 2**31). */
export interface CSeq {
  seq: number;
  method: string;
}

export class CSeqError extends Error {}

export const MAX_CSEQ = 2 ** 31 - 1;

export function parseCSeq(text: string): CSeq {
  const m = /^\s*(\d{1,10})\s+([A-Za-z!%*_+`'~.-]+)\s*$/.exec(text);
  if (!m) throw new CSeqError(`Malformed CSeq "${text}"`);
  const seq = Number(m[1]);
  if (seq > MAX_CSEQ) throw new CSeqError(`CSeq number out of range "${text}"`);
  return { seq, method: m[2]! };
}
