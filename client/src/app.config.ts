export default defineAppConfig({
  pages: [
    'pages/home/index',
    'pages/group-buy/index',
    'pages/stores/index',
    'pages/me/index',
    'pages/login/index',
    'pages/products/index',
    'pages/product/index',
    'pages/checkout/index',
    'pages/orders/index',
    'pages/order/index',
    'pages/store-console/index',
  ],
  window: {
    backgroundTextStyle: 'light',
    navigationBarBackgroundColor: '#E8480C',
    navigationBarTitleText: '星火',
    navigationBarTextStyle: 'white',
    backgroundColor: '#f6f6f6',
  },
  tabBar: {
    color: '#555555',
    selectedColor: '#E8480C',
    backgroundColor: '#ffffff',
    borderStyle: 'black',
    list: [
      { pagePath: 'pages/home/index', text: '首页' },
      { pagePath: 'pages/group-buy/index', text: '团购' },
      { pagePath: 'pages/stores/index', text: '门店' },
      { pagePath: 'pages/me/index', text: '我的' },
    ],
  },
})
