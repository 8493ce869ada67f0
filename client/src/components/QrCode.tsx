import { View } from '@tarojs/components'
import QRCode from 'qrcode'
import { useMemo } from 'react'

/**
 * A QR code drawn with views (no canvas, no image): it renders the same in weapp and H5, offline.
 * `size` is in screen px (inline styles are not scaled by Taro): whole-pixel cells stay crisp for
 * the scanner, and 240 fits a card on a 360 px phone.
 */
export default function QrCode({ text, size = 240, testId }: { text: string; size?: number; testId?: string }) {
  const modules = useMemo(() => QRCode.create(text, { errorCorrectionLevel: 'M' }).modules, [text])
  const n = modules.size
  const cell = Math.floor(size / (n + 2))
  const rows: boolean[][] = []
  for (let y = 0; y < n; y++) {
    const row: boolean[] = []
    for (let x = 0; x < n; x++) row.push(Boolean(modules.get(x, y)))
    rows.push(row)
  }
  return (
    <View data-testid={testId} data-qr={text} style={{ padding: `${cell}px`, background: '#fff', display: 'inline-block' }}>
      {rows.map((row, y) => (
        <View key={y} style={{ display: 'flex', height: `${cell}px` }}>
          {row.map((on, x) => (
            <View key={x} style={{ width: `${cell}px`, height: `${cell}px`, background: on ? '#000' : '#fff' }} />
          ))}
        </View>
      ))}
    </View>
  )
}
