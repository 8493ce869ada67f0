import { request, loginWithCode, obtainLoginCode } from './request'
import { session, type User } from './session'

export const authApi = {
  /** Signs in: weapp through Taro.login; H5 as the given demo openid (through the emulator's codes). */
  async login(openid?: string): Promise<User> {
    if (openid) session.setDevOpenid(openid)
    const code = await obtainLoginCode(openid)
    if (!code) throw new Error('no login code')
    return loginWithCode(code)
  },
  me: () => request<User>('/me'),
  async logout(): Promise<void> {
    await request<void>('/auth/logout', { method: 'POST', quiet: true }).catch(() => undefined)
    session.clear()
    session.setDevOpenid(null)
  },
}
