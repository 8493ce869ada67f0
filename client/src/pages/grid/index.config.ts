export default definePageConfig({ navigationBarTitleText: '网格经理看板' })
