import { View } from '@tarojs/components'
import type { PropsWithChildren } from 'react'
import { useLargeText } from './large-text'

/** Every page's root: applies large-text mode. */
export default function Page({ children, testId }: PropsWithChildren<{ testId?: string }>) {
  const large = useLargeText()
  return (
    <View className={`page${large ? ' large-text' : ''}`} data-testid={testId}>
      {children}
    </View>
  )
}
