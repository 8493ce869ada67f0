export default definePageConfig({ navigationBarTitleText: '店主工作台' })
