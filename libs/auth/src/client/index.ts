export * from './login.ts';
export { CookieJar } from './cookie-jar.ts';
