import { a } from '@mcx/documents';
export const b = a + 1;
