import { expect, it } from 'vitest';
import { b } from './index.ts';
it('b', () => { expect(b).toBe(2); });
