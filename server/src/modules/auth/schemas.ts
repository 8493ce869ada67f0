import { z } from '../../lib/http';
import { ROLES } from '../../lib/auth';

export const LoginBody = z.object({ code: z.string().min(1).max(128) }).strict().openapi('LoginBody');

export const User = z
  .object({ id: z.string(), nickname: z.string(), roles: z.array(z.enum(ROLES)), storeIds: z.array(z.string()) })
  .openapi('User');

export const LoginResponse = z.object({ token: z.string(), expiresAt: z.string(), user: User }).openapi('LoginResponse');
