import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { setUnauthenticatedHandler } from './api/client'
import { forget } from './stores/session'
import './styles/base.css'

setUnauthenticatedHandler(() => {
  forget()
  void router.push({ path: '/login', query: { next: router.currentRoute.value.fullPath } })
})
createApp(App).use(router).mount('#app')
