// Node-RED as the yardstick: editor and admin API off, loopback only, logging at warn.
module.exports = {
  uiHost: '127.0.0.1',
  uiPort: Number(process.env.NODE_RED_PORT || 1880),
  httpAdminRoot: false,
  disableEditor: true,
  flowFile: process.env.NODE_RED_FLOW,
  userDir: process.env.NODE_RED_USER_DIR,
  credentialSecret: false,
  logging: { console: { level: 'warn', metrics: false, audit: false } },
  functionGlobalContext: {},
};
