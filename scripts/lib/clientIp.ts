/**
 * The n-th client address of 198.18.0.0/15 (the benchmarking range, 131,072 addresses), for a test's or a bench's user
 * to send as cf-connecting-ip: sign-ups are limited per client network (worker/accounts/auth.ts), and without it every
 * local request comes from the one 127.0.0.1 (the worker's fallback; wrangler dev keeps a header the client sent).
 */
export function clientIp(n: number): string {
  const i = ((Math.floor(n) % 131_072) + 131_072) % 131_072;
  return `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

/** A random one: for callers in separate processes that cannot share a counter. */
export const randomClientIp = () => clientIp(Math.random() * 131_072);
