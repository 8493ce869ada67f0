import { View, Text, Button, Input } from '@tarojs/components'
import Taro from '@tarojs/taro'
import { useState } from 'react'
import Page from '../../components/Page'
import { authApi } from '../../services/auth'

/**
 * Sign-in. The mini-program signs in through Taro.login; the H5 build (development and tests) lets
 * a person pick a demo account, and still goes through the WeChat emulator's one-time codes.
 */
const DEMO_ACCOUNTS = [
  { openid: 'demo_villager', label: '王大妈 · 村民' },
  { openid: 'demo_leader', label: '李团长 · 团长' },
  { openid: 'demo_owner', label: '张店长 · 店主 DEMO-001' },
  { openid: 'demo_owner2', label: '赵店长 · 店主 DEMO-002' },
  { openid: 'demo_grid', label: '孙经理 · 网格经理' },
  { openid: 'demo_admin', label: '运营小刘 · 运营' },
]

export default function Login() {
  const [openid, setOpenid] = useState('')
  const [busy, setBusy] = useState(false)
  const isH5 = process.env.TARO_ENV === 'h5'

  const signIn = async (id?: string) => {
    setBusy(true)
    try {
      await authApi.login(id)
      void Taro.switchTab({ url: '/pages/me/index' })
    } catch {
      void Taro.showToast({ title: '登录失败，请重试', icon: 'none' })
    } finally {
      setBusy(false)
    }
  }

  return (
    <Page testId='login-page'>
      <View className='title'>欢迎来到星火</View>
      {isH5 ? (
        <View>
          <View className='muted'>开发环境登录：选择一个演示账号</View>
          {DEMO_ACCOUNTS.map((a) => (
            <Button key={a.openid} className='btn' data-testid={`login-${a.openid}`} disabled={busy} onClick={() => signIn(a.openid)}>
              {a.label}
            </Button>
          ))}
          <View className='subtitle'>其他账号</View>
          <Input className='input' data-testid='login-openid' placeholder='openid，例如 villager_001' value={openid} onInput={(e) => setOpenid(e.detail.value.trim())} />
          <Button className={`btn secondary${busy || !/^[A-Za-z0-9_-]{1,64}$/.test(openid) ? ' disabled' : ''}`} data-testid='login-custom' disabled={busy || !/^[A-Za-z0-9_-]{1,64}$/.test(openid)} onClick={() => signIn(openid)}>
            用这个 openid 登录
          </Button>
        </View>
      ) : (
        <Button className='btn' data-testid='login-wechat' disabled={busy} onClick={() => signIn()}>
          <Text>微信一键登录</Text>
        </Button>
      )}
    </Page>
  )
}
