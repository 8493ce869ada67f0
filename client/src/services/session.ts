import Taro from '@tarojs/taro'

/** The signed-in user and token, kept in storage so a reload (or an offline start) keeps them. */
export type Role = 'villager' | 'leader' | 'store_owner' | 'technician' | 'grid_manager' | 'admin'
export type User = { id: string; nickname: string; roles: Role[]; storeIds: string[] }

const TOKEN = 'xh.token'
const USER = 'xh.user'
const DEV_OPENID = 'xh.devOpenid'

export const session = {
  token: (): string | null => Taro.getStorageSync(TOKEN) || null,
  user: (): User | null => Taro.getStorageSync(USER) || null,
  save(token: string, user: User) {
    Taro.setStorageSync(TOKEN, token)
    Taro.setStorageSync(USER, user)
  },
  clear() {
    Taro.removeStorageSync(TOKEN)
    Taro.removeStorageSync(USER)
  },
  /** H5 development sign-in: which demo openid to mint emulator codes for. */
  devOpenid: (): string | null => Taro.getStorageSync(DEV_OPENID) || null,
  setDevOpenid: (openid: string | null) => (openid ? Taro.setStorageSync(DEV_OPENID, openid) : Taro.removeStorageSync(DEV_OPENID)),
}

export const ROLE_LABELS: Record<Role, string> = { villager: '村民', leader: '团长', store_owner: '店主', technician: '师傅', grid_manager: '网格经理', admin: '运营' }
