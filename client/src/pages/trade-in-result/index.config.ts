export default definePageConfig({ navigationBarTitleText: '估价结果' })
