// Deep links in history mode: every page has its own URL, and ledgerd answers index.html for any
// path outside the API. Pages load on demand, so the volunteer's phone never downloads the staff
// pages, Element Plus or ECharts.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { homeOf, loadSession, session } from '../stores/session'
import LoginView from '../views/LoginView.vue'
import { zh } from '../locales/zh-CN'

const t = zh.titles

const staff = ['coordinator', 'admin', 'auditor']
const routes: RouteRecordRaw[] = [
  { path: '/', redirect: () => homeOf(session.current?.role) },
  { path: '/login', component: LoginView, meta: { public: true, title: t.login } },
  { path: '/activate', component: () => import('../views/ActivateView.vue'), meta: { public: true, title: t.activate } },
  { path: '/certificates/:id', component: () => import('../views/certificates/CertificateView.vue'), meta: { public: true, title: t.certificate } },
  { path: '/me', component: () => import('../views/member/VolunteerHome.vue'), meta: { roles: ['member'], title: t.me } },
  { path: '/me/requests', component: () => import('../views/member/MyRequests.vue'), meta: { roles: ['member'], title: t.myRequests } },
  { path: '/me/record', component: () => import('../views/member/RecordVisit.vue'), meta: { roles: ['member'], title: t.record } },
  {
    path: '/',
    component: () => import('../components/StaffLayout.vue'),
    children: [
      { path: 'coordinator/queue', component: () => import('../views/coordinator/QueueView.vue'), meta: { roles: ['coordinator'], title: t.queue } },
      { path: 'members', component: () => import('../views/coordinator/MembersView.vue'), meta: { roles: ['coordinator', 'admin'], title: t.members } },
      { path: 'members/:id', component: () => import('../views/coordinator/MemberDetail.vue'), meta: { roles: ['coordinator', 'admin', 'auditor'], title: t.member } },
      { path: 'reports/monthly', component: () => import('../views/coordinator/ReportView.vue'), meta: { roles: staff, title: t.report } },
      { path: 'reports/filing', component: () => import('../views/admin/FilingView.vue'), meta: { roles: ['admin', 'auditor'], title: t.filing } },
      { path: 'funds/:id?', component: () => import('../views/funds/FundsView.vue'), meta: { roles: staff, title: t.funds } },
      { path: 'partner', component: () => import('../views/partner/PartnerHome.vue'), meta: { roles: ['partner'], title: t.partner } },
      { path: 'auditor', component: () => import('../views/auditor/AuditorHome.vue'), meta: { roles: ['auditor', 'admin'], title: t.audit } },
      { path: 'admin', component: () => import('../views/admin/AdminHome.vue'), meta: { roles: ['admin'], title: t.admin } },
      { path: 'coordinator/requests', component: () => import('../views/coordinator/RequestsView.vue'), meta: { roles: ['coordinator'], title: t.requests } },
      { path: 'imports', component: () => import('../views/coordinator/ImportView.vue'), meta: { roles: ['coordinator', 'admin'], title: t.imports } },
      { path: 'certificates', component: () => import('../views/certificates/CertificatesInfo.vue'), meta: { roles: ['coordinator', 'admin'], title: t.certificates } },
      { path: 'soon/:what', component: () => import('../views/ComingSoon.vue'), meta: { roles: ['coordinator', 'admin', 'auditor', 'partner'], title: t.soon } },
      { path: ':rest(.*)*', component: () => import('../views/NotFound.vue'), meta: { title: t.notFound } },
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
  document.title = `${(to.meta.title as string) ?? ''} · ${zh.app.name}`
})
