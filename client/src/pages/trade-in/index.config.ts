export default definePageConfig({ navigationBarTitleText: '旧家电估价' })
