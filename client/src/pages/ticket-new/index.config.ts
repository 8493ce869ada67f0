export default definePageConfig({ navigationBarTitleText: '报修 / 售后' })
