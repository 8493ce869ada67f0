/**
 * Errors that know their HTTP status and API code (API.md). Anything else that reaches the error
 * middleware is a bug or a dependency failure, and is answered without internals.
 */
export type ErrorDetail = { path: string; message: string };

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
    readonly headers: Record<string, string> = {},
    /** Fields added to the error object beside code and message (documented on the route), e.g. `pickedUpAt`. */
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const validationFailed = (details: ErrorDetail[], message = '请求参数有误') =>
  new AppError(400, 'VALIDATION_FAILED', message, details);
export const badRequest = (code: string, message: string, details: ErrorDetail[] = []) =>
  new AppError(400, code, message, details);
export const unauthenticated = (message = '请先登录') => new AppError(401, 'UNAUTHENTICATED', message);
export const forbidden = (message = '没有权限') => new AppError(403, 'FORBIDDEN', message);
export const notFound = (message = '找不到该资源') => new AppError(404, 'NOT_FOUND', message);
export const conflict = (code: string, message: string, extra: Record<string, unknown> = {}) => new AppError(409, code, message, [], {}, extra);
export const rateLimited = (retryAfterSeconds: number, message = '操作太频繁，请稍后再试') =>
  new AppError(429, 'RATE_LIMITED', message, [], { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) });
export const dependencyUnavailable = (message = '服务暂时不可用，请稍后再试') => new AppError(503, 'DEPENDENCY_UNAVAILABLE', message);
export const upstreamUnavailable = (message = '微信服务暂时不可用，请稍后再试') => new AppError(502, 'UPSTREAM_UNAVAILABLE', message);

/** Whether an error from mysql2, Prisma or ioredis means the dependency itself is down. */
export function isDependencyDown(err: unknown): boolean {
  const e = err as { code?: string; errno?: number; name?: string; message?: string } | undefined;
  if (!e) return false;
  const codes = new Set([
    'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'PROTOCOL_CONNECTION_LOST', 'ER_CON_COUNT_ERROR',
    'PROTOCOL_SEQUENCE_TIMEOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'POOL_CLOSED', 'ER_SERVER_SHUTDOWN',
    'P1001', 'P1002', 'P1017', 'P2024', 'P2037',
  ]);
  if (e.code && codes.has(e.code)) return true;
  if (e.errno === 1927 /* connection killed */ || e.errno === 1053 /* server shutdown */) return true;
  const msg = e.message ?? '';
  return (
    e.name === 'MaxRetriesPerRequestError' ||
    /Connection is closed|Stream isn't writeable|Command timed out|enableOfflineQueue|ECONNREFUSED|connect ETIMEDOUT|pool timeout|Too many connections|Can't connect|Connection lost|server has gone away|DriverAdapterError/i.test(msg)
  );
}
