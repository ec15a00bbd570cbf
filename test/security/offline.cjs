// Preloaded into Electronegativity: every outbound connection fails at once, so the offline gate takes seconds, not
// retries and DNS timeouts (a code got does not retry; the tool only fetches translations and Electron's release list, neither needed for the checks).
const dns = require('node:dns');
const net = require('node:net');

const refuse = (host) => Object.assign(new Error(`offline gate: no network (${host})`), { code: 'ERINGSIDEOFFLINE' });
dns.lookup = (host, _opts, cb) => process.nextTick(typeof _opts === 'function' ? _opts : cb, refuse(host));
dns.promises.lookup = async (host) => {
  throw refuse(host);
};
const connect = net.connect;
net.connect = net.createConnection = function (...args) {
  const opts = typeof args[0] === 'object' ? args[0] : { host: args[1] };
  if (opts && opts.path) return connect.apply(this, args);
  throw refuse(opts && opts.host);
};
