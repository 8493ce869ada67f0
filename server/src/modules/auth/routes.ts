import type { Module } from '../index';
import { API_BASE, defineRoute } from '../../lib/http';
import { clientAddress } from '../../lib/client-address';
import { publicUser } from '../../lib/auth';
import { LoginBody, LoginResponse, User } from './schemas';
import { deleteAccount, loginWithWechat, logout } from './service';

export const authModule: Module = {
  name: 'auth',
  register({ api, deps }) {
    defineRoute(api, API_BASE, {
      method: 'post',
      path: '/auth/wechat/login',
      summary: 'Log in with a wx.login code (WeChat jscode2session)',
      tags: ['auth'],
      access: 'public',
      // Sign-in has budgets of its own (rateLimits.login*).
      anonymousBudget: false,
      body: LoginBody,
      response: LoginResponse,
      errors: [
        { status: 401, code: 'WECHAT_CODE_INVALID' },
        { status: 429, code: 'RATE_LIMITED' },
        { status: 502, code: 'UPSTREAM_UNAVAILABLE' },
      ],
      handler: ({ body, ctx }) => loginWithWechat(deps, body.code, clientAddress(ctx)),
    });
    defineRoute(api, API_BASE, {
      method: 'get',
      path: '/me',
      summary: 'The current user',
      tags: ['auth'],
      access: 'user',
      response: User,
      handler: ({ user }) => publicUser(user!),
    });
    defineRoute(api, API_BASE, {
      method: 'post',
      path: '/auth/logout',
      summary: 'End the session',
      tags: ['auth'],
      access: 'user',
      status: 204,
      handler: async ({ ctx }) => {
        await logout(deps, ctx.state.token as string);
      },
    });
    defineRoute(api, API_BASE, {
      method: 'delete',
      path: '/me',
      summary: 'Delete my account (personal data removed; orders kept, anonymised)',
      tags: ['auth'],
      access: 'user',
      status: 204,
      handler: async ({ user, ctx }) => {
        await deleteAccount(deps, user!.id, ctx.state.token as string);
      },
    });
  },
};
