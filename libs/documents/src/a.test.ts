import { describe, expect, it } from 'vitest';
import { a } from './index.ts';
describe('a', () => { it('is 1', () => { expect(a).toBe(1); }); });
