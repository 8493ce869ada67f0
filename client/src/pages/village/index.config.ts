export default definePageConfig({ navigationBarTitleText: '村里的门店' })
