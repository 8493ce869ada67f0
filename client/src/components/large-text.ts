import Taro from '@tarojs/taro'
import { useEffect, useState } from 'react'

/** Large-text mode (适老化): remembered in storage, applied to every page through <Page>. */
const KEY = 'xh.largeText'
const EVENT = 'xh:largeText'

export function isLargeText(): boolean {
  return Taro.getStorageSync(KEY) === true
}

export function setLargeText(on: boolean): void {
  Taro.setStorageSync(KEY, on)
  Taro.eventCenter.trigger(EVENT, on)
}

export function useLargeText(): boolean {
  const [on, setOn] = useState(isLargeText())
  useEffect(() => {
    const handler = (v: boolean) => setOn(v)
    Taro.eventCenter.on(EVENT, handler)
    return () => {
      Taro.eventCenter.off(EVENT, handler)
    }
  }, [])
  return on
}
