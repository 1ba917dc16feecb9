// Deep links in history mode: every page has its own URL, and ledgerd answers index.html for any
// path outside the API. Pages load on demand, so the volunteer's phone never downloads the staff
// pages, Element Plus or ECharts.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { homeOf, loadSession, session } from '../stores/session'
import LoginView from '../views/LoginView.vue'

const staff = ['coordinator', 'admin', 'auditor']
const routes: RouteRecordRaw[] = [
  { path: '/', redirect: () => homeOf(session.current?.role) },
  { path: '/login', component: LoginView, meta: { public: true, title: '登录' } },
  { path: '/activate', component: () => import('../views/ActivateView.vue'), meta: { public: true, title: '设置密码' } },
  { path: '/me', component: () => import('../views/member/VolunteerHome.vue'), meta: { roles: ['member'], title: '我的服务' } },
  { path: '/me/record', component: () => import('../views/member/RecordVisit.vue'), meta: { roles: ['member'], title: '登记服务' } },
  {
    path: '/',
    component: () => import('../components/StaffLayout.vue'),
    children: [
      { path: 'coordinator/queue', component: () => import('../views/coordinator/QueueView.vue'), meta: { roles: ['coordinator'], title: '待核验服务' } },
      { path: 'members', component: () => import('../views/coordinator/MembersView.vue'), meta: { roles: ['coordinator', 'admin'], title: '成员' } },
      { path: 'members/:id', component: () => import('../views/coordinator/MemberDetail.vue'), meta: { roles: ['coordinator', 'admin', 'auditor'], title: '成员详情' } },
      { path: 'reports/monthly', component: () => import('../views/coordinator/ReportView.vue'), meta: { roles: staff, title: '月度报告' } },
      { path: 'funds/:id?', component: () => import('../views/funds/FundsView.vue'), meta: { roles: staff, title: '资金' } },
      { path: 'partner', component: () => import('../views/partner/PartnerHome.vue'), meta: { roles: ['partner'], title: '我的捐赠' } },
      { path: 'auditor', component: () => import('../views/auditor/AuditorHome.vue'), meta: { roles: ['auditor', 'admin'], title: '审计' } },
      { path: 'admin', component: () => import('../views/admin/AdminHome.vue'), meta: { roles: ['admin'], title: '总览' } },
      { path: 'soon/:what', component: () => import('../views/ComingSoon.vue'), meta: { roles: ['coordinator', 'admin', 'auditor', 'partner'], title: '即将推出' } },
      { path: ':rest(.*)*', component: () => import('../views/NotFound.vue'), meta: { title: '未找到' } },
    ],
  },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  if (to.meta.public) return true // the sign-in pages ask nothing of the server on load
  await loadSession()
  const role = session.current?.role
  if (!role) return { path: '/login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} }
  const roles = to.meta.roles as string[] | undefined
  if (roles && !roles.includes(role)) return { path: homeOf(role) }
  return true
})

router.afterEach((to) => {
  document.title = `${(to.meta.title as string) ?? ''} · 斋义账本`
})
