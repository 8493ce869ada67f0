import pino, { type Logger } from 'pino';
import { currentRequestId } from './request-context';

/** Fields that never reach a log line: phone numbers, tokens and WeChat keys. */
export const REDACTED_PATHS = [
  'phone', '*.phone', 'phoneNumber', '*.phoneNumber', 'purePhoneNumber', '*.purePhoneNumber',
  'token', '*.token', 'access_token', '*.access_token', 'accessToken', '*.accessToken',
  'session_key', '*.session_key', 'sessionKey', '*.sessionKey', 'secret', '*.secret', 'appSecret', '*.appSecret',
  'req.headers.authorization', 'headers.authorization', 'authorization',
];

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Every line written while a request is being served carries its id.
      mixin: () => {
        const requestId = currentRequestId();
        return requestId ? { requestId } : {};
      },
    },
    destination,
  );
}

export type { Logger };
