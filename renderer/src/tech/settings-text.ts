/**
 * The 设置 tab's words: zh-CN first, English second (the technician screens are not the citizen's
 * and do not switch language). One entry per text so both lines stay together.
 */
export const SETTINGS_TEXT = {
  title: { zh: '设置', en: 'Settings' },
  intro: {
    zh: '修改后点"应用"：只重启受影响的部分，不重启评价器，进行中的评价不受影响。',
    en: 'Apply restarts only the part that changed — never the pad, never an open evaluation.',
  },
  board: { zh: '评价器', en: 'Key board' },
  boardSimulated: { zh: '模拟', en: 'Simulated' },
  boardSerial: { zh: '串口', en: 'Serial' },
  boardNone: { zh: '无', en: 'None' },
  boardPath: { zh: '串口设备（留空自动查找）', en: 'Serial device (empty: find it)' },
  baud: { zh: '波特率', en: 'Baud rate' },
  findPorts: { zh: '查找端口', en: 'Find ports' },
  printer: { zh: '打印机', en: 'Printer' },
  printerVirtual: { zh: '虚拟', en: 'Virtual' },
  printerSerial: { zh: '串口', en: 'Serial' },
  printerUsb: { zh: 'USB', en: 'USB' },
  printerTcp: { zh: '网络', en: 'Network' },
  printerNone: { zh: '无', en: 'None' },
  printerPath: { zh: '设备路径', en: 'Device path' },
  printerHost: { zh: '打印机地址', en: 'Printer address' },
  printerPort: { zh: '端口', en: 'Port' },
  paper: { zh: '纸宽', en: 'Paper width' },
  qr: { zh: '二维码', en: 'QR code' },
  qrNative: { zh: '打印机生成', en: 'Printer native' },
  qrRaster: { zh: '图像', en: 'Raster image' },
  autoPrint: { zh: '未评价时自动打印回执', en: 'Print a receipt when unrated' },
  windowApi: { zh: '窗口接口', en: 'Window API' },
  apiHost: { zh: '监听地址', en: 'Listen address' },
  apiPort: { zh: '端口', en: 'Port' },
  apiAllow: { zh: '允许的业务系统地址（每行一个）', en: 'Allowed client addresses (one per line)' },
  apiNow: { zh: '当前地址', en: 'Now at' },
  token: { zh: '访问令牌', en: 'Access token' },
  rotate: { zh: '更换令牌', en: 'Rotate token' },
  tokenOnce: {
    zh: '新令牌只显示这一次：请立即填入窗口业务系统。',
    en: 'The new token is shown this once: enter it in the window business system now.',
  },
  timing: { zh: '计时', en: 'Timing' },
  rateTimeoutS: { zh: '评价等待（秒）', en: 'Rating wait (s)' },
  reasonsTimeoutS: { zh: '原因选择等待（秒）', en: 'Reasons wait (s)' },
  optionalExtrasTimeoutS: { zh: '补充意见等待（秒）', en: 'Optional extras wait (s)' },
  thanksS: { zh: '致谢画面（秒）', en: 'Thank-you screen (s)' },
  appealWorkingDays: { zh: '申诉期限（工作日）', en: 'Appeal period (working days)' },
  inForce: { zh: '平台下发值生效中', en: 'the platform’s value is in force' },
  code: { zh: '技术维护口令', en: 'Technician code' },
  codeCurrent: { zh: '当前口令', en: 'Current code' },
  codeNext: { zh: '新口令（6–12 位数字）', en: 'New code (6–12 digits)' },
  codeRepeat: { zh: '再输入一次', en: 'Repeat' },
  codeMismatch: { zh: '两次输入的新口令不一致', en: 'the two new codes differ' },
  codeChanged: { zh: '维护口令已更改', en: 'technician code changed' },
  apply: { zh: '应用', en: 'Apply' },
  applied: { zh: '已生效', en: 'Applied' },
  nothing: { zh: '没有改动', en: 'nothing changed' },
  restarted: { zh: '已重启', en: 'Restarted' },
  pinned: {
    zh: '以下设置由环境变量指定，下次启动时将恢复为环境变量的值',
    en: 'An environment variable sets these at every start; this change lasts until the next start',
  },
  configFile: { zh: '配置文件', en: 'Config file' },
  secretSet: { zh: '已设置', en: 'set' },
  secretNotSet: { zh: '未设置', en: 'not set' },
} as const;

export type SettingsTextKey = keyof typeof SETTINGS_TEXT;

/** What restarted, in words. */
export const SERVICE_WORDS: Record<string, { zh: string; en: string }> = {
  board: { zh: '评价器', en: 'board' },
  printer: { zh: '打印机', en: 'printer' },
  windowApi: { zh: '窗口接口', en: 'window API' },
  timers: { zh: '计时器', en: 'timers' },
};
