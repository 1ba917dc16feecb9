// Every label of the console, in one place so that wording is reviewed together (zh-CN first).
export const zh = {
  units: { yuan: '元', hours: '小时', minutes: '分钟', seconds: '秒' },
  titles: {
    login: '登录', activate: '设置密码', me: '我的服务', record: '登记服务', queue: '待核验服务', members: '成员', member: '成员详情',
    report: '月度报告', funds: '资金', partner: '我的捐赠', audit: '审计', admin: '总览', soon: '即将推出', notFound: '未找到',
  },
  genders: ['女', '男'],
  app: { name: '斋义账本', skip: '跳到主要内容', signOut: '退出登录', loading: '正在加载…', retry: '重试', back: '返回' },
  roles: { admin: '管理员', coordinator: '协调员', auditor: '审计员', partner: '合作伙伴', member: '志愿者', merchant: '商户' } as Record<string, string>,
  nav: {
    home: '首页', queue: '待核验服务', members: '成员', report: '月度报告', funds: '资金', audit: '审计',
    accounts: '账户', soon: '即将推出', serviceRequests: '服务需求', certificates: '服务证明', filing: '备案材料', statements: '对账单',
    main: '主导航',
  },
  login: {
    title: '登录', lead: '请用账号和密码登录', login: '账号（手机号或用户名）', password: '密码', submit: '登录', busy: '正在登录…',
    wrong: '账号或密码不正确，请重新输入。', limited: (wait: string) => `尝试次数过多，请在 ${wait} 后再试。`,
    busyServer: '系统繁忙，请稍后再试。', failed: '登录失败：', missing: '请填写账号和密码。',
    merchantNone: '商户账号请使用核验工具，本控制台暂无商户页面。',
  },
  activate: {
    title: '设置密码', lead: '这是首次登录：请为您的账号设置密码。', password: '新密码（至少 8 个字符）', again: '再次输入新密码',
    submit: '设置密码', done: '密码已设置，请用新密码登录。', toLogin: '去登录', noToken: '链接中缺少邀请码，请向协调员重新索取邀请。',
    mismatch: '两次输入的密码不一致。', weak: '密码太简单或太短：请至少 8 个字符，且不要用常见密码。',
    invalid: '邀请已失效（已使用、已过期或不存在），请向协调员重新索取。',
  },
  wait: { seconds: (s: number) => `${s} 秒`, minutes: (m: number) => `${m} 分钟` },
  notFound: { title: '未找到', lead: '没有这个页面，或您无权查看。', home: '回到首页' },
  soon: { title: '即将推出', lead: '这一功能将在后续版本中提供。' },
  volunteer: {
    hello: (name: string) => `${name}，您好`, big: '大字', bigOn: '大字：开', bigOff: '大字：关',
    thisMonth: '本月已核验', allVerified: '累计已核验', pending: '待核验', credits: '可用时间积分', star: '星级',
    stars: (n: number) => `${n} 星`, toNext: (hours: string, next: number) => `再服务 ${hours} 小时可升到 ${next} 星`,
    top: '已是最高星级', progress: '到下一星级的进度', recent: '最近的服务', redemptions: '兑换记录', none: '暂无记录',
    record: '登记一次服务', income: '手工收入',
    state: { pending: '待核验', verified: '已核验', rejected: '未通过', reversed: '已撤销' } as Record<string, string>,
    minutesLong: (h: string) => `${h} 小时`,
    reward: { cash: '现金兑换', training: '培训兑换' } as Record<string, string>,
  },
  record: {
    title: '登记一次服务', lead: '登记后为“待核验”，协调员核实后计入时长。', date: '服务日期', time: '开始时间', minutes: '服务时长（分钟，不含路程）',
    kind: '服务类型', elder: '服务对象编号（可不填）', content: '服务内容（可不填）', submit: '提交登记', busy: '正在提交…',
    done: '已登记，等待协调员核验。', again: '再登记一次', home: '回到我的首页', forbidden: '您的账号暂时不能自己登记服务，请联系协调员代为登记。',
    minutesRange: '服务时长须在 1 到 720 分钟之间。',
  },
  kinds: { home_visit: '上门探访', companionship: '陪伴', respite_care: '喘息照护', errand: '代办跑腿', activity: '活动', handicraft: '手工', other: '其他' } as Record<string, string>,
  memberKinds: { volunteer: '志愿者', elder: '老人', youth_volunteer: '青年志愿者' } as Record<string, string>,
  queue: {
    title: '待核验的服务', lead: '核实后计入志愿者时长；请填写确认人（老人、监护人或活动负责人）。', empty: '没有待核验的服务。',
    volunteer: '志愿者', elder: '服务对象', kind: '类型', started: '开始时间', minutes: '时长', content: '内容', confirmedBy: '确认人',
    select: '选择', selectAll: '全选', verify: '核验通过', reject: '不通过', reason: '不通过的原因', verified: (n: number) => `已核验 ${n} 条。`,
    rejected: (n: number) => `已标记 ${n} 条为不通过。`, needReason: '请填写不通过的原因。', needSelection: '请先选择服务。',
    needConfirmer: '请为每条选中的服务填写确认人。', rating: '评分（可不填）',
  },
  members: {
    title: '本站点成员', register: '登记新成员', id: '成员编号', name: '姓名', kind: '类别', phone: '手机号', star: '星级', verified: '已核验时长',
    pending: '待核验', active: '状态', yes: '在册', no: '已停用', open: '查看', gender: '性别', birthYear: '出生年份', livesAlone: '独居',
    registered: '已登记。', submit: '登记', detail: '成员详情', invite: '邀请登录', inviteLogin: '登录账号（手机号）', inviteSubmit: '生成邀请',
    inviteLead: '把下面的链接或二维码交给本人：72 小时内有效，只能使用一次。', inviteLink: '邀请链接', print: '打印', taken: '这个账号已存在：可重新邀请（重置密码）。',
    reinvite: '重新邀请（重置密码）', deactivate: '停用成员', deactivateReason: '停用原因', deactivated: '已停用。', confirmDeactivate: '确认停用',
    cancel: '取消', correctNote: '更正：接口没有修改姓名或电话的事件；录错的成员可停用后重新登记。', account: '登录账号', noAccount: '尚未开通',
    services: '服务记录', qrAlt: '邀请链接的二维码', expires: '有效期至',
  },
  report: {
    title: '月度报告', month: '月份', branch: '站点', load: '查看', verified: '已核验时长', services: '服务次数', elders: '服务老人', activities: '活动',
    beneficiaries: '受益人次', newMembers: '新成员', donations: '捐赠', sales: '义卖', disbursed: '帮扶支出', redeemedCash: '现金兑换', redeemedTraining: '培训兑换（分钟）',
    hoursPerWeek: '每周服务时长（小时）', byKind: '按类型的服务次数', stars: '各星级人数', week: (n: number) => `第 ${n} 周`, starLabel: (n: number) => `${n} 星`,
    sealed: '本月已封存', notSealed: '本月尚未封存', seal: '封存本月', sealConfirm: '确认封存', sealLead: '封存后本月数据不可再改，以下数字将写入账本：',
    sealDone: '已封存。', sealPosition: '封存位置', hash: '哈希', count: '次数', charts: '图表', hours: '小时', people: '人数', table: '数据表',
  },
  funds: {
    title: '资金', fund: '基金编号', load: '查看', balance: '余额', inflow: '收入合计', outflow: '支出合计', unrestricted: '非限定余额', earmarks: '限定用途余额',
    purpose: '用途', amount: '金额', byChannel: '收入（按渠道）', byCategory: '支出（按类别）', trail: '资金去向', sankey: '捐赠方 → 捐赠 → 用途',
    outflowId: '支出编号', type: '类型', at: '时间', sources: '来源', none: '暂无',
    channels: { donation: '捐赠', charity_sale: '义卖', enterprise_purchase: '企业采购', government_purchase: '政府采购' } as Record<string, string>,
    categories: { disbursement: '帮扶支出', redemption: '积分兑换', materials: '材料', management: '管理', training: '培训', activity: '活动' } as Record<string, string>,
    purposes: { elder_aid: '长者帮扶', redemption: '积分兑换' } as Record<string, string>,
    fundGap: '接口没有基金列表：请输入基金编号。',
  },
  partner: {
    title: '我的捐赠与采购', donated: '捐赠合计', purchased: '采购合计', used: '已使用', donation: '捐赠', allocated: '已分配', remaining: '剩余',
    uses: '每一分钱的去向', restricted: '限定用途', purchasesGap: '采购明细：接口只给出采购合计，暂无逐笔列表。',
  },
  audit: {
    title: '审计', head: '账本头部', next: '下一位置', position: '位置', hash: '哈希', checkpoint: '最近的签名检查点', headCheckpoint: '头部签名检查点',
    signature: '签名', at: '记录时间', publicKey: '公钥（Ed25519）', offline: '离线核验步骤', offlineLead: '在账本所在机器上导出并核验（命令来自 README）：',
    copy: '复制',
    commands: `build/release/tools/ledgerctl pubkey --data var/data > ledger.pub          # 账本公钥
build/release/tools/ledgerctl export --data var/data --out ledger.jsonl    # 导出全部历史
build/release/tools/ledgerctl verify --export ledger.jsonl --pubkey ledger.pub
build/release/tools/ledgerctl verify --data var/data --pubkey ledger.pub   # 同时核对投影
python3 tools/audit/verify_export.py --export ledger.jsonl --pubkey ledger.pub --generated generated  # 见 docs/auditing.md`,
  },
  admin: { title: '总览', lead: '管理员可查看以下内容：', accounts: '账户', login: '账号', name: '名称', role: '角色', scope: '范围', status: '状态' },
  errors: {
    notFound: '未找到，或您无权查看。', forbidden: '您无权进行此操作。', network: '无法连接账本服务，请检查网络后重试。',
    generic: (detail: string) => `操作失败：${detail}`, sealed: '这个月已封存，不能再更改。', already: '这条服务已经核验过了。',
  },
  chart: { aria: '图表；同样的数据见下方数据表。' },
}
