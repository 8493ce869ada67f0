export default definePageConfig({ navigationBarTitleText: '团长中心' })
