import Taro, { useDidShow } from '@tarojs/taro'
import { useState } from 'react'
import { session, type User } from '../services/session'
import { authApi } from '../services/auth'

/**
 * The signed-in user for a page. Not signed in: the mini-program signs in silently through
 * Taro.login; H5 goes to the development sign-in page.
 */
export function useSession(): User | null {
  const [user, setUser] = useState<User | null>(session.user())
  useDidShow(() => {
    const current = session.user()
    setUser(current)
    if (current) return
    if (process.env.TARO_ENV === 'h5') {
      void Taro.navigateTo({ url: '/pages/login/index' })
    } else {
      authApi.login().then(setUser).catch(() => undefined)
    }
  })
  return user
}
