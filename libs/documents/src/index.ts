export { a } from './a.ts';
